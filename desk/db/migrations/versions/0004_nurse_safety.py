"""nurse station safety: who collected the patient, the discharge co-signer, short infusions

Revision ID: 0004_nurse_safety
Revises: 0003_patient_search
Create Date: 2026-11-28 19:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_nurse_safety"
down_revision = "0003_patient_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("collector_relationship", sa.String(80), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("collector_phone", sa.String(40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("collector_id_seen", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("discharge_cosigned_by", sa.String(80), nullable=True))
        batch_op.add_column(
            sa.Column("infusion_stopped_for", sa.String(40), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        for name in (
            "infusion_stopped_for",
            "discharge_cosigned_by",
            "collector_id_seen",
            "collector_phone",
            "collector_relationship",
        ):
            batch_op.drop_column(name)
