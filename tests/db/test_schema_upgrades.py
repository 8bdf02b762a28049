"""Upgrades across the clinic: recorded, confirmed for a shared database, explained to an
older desk."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from desk import __version__, config
from desk.db import migrate
from desk.db.engine import make_engine
from desk.domain.errors import NotPermitted, SchemaTooNew, SignInFailed, UpgradeNeedsConfirmation
from desk.domain.roles import Role
from desk.services.database import open_database, upgrade_confirmed_by_admin
from tests.helpers.fixtures import (
    ADMIN_PASSWORD,
    STAFF_PASSWORD,
    FakeClock,
    add_person,
    make_clinic,
    scratch_pg_database,
)


def _upgrades(engine: object) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(
            text("SELECT revision, app_version, workstation FROM schema_upgrade ORDER BY id")
        ).all()
    return [tuple(row) for row in rows]


def test_an_upgrade_records_the_version_and_the_workstation(tmp_path: Path) -> None:
    config.write_config("workstation", {"name": "FRONT-DESK-1"})
    engine = open_database(f"sqlite:///{tmp_path / 'clinic.sqlite3'}")
    assert _upgrades(engine) == [(migrate.head_revision(), __version__, "FRONT-DESK-1")]
    engine.dispose()


def test_an_older_desk_says_which_version_it_needs_and_who_upgraded(
    tmp_path: Path, clock: FakeClock
) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    engine = open_database(url)
    make_clinic(engine, clock)
    upgraded_at = datetime(2026, 11, 27, 12, 0)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
        conn.execute(
            text(
                "INSERT INTO schema_upgrade (revision, app_version, upgraded_at, workstation)"
                " VALUES ('0099_future', '0.3.0', :at, 'FRONT-DESK-1')"
            ),
            {"at": upgraded_at},
        )
    engine.dispose()
    day = upgraded_at.replace(tzinfo=UTC).astimezone().strftime("%m/%d/%Y")
    with pytest.raises(SchemaTooNew) as refused:
        open_database(url)
    assert str(refused.value).startswith(
        f"This workstation needs version 0.3.0 (the clinic's database was upgraded on {day} "
        "by FRONT-DESK-1). Ask IT to install the new version on this workstation"
    )


def test_a_shared_database_is_not_upgraded_without_an_admins_confirmation(
    clock: FakeClock,
) -> None:
    with scratch_pg_database("desk_upgrade") as url:
        engine = make_engine(url)
        migrate.upgrade(engine, "0003_patient_search")
        admin = make_clinic(engine, clock)
        add_person(admin, "nina", Role.NURSE)
        with pytest.raises(UpgradeNeedsConfirmation):
            open_database(url)
        with pytest.raises(SignInFailed):
            upgrade_confirmed_by_admin(url, "admin", "wrong-password")
        with pytest.raises(NotPermitted):
            upgrade_confirmed_by_admin(url, "nina", STAFF_PASSWORD)
        assert migrate.current_revision(engine) == "0003_patient_search"
        upgrade_confirmed_by_admin(url, "Admin", ADMIN_PASSWORD)
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert _upgrades(engine)[-1][:2] == (migrate.head_revision(), __version__)
        open_database(url).dispose()  # at head: opens without asking anyone
        engine.dispose()


def test_a_new_empty_shared_database_needs_no_confirmation() -> None:
    with scratch_pg_database("desk_upgrade_new") as url:
        engine = open_database(url)
        assert migrate.current_revision(engine) == migrate.head_revision()
        engine.dispose()
