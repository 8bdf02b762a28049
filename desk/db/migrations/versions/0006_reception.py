"""one transport truth: the call list's ride tick is the way home's phone confirmation

A ride ticked on the call list before this revision was stored on the visit, apart from
the confirmation the board reads. It becomes that confirmation wherever a way home is
recorded and not yet confirmed; the visit's own columns go.

Revision ID: 0006_reception
Revises: 0004_nurse_safety
Create Date: 2026-11-28 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import desk.db.types

revision = "0006_reception"
down_revision = "0004_nurse_safety"
branch_labels = None
depends_on = None

_TICKED = "SELECT v.{column} FROM visit v WHERE v.id = transport.visit_id"


def upgrade() -> None:
    op.execute(
        "UPDATE transport SET"
        f" confirmed_by = ({_TICKED.format(column='ride_confirmed_by')}),"
        f" confirmed_at = ({_TICKED.format(column='ride_confirmed_at')})"
        " WHERE confirmed_by IS NULL AND plan <> '' AND EXISTS ("
        "SELECT 1 FROM visit v WHERE v.id = transport.visit_id"
        " AND v.ride_confirmed_by IS NOT NULL AND v.ride_confirmed_at IS NOT NULL)"
    )
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of the visit table would
    # have to drop it, which the foreign keys pointing at visits rightly refuse.
    op.drop_column("visit", "ride_confirmed_at")
    op.drop_column("visit", "ride_confirmed_by")


def downgrade() -> None:
    # The confirmations stay on the way home, where every screen of that version reads them.
    op.add_column("visit", sa.Column("ride_confirmed_by", sa.String(length=80), nullable=True))
    op.add_column(
        "visit", sa.Column("ride_confirmed_at", desk.db.types.UTCDateTime(), nullable=True)
    )
