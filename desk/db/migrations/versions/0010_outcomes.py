"""outcomes: questionnaire responses, safety assessments, progress letters; provider address

Revision ID: 0010_outcomes
Revises: 0009_controlled_substance
Create Date: 2026-11-28 19:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import desk.db.types

revision = "0010_outcomes"
down_revision = "0009_controlled_substance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outcome_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("instrument", sa.String(length=20), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=40), nullable=False),
        sa.Column("safety_items", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("taken_at", desk.db.types.UTCDateTime(), nullable=False),
        sa.Column("entered_by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_outcome_response_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visit.id"], name=op.f("fk_outcome_response_visit_id_visit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_response")),
    )
    with op.batch_alter_table("outcome_response", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outcome_response_patient_taken", ["patient_id", "taken_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outcome_response_visit_id"), ["visit_id"], unique=False
        )
    op.create_table(
        "safety_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("risk_level", sa.String(length=20), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("told", sa.Text(), nullable=False),
        sa.Column("assessed_at", desk.db.types.UTCDateTime(), nullable=False),
        sa.Column("assessed_by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visit.id"], name=op.f("fk_safety_assessment_visit_id_visit")
        ),
        sa.ForeignKeyConstraint(
            ["response_id"], ["outcome_response.id"],
            name=op.f("fk_safety_assessment_response_id_outcome_response"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_assessment")),
    )
    with op.batch_alter_table("safety_assessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_safety_assessment_visit_id"), ["visit_id"], unique=False
        )
    op.create_table(
        "progress_letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("signed_at", desk.db.types.UTCDateTime(), nullable=False),
        sa.Column("signed_by", sa.String(length=80), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_progress_letter_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["series_id"], ["series.id"], name=op.f("fk_progress_letter_series_id_series")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_letter")),
    )
    with op.batch_alter_table("progress_letter", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_progress_letter_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_progress_letter_series_id"), ["series_id"], unique=False
        )
    with op.batch_alter_table("candidacy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("provider_address", sa.Text(), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("candidacy", schema=None) as batch_op:
        batch_op.drop_column("provider_address")
    op.drop_table("progress_letter")
    op.drop_table("safety_assessment")
    op.drop_table("outcome_response")
