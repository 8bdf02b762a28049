"""Migration 0009 on a database from before it: side effects keep their rows and gain the
severity fields; the new ledger refuses edits on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

from desk.db import migrate
from desk.db.engine import make_engine
from desk.services.database import open_database

BEFORE = "0003_patient_search"


def _old_side_effect(engine: Engine) -> None:
    now = datetime(2026, 1, 2, 10, 0, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO patient (id, mrn, legal_first_name, legal_last_name, preferred_name,"
                " dob, sex, phone, phone2, email, address, emergency_name, emergency_phone,"
                " emergency_relationship, notes, first_key, last_key, preferred_key,"
                " phone_digits, created_at, version) VALUES (1, 'M1', 'Ann', 'Lee', '',"
                " :dob, '', '', '', '', '', '', '', '', '', 'ann', 'lee', '', '', :now, 1)"
            ),
            {"dob": date(1980, 5, 6), "now": now},
        )
        conn.execute(
            text(
                "INSERT INTO visit (id, patient_id, visit_type, chair, scheduled_start,"
                " scheduled_end, status, status_reason, created_at, version, late,"
                " screening_override_reason, collected_by_name, driver_override_reason,"
                " early_discharge_reason) VALUES (1, 1, 'mood_infusion', 'Chair 1', :now, :now,"
                " 'recovery', '', :now, 1, false, '', '', '', '')"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO side_effect (id, visit_id, effect, note, recorded_at, recorded_by)"
                " VALUES (1, 1, 'nausea', 'mild', :now, 'nina')"
            ),
            {"now": now},
        )


def test_side_effects_recorded_before_the_migration_keep_their_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine, BEFORE)
    _old_side_effect(engine)
    engine.dispose()
    upgraded = open_database(url)
    assert migrate.current_revision(upgraded) == migrate.head_revision()
    with upgraded.connect() as conn:
        row = conn.execute(
            text("SELECT effect, note, severity, intervention FROM side_effect")
        ).one()
    assert tuple(row) == ("nausea", "mild", "", "")


def test_migration_upgrades_a_postgresql_database_from_before_it() -> None:
    from tests.helpers.fixtures import scratch_pg_database

    with scratch_pg_database("desk_mig9") as url:
        engine = make_engine(url)
        migrate.upgrade(engine, BEFORE)
        _old_side_effect(engine)
        migrate.upgrade(engine)
        with engine.connect() as conn:
            severity = conn.execute(text("SELECT severity FROM side_effect")).scalar()
            conn.execute(text(
                "INSERT INTO stock_lot (id, drug, lot_number, expiry, concentration_ug_per_ml,"
                " vial_ul, balance_ug, created_at, version) VALUES (1, 'Ketamine', 'L1',"
                " '2030-01-01', 50000, 1000, 50000, now(), 1)"
            ))  # fmt: skip
            conn.execute(text(
                "INSERT INTO stock_movement (lot_id, kind, amount_ug, balance_ug, vials, at, by,"
                " supplier, invoice, reason, audit_seq) VALUES (1, 'receipt', 50000, 50000, 1,"
                " now(), 'nina', 'S', 'I', '', 1)"
            ))  # fmt: skip
            conn.commit()
            with pytest.raises(DatabaseError, match="append-only"):
                conn.execute(text("UPDATE stock_movement SET amount_ug = 0"))
        engine.dispose()
    assert severity == ""
