"""schema upgrades recorded (version, time, workstation) so an older desk can say what it needs

Revision ID: 0008_workstations
Revises: 0007_integrity
Create Date: 2026-11-28 19:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desk.db.types import UTCDateTime

revision = "0008_workstations"
down_revision = "0007_integrity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schema_upgrade",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.String(length=64), nullable=False),
        sa.Column("app_version", sa.String(length=40), nullable=False),
        sa.Column("upgraded_at", UTCDateTime(), nullable=False),
        sa.Column("workstation", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schema_upgrade")),
    )


def downgrade() -> None:
    op.drop_table("schema_upgrade")
