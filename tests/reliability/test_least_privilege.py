"""Issue 15: on PostgreSQL a workstation login cannot rewrite the audit trail or the
schema, and admin commands on a shared database need an admin's own sign-in."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from desk.domain.roles import Role
from desk.services import audit, consent, integrity, staff
from desk.services.context import Desk
from desk.services.database import open_database
from tests.cli.test_cli import ADMIN_PW, assert_one_line_error, desk
from tests.helpers import clinic_flow
from tests.helpers.fixtures import scratch_pg_database

REFUSED_SQL = [
    "UPDATE audit_entry SET actor = 'mallory' WHERE seq = 1",
    "DELETE FROM audit_entry WHERE seq = (SELECT max(seq) FROM audit_entry)",
    "DELETE FROM audit_head",
    "UPDATE audit_head SET seq = 1",
    "TRUNCATE audit_entry",
    "INSERT INTO audit_entry (seq, at, actor, role, workstation, action, entity, entity_id, "
    "summary, prev_hash, hash) VALUES (999, now(), 'x', '', '', 'x', 'x', '1', '', '', 'x')",
    "UPDATE alembic_version SET version_num = 'x'",
    "CREATE TABLE sneaky (id integer)",
    "ALTER TABLE patient ADD COLUMN sneaky integer",
    "DROP TABLE visit",
]


@pytest.fixture(scope="module")
def initialised() -> Iterator[tuple[str, str]]:
    """``desk init`` run with the owner's URL: (owner URL, workstation URL it printed)."""
    with scratch_pg_database("desk_priv") as owner_url:
        made = desk("init", "--db", owner_url, "--clinic-name", "Harbour", "--admin", "boss",
                    "--password-stdin", stdin=ADMIN_PW)
        assert made.returncode == 0, made.stderr
        line = next(x for x in made.stdout.splitlines() if x.startswith("Workstation login:"))
        role, password = line.removeprefix("Workstation login: user ").split(", password ")
        url = make_url(owner_url).set(username=role, password=password)
        try:
            yield owner_url, url.render_as_string(hide_password=False)
        finally:
            admin = create_engine(owner_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP OWNED BY "{role}"'))
                conn.execute(text(f'DROP ROLE "{role}"'))
            admin.dispose()


@pytest.mark.parametrize("statement", REFUSED_SQL)
def test_the_server_refuses_the_workstation_login_history_and_schema_changes(
    initialised: tuple[str, str], statement: str
) -> None:
    engine = create_engine(initialised[1])
    try:
        with (
            pytest.raises(ProgrammingError, match=r"permission denied|must be owner"),
            engine.begin() as conn,
        ):
            conn.execute(text(statement))
    finally:
        engine.dispose()


def test_the_workstation_login_works_the_clinic_and_the_server_chains_its_audit(
    initialised: tuple[str, str],
) -> None:
    engine = open_database(initialised[1])
    try:
        boss = _admin(engine)
        with clinic_flow.cheap_password_hashing():
            for name, role in (("admin", Role.ADMIN), ("rita", Role.RECEPTIONIST),
                               ("nina", Role.NURSE), ("cleo", Role.CLINICIAN),
                               ("walt", Role.NURSE)):
                staff.add_staff(boss, name, name.title(), frozenset({role}), clinic_flow.PASSWORD)
        consent.ensure_shipped_templates(boss)
        flow = clinic_flow.Flow(engine, "front-desk", random.Random(1))
        patient = flow.register(1).entity_id
        flow.screen(patient)
        visit = flow.book(patient, 1).entity_id
        while flow.advance(visit) is not None:
            pass
        count, problem = audit.verify(Desk(engine))
        assert problem is None and count > 10
        assert integrity.verify_database(Desk(engine)).problem is None
    finally:
        engine.dispose()


def test_admin_commands_on_a_shared_database_need_an_admins_sign_in(
    initialised: tuple[str, str],
) -> None:
    url = initialised[1]
    refused = desk("user", "add", "eve", "--role", "admin", "--db", url, "--password-stdin",
                   stdin="eve-password-12\n")
    assert_one_line_error(refused, "--as")
    wrong = desk("user", "add", "eve", "--role", "admin", "--as", "boss", "--db", url,
                 "--password-stdin", stdin="not-the-password\neve-password-12\n")
    assert_one_line_error(wrong, "user name or password")
    added = desk("user", "add", "eve", "--role", "admin", "--as", "boss", "--db", url,
                 "--password-stdin", stdin=ADMIN_PW + "eve-password-12\n")
    assert added.returncode == 0, added.stderr
    engine = open_database(url)
    try:
        newest = audit.browse(_admin(engine), audit.AuditFilter(action="staff.add"), limit=1)[0]
        assert newest.actor == "boss"
    finally:
        engine.dispose()
    assert_one_line_error(desk("user", "reset-password", "boss", "--db", url, "--password-stdin",
                               stdin="new-password-123\n"), "--as")


def test_settings_set_on_a_shared_database_needs_an_admins_sign_in(
    initialised: tuple[str, str],
) -> None:
    url = initialised[1]
    assert_one_line_error(desk("settings", "set", "idle_lock_minutes", "5", "--db", url), "--as")
    changed = desk("settings", "set", "idle_lock_minutes", "7", "--as", "boss", "--db", url,
                   stdin=ADMIN_PW)
    assert changed.returncode == 0, changed.stderr
    shown = desk("settings", "show", "--db", url)
    assert "idle_lock_minutes\t7.0" in shown.stdout.splitlines()
    engine = open_database(url)
    try:
        newest = audit.browse(_admin(engine), audit.AuditFilter(action="clinic.setting"),
                              limit=1)[0]
        assert newest.actor == "boss"
    finally:
        engine.dispose()


def _admin(engine: Engine) -> Desk:
    return Desk(engine).as_actor(clinic_flow.actor(engine, "boss"))
