"""Run the Alembic migrations shipped inside the package, refusing a newer database.

Every upgrade is recorded in ``schema_upgrade`` (desk version, time, workstation) in the
same transaction, so a desk that is too old for the database can say which version it
needs and who upgraded: "This workstation needs version 0.2.0 (the clinic's database was
upgraded on 11/28/2026 by FRONT-DESK-1)".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from desk import __version__
from desk.domain.errors import SchemaTooNew
from desk.domain.policy import ClinicPolicy

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
FALLBACK_DATE_FORMAT = "%Y-%m-%d"


def _config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def needs_upgrade(engine: Engine) -> bool:
    """True when the database holds a schema older than this desk's (not an empty one)."""
    current = current_revision(engine)
    return current is not None and current != head_revision()


def check_not_too_new(engine: Engine) -> None:
    """SchemaTooNew, saying which version the database needs, if it is ahead of us."""
    current = current_revision(engine)
    if current is not None and current not in known_revisions():
        raise SchemaTooNew(too_new_text(engine, current))


def upgrade(engine: Engine, revision: str = "head", *, workstation: str = "") -> None:
    """Bring the schema up to ``revision``; SchemaTooNew if the database is ahead of us."""
    check_not_too_new(engine)
    before = current_revision(engine)
    with engine.connect() as conn, _foreign_keys_deferred(conn), conn.begin():
        command.upgrade(_config(conn), revision)
        _check_foreign_keys(conn)
        after = MigrationContext.configure(conn).get_current_revision()
        if after != before and after is not None and inspect(conn).has_table("schema_upgrade"):
            conn.execute(
                text(
                    "INSERT INTO schema_upgrade (revision, app_version, upgraded_at, workstation)"
                    " VALUES (:revision, :version, :at, :workstation)"
                ),
                {
                    "revision": after,
                    "version": __version__,
                    "at": datetime.now(UTC).replace(tzinfo=None),
                    "workstation": workstation[:120],
                },
            )


@contextmanager
def _foreign_keys_deferred(conn: Connection) -> Iterator[None]:
    """SQLite: foreign keys off while migrations rebuild tables, on again afterwards.

    A batch migration rebuilds a table (copy, drop, rename); with foreign keys enforced,
    dropping a table that other rows point at fails, so upgrading a clinic's database
    with visits in it would. The pragma only works outside a transaction: it is set on
    the driver's connection before the migration's transaction begins.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(conn: Connection) -> None:
    """Refuse (and roll back) an upgrade that left a row pointing at nothing."""
    if conn.dialect.name == "sqlite" and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
        raise RuntimeError("the schema upgrade left rows whose references point at nothing")


def too_new_text(engine: Engine, current: str) -> str:
    """What an older desk says about a database upgraded by a newer version."""
    how = (
        " Ask IT to install the new version on this workstation (every workstation of "
        "the clinic needs the same version)."
    )
    with engine.connect() as conn:
        if not inspect(conn).has_table("schema_upgrade"):
            return (
                "This database was upgraded by a newer version of Infusion Desk "
                f"(schema {current})." + how
            )
        # Columns by name, no model: this code must read what newer versions write.
        row = conn.execute(
            text(
                "SELECT app_version, upgraded_at, workstation FROM schema_upgrade"
                " ORDER BY id DESC LIMIT 1"
            )
        ).first()
        date_format = _clinic_date_format(conn)
    if row is None:
        return f"This database was upgraded by a newer version of Infusion Desk.{how}"
    version, at, workstation = row
    at = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    day = at.replace(tzinfo=UTC).astimezone().strftime(date_format)
    return (
        f"This workstation needs version {version} (the clinic's database was upgraded on "
        f"{day} by {workstation or 'another workstation'}).{how}"
    )


def _clinic_date_format(conn: Connection) -> str:
    """The clinic's date format; ISO when a newer schema keeps it elsewhere."""
    try:
        raw = conn.execute(text("SELECT policy_json FROM clinic_settings WHERE id = 1")).scalar()
        value = json.loads(raw or "{}").get("date_format", ClinicPolicy().date_format)
    except Exception:  # any shape a newer version may have: never fail the message itself
        return FALLBACK_DATE_FORMAT
    return value if isinstance(value, str) and value else FALLBACK_DATE_FORMAT
