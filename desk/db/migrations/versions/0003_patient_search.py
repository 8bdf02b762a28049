"""patient search keys (one index for name and phone prefixes); candidacy pregnancy test applies

Revision ID: 0003_patient_search
Revises: 0002_clinical
Create Date: 2026-11-25 12:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_patient_search"
down_revision = "0002_clinical"
branch_labels = None
depends_on = None

# Binary comparison makes a key range a prefix match; SQLite's default already is binary.
_SEARCH_KEY = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")
_SEARCH_NAMES = sa.String(400).with_variant(sa.String(400, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "patient_search_key",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("key", _SEARCH_KEY, nullable=False),
        sa.Column("names", _SEARCH_NAMES, nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_patient_search_key_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", "key", name=op.f("pk_patient_search_key")),
    )
    with op.batch_alter_table("patient_search_key", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patient_search_key_lookup", ["key", "names", "patient_id"], unique=False
        )
    with op.batch_alter_table("candidacy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "pregnancy_test_applies", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
    _index_existing_patients()


def _index_existing_patients() -> None:
    """Fill the keys of patients registered before this revision."""
    # Imported here: the key rules are the ones the desk uses when it saves a patient.
    from desk.domain.search_index import index_entries

    bind = op.get_bind()
    patients = sa.table(
        "patient",
        sa.column("id", sa.Integer),
        sa.column("legal_first_name", sa.String),
        sa.column("legal_last_name", sa.String),
        sa.column("preferred_name", sa.String),
        sa.column("phone", sa.String),
        sa.column("phone2", sa.String),
    )
    keys = sa.table(
        "patient_search_key",
        sa.column("patient_id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("names", sa.String),
    )
    rows = []
    for row in bind.execute(sa.select(patients)):
        entries = index_entries(
            row.legal_first_name, row.legal_last_name, row.preferred_name,
            (row.phone, row.phone2),
        )
        rows += [{"patient_id": row.id, "key": k, "names": n} for k, n in entries]
    if rows:
        op.bulk_insert(keys, rows)


def downgrade() -> None:
    with op.batch_alter_table("candidacy", schema=None) as batch_op:
        batch_op.drop_column("pregnancy_test_applies")
    with op.batch_alter_table("patient_search_key", schema=None) as batch_op:
        batch_op.drop_index("ix_patient_search_key_lookup")
    op.drop_table("patient_search_key")
