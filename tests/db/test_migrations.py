"""Migrations: an empty database, a database at the first revision, and one from the future."""

from __future__ import annotations

import os
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from desk.db import migrate
from desk.db.engine import make_engine
from desk.domain.errors import DatabaseUnavailable, SchemaTooNew
from desk.services.database import is_initialised, open_database

FIRST = "0001_foundation"


def test_empty_sqlite_database_upgrades_to_head(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert migrate.current_revision(engine) == migrate.head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {
        "patient",
        "visit",
        "staff",
        "audit_entry",
        "clinic_settings",
        "consent_document",
    } <= tables
    assert not is_initialised(engine)


def test_database_at_first_revision_keeps_its_rows_when_upgraded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine, FIRST)
    now = datetime(2025, 1, 2, 10, 0, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO patient (id, mrn, legal_first_name, legal_last_name, preferred_name,"
                " dob, sex, phone, phone2, email, address, emergency_name, emergency_phone,"
                " emergency_relationship, notes, first_key, last_key, preferred_key,"
                " phone_digits, created_at, version) VALUES (1, 'M1', 'Zoë', 'O''Brien', '',"
                " :dob, '', '', '', '', '', '', '', '', '', 'zoe', 'obrien', '', '', :now, 1)"
            ),
            {"dob": date(1980, 5, 6), "now": now},
        )
        conn.execute(
            text(
                "INSERT INTO visit (id, patient_id, visit_type, chair, scheduled_start,"
                " scheduled_end, status, status_reason, created_at, version) VALUES"
                " (1, 1, 'mood_infusion', 'Chair 1', :now, :now, 'scheduled', '', :now, 1)"
            ),
            {"now": now},
        )
    engine.dispose()
    upgraded = open_database(url)
    assert migrate.current_revision(upgraded) == migrate.head_revision()
    with upgraded.connect() as conn:
        name = conn.execute(text("SELECT legal_first_name FROM patient WHERE id = 1")).scalar()
        late, reason = conn.execute(text("SELECT late, screening_override_reason FROM visit")).one()
    assert name == "Zoë"
    assert not late and reason == ""


def test_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'future.sqlite3'}"
    open_database(url).dispose()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    with pytest.raises(SchemaTooNew, match="This workstation needs version"):
        open_database(url)


def test_migrations_run_on_postgresql(pg_engine: object) -> None:
    from sqlalchemy import Engine

    assert isinstance(pg_engine, Engine)
    assert migrate.current_revision(pg_engine) == migrate.head_revision()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_sqlite_file_and_folder_are_owner_only() -> None:
    from desk.config import data_dir, default_database_url

    db = data_dir() / "desk.sqlite3"
    assert not db.parent.exists()  # the desk creates its own data folder on first start
    open_database(default_database_url()).dispose()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700


def test_a_database_in_a_missing_folder_is_refused_not_created(tmp_path: Path) -> None:
    db = tmp_path / "no" / "such" / "dir" / "x.db"
    with pytest.raises(DatabaseUnavailable, match="does not exist"):
        open_database(f"sqlite:///{db}")
    assert not (tmp_path / "no").exists()


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_database_before_outcomes_keeps_its_screening_and_takes_questionnaires(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'before-outcomes.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine, "0003_patient_search")
    now = datetime(2026, 11, 2, 9, 0)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO patient (id, mrn, legal_first_name, legal_last_name, preferred_name,"
                " dob, sex, phone, phone2, email, address, emergency_name, emergency_phone,"
                " emergency_relationship, notes, first_key, last_key, preferred_key,"
                " phone_digits, created_at, version) VALUES (1, 'M1', 'Ana', 'Ruiz', '',"
                " :dob, '', '', '', '', '', '', '', '', '', 'ana', 'ruiz', '', '', :now, 1)"
            ),
            {"dob": date(1980, 5, 6), "now": now},
        )
        conn.execute(
            text(
                "INSERT INTO candidacy (patient_id, indication, diagnosis_confirmed_by,"
                " provider_name, provider_practice, provider_phone, history_reviewed_by,"
                " contraindication_flags, medication_flags, flag_detail, version)"
                " VALUES (1, 'ptsd', 'Dr Hale', 'Dr Hale', '', '', 'Dr Hale', '[]', '[]', '', 1)"
            )
        )
    engine.dispose()
    upgraded = open_database(url)
    assert migrate.current_revision(upgraded) == migrate.head_revision()
    assert {"outcome_response", "safety_assessment", "progress_letter"} <= set(
        inspect(upgraded).get_table_names()
    )
    with upgraded.connect() as conn:
        row = conn.execute(text("SELECT indication, provider_address FROM candidacy")).one()
    assert tuple(row) == ("ptsd", "")

def test_call_list_ride_ticks_become_the_way_homes_confirmation(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ticks.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine, "0003_patient_search")
    now = datetime(2026, 11, 27, 16, 0)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO patient (id, mrn, legal_first_name, legal_last_name, preferred_name,"
                " dob, sex, phone, phone2, email, address, emergency_name, emergency_phone,"
                " emergency_relationship, notes, first_key, last_key, preferred_key,"
                " phone_digits, created_at, version) VALUES (1, 'M1', 'Ada', 'Cole', '',"
                " :dob, '', '', '', '', '', '', '', '', '', 'ada', 'cole', '', '', :now, 1)"
            ),
            {"dob": date(1980, 5, 6), "now": now},
        )
        for visit_id, ticked in ((1, "rita"), (2, None)):
            conn.execute(
                text(
                    "INSERT INTO visit (id, patient_id, visit_type, chair, scheduled_start,"
                    " scheduled_end, status, status_reason, created_at, version, late,"
                    " screening_override_reason, collected_by_name, driver_override_reason,"
                    " early_discharge_reason, ride_confirmed_by, ride_confirmed_at) VALUES"
                    " (:id, 1, 'mood_infusion', 'Chair 1', :now, :now, 'scheduled', '', :now,"
                    " 1, 0, '', '', '', '', :by, :at)"
                ),
                {"id": visit_id, "now": now, "by": ticked, "at": now if ticked else None},
            )
            conn.execute(
                text(
                    "INSERT INTO transport (visit_id, adult_name, adult_phone, relationship,"
                    " plan, version) VALUES (:id, 'Kim Cole', '+12015550199', 'sister',"
                    " 'family_drives', 1)"
                ),
                {"id": visit_id},
            )
    engine.dispose()
    upgraded = open_database(url)
    with upgraded.connect() as conn:
        rows = conn.execute(
            text("SELECT visit_id, confirmed_by FROM transport ORDER BY visit_id")
        ).all()
    assert [tuple(r) for r in rows] == [(1, "rita"), (2, None)]
    assert "ride_confirmed_by" not in {c["name"] for c in inspect(upgraded).get_columns("visit")}
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_0007_continues_an_existing_audit_chain_and_adds_the_sign_in_throttle(
    backend: str, tmp_path: Path
) -> None:
    from contextlib import ExitStack

    from desk.db.models import AuditEntry
    from desk.domain.audit_chain import GENESIS_HASH, AuditRecord, chain_hash
    from desk.services import audit
    from desk.services.context import CLI_ACTOR, Desk
    from tests.helpers.fixtures import scratch_pg_database

    with ExitStack() as stack:
        url = (f"sqlite:///{tmp_path / 'old.sqlite3'}" if backend == "sqlite"
               else stack.enter_context(scratch_pg_database("desk_mig")))
        engine = make_engine(url)
        migrate.upgrade(engine, "0003_patient_search")
        prev = GENESIS_HASH
        with engine.begin() as conn:  # two entries as the code before 0007 chained them
            for seq in (1, 2):
                at = datetime(2026, 1, 5, 9, seq, 0, 123456, tzinfo=UTC)
                record = AuditRecord(seq, at, "admin", "admin", "desk-1", "staff.add", "staff",
                                     str(seq), "roles=nurse, name", prev)
                digest = chain_hash(prev, record)
                conn.execute(AuditEntry.__table__.insert(),
                             [{**record.__dict__, "hash": digest}])
                prev = digest
            conn.execute(text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 2, :h)"),
                         {"h": prev})
        engine.dispose()
        upgraded = open_database(url, confirmed_upgrade=True)  # a shared database: confirmed (i20)
        try:
            assert inspect(upgraded).has_table("sign_in_throttle")
            desk = Desk(upgraded, workstation="desk-2", actor=CLI_ACTOR)
            with desk.write() as uow:  # on PostgreSQL: appended by the server's function
                uow.audit("clinic.update", "clinic", 1, {"name": None, "note": "ünïcode \"q\""})
                uow.commit()
            assert audit.verify(desk) == (3, None)
        finally:
            upgraded.dispose()
