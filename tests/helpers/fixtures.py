"""Fixtures for database-backed tests: SQLite files and PostgreSQL when it answers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from desk.domain.roles import Role
from desk.services import setup, staff
from desk.services.context import Actor, Desk
from desk.services.database import open_database

PG_URL = os.environ.get("DESK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ADMIN_PASSWORD = "admin-password-1"
STAFF_PASSWORD = "staff-password-1"


@pytest.fixture(autouse=True)
def isolated_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own data and config folders: never the developer's real ones."""
    home = tmp_path_factory.mktemp("deskhome")
    monkeypatch.setenv("DESK_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("DESK_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("DESK_SITE_CONFIG_DIR", str(home / "site-config"))
    monkeypatch.delenv("DESK_DATABASE_URL", raising=False)
    return home


class FakeClock:
    """A settable clock for services (aware UTC)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 25, 14, 0, tzinfo=UTC))


def _pg_admin_engine() -> Engine | None:
    try:
        engine = create_engine(
            PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with engine.connect():
            pass
        return engine
    except Exception:
        return None


@contextmanager
def scratch_pg_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database (its URL), dropped afterwards; skips without a server."""
    admin = _pg_admin_engine()
    if admin is None:
        pytest.skip(f"PostgreSQL does not answer at {make_url(PG_URL).render_as_string()}")
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def workstation_pg_database(prefix: str) -> Iterator[tuple[str, str]]:
    """A scratch database migrated by its owner, with the workstation login ``desk init``
    creates: ``(owner URL, workstation URL)``. The login is dropped afterwards."""
    from desk.services.database import create_workstation_login

    with scratch_pg_database(prefix) as owner_url:
        engine = open_database(owner_url)
        try:
            role, password = create_workstation_login(engine)
        finally:
            engine.dispose()
        try:
            url = make_url(owner_url).set(username=role, password=password)
            yield owner_url, url.render_as_string(hide_password=False)
        finally:
            admin = _pg_admin_engine()
            assert admin is not None
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(owner_url).database}" '
                                  "WITH (FORCE)"))
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
            admin.dispose()


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped at the end."""
    with scratch_pg_database("desk_test") as url:
        yield url


@pytest.fixture(scope="session")
def pg_engine(pg_database_url: str) -> Iterator[Engine]:
    engine = open_database(pg_database_url)
    yield engine
    engine.dispose()


def _truncate_pg(engine: Engine) -> None:
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'clinic.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database: a SQLite file, and PostgreSQL when it answers."""
    if request.param == "sqlite":
        eng = open_database(f"sqlite:///{tmp_path / 'clinic.sqlite3'}")
        yield eng
        eng.dispose()
    else:
        eng = request.getfixturevalue("pg_engine")
        _truncate_pg(eng)
        yield eng


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    eng = open_database(sqlite_url)
    yield eng
    eng.dispose()


def make_clinic(engine: Engine, clock: Callable[[], datetime]) -> Desk:
    """A set-up clinic with one admin signed in."""
    desk = Desk(engine, workstation="front-desk-1", clock=clock)
    admin = setup.initialise(
        desk,
        clinic_name="Harbour Ketamine Clinic",
        admin_username="admin",
        admin_full_name="Ada Admin",
        admin_password=ADMIN_PASSWORD,
    )
    return desk.as_actor(admin)


@pytest.fixture
def admin_desk(engine: Engine, clock: FakeClock) -> Desk:
    return make_clinic(engine, clock)


@pytest.fixture
def sqlite_admin_desk(sqlite_engine: Engine, clock: FakeClock) -> Desk:
    return make_clinic(sqlite_engine, clock)


def add_person(admin_desk: Desk, username: str, *roles: Role) -> Actor:
    """Create a staff member and return them as a signed-in Actor."""
    view = staff.add_staff(admin_desk, username, username.title(), frozenset(roles), STAFF_PASSWORD)
    return Actor(view.id, view.username, view.full_name, view.roles)


@pytest.fixture
def nurse_desk(admin_desk: Desk) -> Desk:
    return admin_desk.as_actor(add_person(admin_desk, "nina", Role.NURSE))


@pytest.fixture
def reception_desk(admin_desk: Desk) -> Desk:
    return admin_desk.as_actor(add_person(admin_desk, "rita", Role.RECEPTIONIST))
