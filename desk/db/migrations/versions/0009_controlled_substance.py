"""orders, administration, the controlled-substance ledger (append-only) and day close

Revision ID: 0009_controlled_substance
Revises: 0008_workstations
Create Date: 2026-11-28 18:54:59.282484
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import desk.db.types

revision = "0009_controlled_substance"
down_revision = "0008_workstations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "day_close",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("closed_by", sa.String(length=80), nullable=False),
        sa.Column("witness", sa.String(length=80), nullable=False),
        sa.Column("closed_at", desk.db.types.UTCDateTime(), nullable=False),
        sa.Column("audit_seq", sa.Integer(), nullable=False),
        sa.Column("audit_hash", sa.String(length=64), nullable=False),
        sa.Column("counts_json", sa.Text(), nullable=False),
        sa.Column("report_pdf", sa.LargeBinary(), nullable=False),
        sa.Column("report_csv", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_day_close")),
        sa.UniqueConstraint("day", name=op.f("uq_day_close_day")),
    )
    op.create_table(
        "stock_lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("drug", sa.String(length=80), nullable=False),
        sa.Column("lot_number", sa.String(length=80), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=False),
        sa.Column("concentration_ug_per_ml", sa.Integer(), nullable=False),
        sa.Column("vial_ul", sa.Integer(), nullable=False),
        sa.Column("balance_ug", sa.Integer(), nullable=False),
        sa.Column("created_at", desk.db.types.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", desk.db.types.UTCDateTime(), nullable=True),
        sa.Column("updated_by", sa.String(length=80), nullable=True),
        sa.Column("updated_workstation", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_lot")),
        sa.UniqueConstraint(
            "drug", "lot_number", "concentration_ug_per_ml", name=op.f("uq_stock_lot_drug")
        ),
    )
    op.create_table(
        "infusion_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("drug", sa.String(length=80), nullable=False),
        sa.Column("dose_ug_per_kg", sa.Integer(), nullable=False),
        sa.Column("weight_g", sa.Integer(), nullable=False),
        sa.Column("weight_source", sa.String(length=20), nullable=False),
        sa.Column("dose_ug", sa.Integer(), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("rate_ug_per_h", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("ordered_by", sa.String(length=80), nullable=False),
        sa.Column("ordered_at", desk.db.types.UTCDateTime(), nullable=False),
        sa.Column("cosigned_by", sa.String(length=80), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", desk.db.types.UTCDateTime(), nullable=True),
        sa.Column("updated_by", sa.String(length=80), nullable=True),
        sa.Column("updated_workstation", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_infusion_order_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["series_id"], ["series.id"], name=op.f("fk_infusion_order_series_id_series")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visit.id"], name=op.f("fk_infusion_order_visit_id_visit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_infusion_order")),
    )
    with op.batch_alter_table("infusion_order", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_infusion_order_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_infusion_order_series_id"), ["series_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_infusion_order_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "rate_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("rate_ul_per_h", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", desk.db.types.UTCDateTime(), nullable=False),
        sa.Column("by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visit.id"], name=op.f("fk_rate_change_visit_id_visit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_change")),
    )
    with op.batch_alter_table("rate_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_change_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "sedation_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("checkpoint", sa.String(length=20), nullable=False),
        sa.Column("responsiveness", sa.Integer(), nullable=False),
        sa.Column("dissociation", sa.String(length=10), nullable=False),
        sa.Column("at", desk.db.types.UTCDateTime(), nullable=False),
        sa.Column("by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visit.id"], name=op.f("fk_sedation_check_visit_id_visit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sedation_check")),
    )
    with op.batch_alter_table("sedation_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sedation_check_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "stock_movement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount_ug", sa.Integer(), nullable=False),
        sa.Column("balance_ug", sa.Integer(), nullable=False),
        sa.Column("vials", sa.Integer(), nullable=False),
        sa.Column("at", desk.db.types.UTCDateTime(), nullable=False),
        sa.Column("by", sa.String(length=80), nullable=False),
        sa.Column("witness", sa.String(length=80), nullable=True),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("supplier", sa.String(length=200), nullable=False),
        sa.Column("invoice", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("audit_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["stock_lot.id"], name=op.f("fk_stock_movement_lot_id_stock_lot")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visit.id"], name=op.f("fk_stock_movement_visit_id_visit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movement")),
    )
    with op.batch_alter_table("stock_movement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_movement_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_movement_lot_id"), ["lot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_movement_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "administration",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("vials", sa.Integer(), nullable=False),
        sa.Column("drawn_ug", sa.Integer(), nullable=False),
        sa.Column("draw_ul", sa.Integer(), nullable=False),
        sa.Column("rate_ul_per_h", sa.Integer(), nullable=False),
        sa.Column("iv_site", sa.String(length=80), nullable=False),
        sa.Column("iv_gauge", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.String(length=80), nullable=False),
        sa.Column("given_ug", sa.Integer(), nullable=True),
        sa.Column("ended_by", sa.String(length=80), nullable=True),
        sa.Column("waste_ug", sa.Integer(), nullable=True),
        sa.Column("waste_method", sa.String(length=80), nullable=False),
        sa.Column("waste_by", sa.String(length=80), nullable=True),
        sa.Column("waste_witness", sa.String(length=80), nullable=True),
        sa.Column("waste_at", desk.db.types.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", desk.db.types.UTCDateTime(), nullable=True),
        sa.Column("updated_by", sa.String(length=80), nullable=True),
        sa.Column("updated_workstation", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["stock_lot.id"], name=op.f("fk_administration_lot_id_stock_lot")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["infusion_order.id"],
            name=op.f("fk_administration_order_id_infusion_order"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visit.id"], name=op.f("fk_administration_visit_id_visit")
        ),
        sa.PrimaryKeyConstraint("visit_id", name=op.f("pk_administration")),
    )
    with op.batch_alter_table("administration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_administration_lot_id"), ["lot_id"], unique=False)

    with op.batch_alter_table("side_effect", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("severity", sa.String(length=10), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("intervention", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("intervention_drug", sa.String(length=80), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("intervention_dose", sa.String(length=40), nullable=False, server_default="")
        )

    _forbid_ledger_edits()


# The ledger is append-only in the database itself, not only in the services: an UPDATE
# or DELETE of a movement fails whatever program issues it.
_SQLITE_GUARDS = [
    f"CREATE TRIGGER stock_movement_no_{verb.lower()} BEFORE {verb} ON stock_movement "
    "BEGIN SELECT RAISE(ABORT, 'the controlled-substance ledger is append-only'); END"
    for verb in ("UPDATE", "DELETE")
]
_PG_GUARD = [
    "CREATE FUNCTION stock_movement_append_only() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION 'the controlled-substance ledger is append-only'; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER stock_movement_append_only BEFORE UPDATE OR DELETE ON stock_movement "
    "FOR EACH ROW EXECUTE FUNCTION stock_movement_append_only()",
]


def _forbid_ledger_edits() -> None:
    dialect = op.get_bind().dialect.name
    for statement in (
        _SQLITE_GUARDS if dialect == "sqlite" else _PG_GUARD if dialect == "postgresql" else []
    ):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS stock_movement_append_only ON stock_movement")
        op.execute("DROP FUNCTION IF EXISTS stock_movement_append_only()")
    with op.batch_alter_table("side_effect", schema=None) as batch_op:
        batch_op.drop_column("intervention_dose")
        batch_op.drop_column("intervention_drug")
        batch_op.drop_column("intervention")
        batch_op.drop_column("severity")

    with op.batch_alter_table("administration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_administration_lot_id"))

    op.drop_table("administration")
    with op.batch_alter_table("stock_movement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_movement_visit_id"))
        batch_op.drop_index(batch_op.f("ix_stock_movement_lot_id"))
        batch_op.drop_index(batch_op.f("ix_stock_movement_at"))

    op.drop_table("stock_movement")
    with op.batch_alter_table("sedation_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sedation_check_visit_id"))

    op.drop_table("sedation_check")
    with op.batch_alter_table("rate_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_change_visit_id"))

    op.drop_table("rate_change")
    with op.batch_alter_table("infusion_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_infusion_order_visit_id"))
        batch_op.drop_index(batch_op.f("ix_infusion_order_series_id"))
        batch_op.drop_index(batch_op.f("ix_infusion_order_patient_id"))

    op.drop_table("infusion_order")
    op.drop_table("stock_lot")
    op.drop_table("day_close")
