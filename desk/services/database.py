"""Opening the clinic database: engine, migrations, clear errors."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError

from desk import __version__
from desk.config import workstation_name
from desk.db import migrate
from desk.db.engine import describe, make_engine, parse_url, sqlite_path
from desk.domain.errors import (
    DatabaseLoginRefused,
    DatabaseUnavailable,
    NotPermitted,
    SignInFailed,
    UpgradeNeedsConfirmation,
    ValidationError,
)

log = logging.getLogger(__name__)


def open_database(
    url: str | URL, *, upgrade: bool = True, create: bool = True, confirmed_upgrade: bool = False
) -> Engine:
    """An engine on ``url`` with the schema at the code's head revision.

    ``create=False`` refuses a SQLite file that does not exist yet instead of creating it.
    A shared (PostgreSQL) database that holds an older schema is upgraded only with
    ``confirmed_upgrade``: every other workstation must be updated when it is, so an admin
    (or IT with ``desk migrate``) decides when. Raises DatabaseUnavailable (cannot connect,
    bad URL, DatabaseLoginRefused), SchemaTooNew or UpgradeNeedsConfirmation.
    """
    parsed = parse_url(url) if isinstance(url, str) else url
    path = sqlite_path(parsed)
    if not create and path is not None and not path.is_file():
        raise DatabaseUnavailable(f"There is no clinic database at {path}.")
    engine = make_engine(parsed)
    try:
        if upgrade:
            _upgrade(engine, confirmed_upgrade)
        else:
            with engine.connect():
                pass
    except DatabaseError as exc:  # OperationalError, and "file is not a database"
        engine.dispose()
        text = connection_error_text(parsed, exc)
        log.info("cannot open the database at %s: %s", describe(parsed), text)
        if _login_refused(exc):
            raise DatabaseLoginRefused(text) from None
        raise DatabaseUnavailable(text) from None
    except BaseException:
        engine.dispose()
        raise
    return engine


def _upgrade(engine: Engine, confirmed: bool) -> None:
    migrate.check_not_too_new(engine)
    shared = engine.dialect.name == "postgresql"
    if shared and not confirmed and migrate.needs_upgrade(engine):
        raise UpgradeNeedsConfirmation(
            f"The clinic's database must be upgraded for Infusion Desk {__version__}. "
            "Once it is, every other workstation needs this version too. An admin can "
            "confirm the upgrade here, or IT runs 'desk migrate'."
        )
    before = migrate.current_revision(engine)
    migrate.upgrade(engine, workstation=workstation_name())
    if before is not None and before != migrate.head_revision():
        log.info("upgraded the database schema %s -> %s", before, migrate.head_revision())


def _login_refused(exc: DatabaseError) -> bool:
    detail = str(exc.orig).lower() if exc.orig is not None else ""
    return "password" in detail or "authentication" in detail or (
        "role" in detail and "does not exist" in detail
    )


def connection_error_text(url: URL, exc: DatabaseError) -> str:
    detail = str(exc.orig).lower() if exc.orig is not None else ""
    where = url.host or url.database or "the database"
    # An unknown user reads "role ... does not exist": a refused login, not a missing database.
    if _login_refused(exc):
        return f"The database at {where} refused the user name or password."
    if "invalid sslmode" in detail:
        return (
            "The database URL has an unknown sslmode; use disable, prefer, require, "
            "verify-ca or verify-full."
        )
    if "translate host name" in detail or "name or service not known" in detail:
        # Not "cannot reach": the name itself is wrong (a typo), not the network.
        return (
            f"No computer called “{url.host}” is known on this network. Check the server's "
            "name (or enter its address, e.g. 192.168.1.20)."
        )
    if "root certificate file" in detail:
        return (
            f"The CA certificate file {url.query.get('sslrootcert', '')} cannot be read; "
            "check the file IT gave you."
        )
    if "certificate" in detail:
        return (
            f"The database server at {where} did not prove who it is (its certificate does "
            "not match the CA certificate file or the server name); ask IT."
        )
    if "ssl" in detail:
        return (
            f"The database server at {where} and this desk disagree about encryption "
            f"(SSL mode “{url.query.get('sslmode', 'prefer')}”); ask IT whether the server "
            "offers SSL, then choose the SSL mode to match."
        )
    if "does not exist" in detail:
        return f"The database '{url.database}' does not exist on {where}."
    if "permission denied" in detail or "must be owner" in detail:
        return (
            f"This login may not change the database at {where}: the upgrade to this version "
            "must be run once with the database owner's login (ask IT)."
        )
    if "not a database" in detail or "malformed" in detail:
        return f"{where} is not an Infusion Desk database (or it is damaged)."
    if url.get_backend_name() == "sqlite":
        return f"The database file {where} cannot be opened."
    return f"Cannot reach the database server at {where}. Check the network or ask IT."


def is_initialised(engine: Engine) -> bool:
    """True once the first-run setup has created the clinic."""
    from sqlalchemy import func, select

    from desk.db.models import ClinicSettings, Staff

    if not inspect(engine).has_table("clinic_settings"):
        return False
    with engine.connect() as conn:
        clinics = conn.execute(select(func.count()).select_from(ClinicSettings)).scalar_one()
        staff = conn.execute(select(func.count()).select_from(Staff)).scalar_one()
    return bool(clinics and staff)


def location_text(engine: Engine) -> str:
    """Where the database is, for the status bar: a file path or host/database, no password."""
    return describe(engine.url)


def database_exists(url: str | URL) -> bool:
    """False only for a SQLite file that is not there yet (nothing is created here)."""
    path = sqlite_path(parse_url(url) if isinstance(url, str) else url)
    return path is None or path.is_file()


def make_database_folder(url: str | URL) -> None:
    """Make a SQLite file's folder (owner-only) for a new clinic created there on purpose.

    The engine refuses a missing folder otherwise: a mistyped ``--db`` must not grow a tree
    of folders with an empty clinic database at its end.
    """
    path = sqlite_path(parse_url(url) if isinstance(url, str) else url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)


def upgrade_confirmed_by_admin(url: str | URL, username: str, password: str) -> None:
    """Upgrade a shared database's schema after checking an admin's user name and password.

    The check reads only columns every schema version has (the models describe the newest
    one), so it works before the upgrade. NotPermitted when the person is no active admin.
    """
    from sqlalchemy import select

    from desk.db.models import Staff
    from desk.domain.accounts import roles_from_text
    from desk.domain.roles import Role
    from desk.services import passwords

    engine = open_database(url, upgrade=False)
    try:
        migrate.check_not_too_new(engine)
        with engine.connect() as conn:
            row = conn.execute(
                select(Staff.id, Staff.password_hash, Staff.roles, Staff.disabled).where(
                    Staff.username == username.strip().lower()
                )
            ).first()
        hashed = row.password_hash if row is not None else None
        if not passwords.verify(hashed, password) or row is None or row.disabled:
            raise SignInFailed()
        if Role.ADMIN not in roles_from_text(row.roles):
            raise NotPermitted("Only a clinic admin can confirm the database upgrade.")
        try:
            _upgrade(engine, confirmed=True)
        except DatabaseError as exc:  # the workstation login may not change the schema
            raise DatabaseUnavailable(connection_error_text(engine.url, exc)) from None
        log.info("database upgrade confirmed by staff id %s", row.id)
    finally:
        engine.dispose()
def create_workstation_login(engine: Engine, role: str | None = None) -> tuple[str, str]:
    """PostgreSQL: create the workstations' login role; ``(role, password)``.

    Run with the owner's login (the one that migrated the database). See ``desk.db.pg_roles``
    for what the role may and may not do.
    """
    from sqlalchemy.exc import ProgrammingError

    from desk.db import pg_roles

    name = role or pg_roles.default_role_name(engine.url.database or "clinic")
    try:
        with engine.begin() as conn:
            password = pg_roles.create_workstation_role(conn, name)
    except ValueError as exc:
        raise ValidationError(f"'{name}' cannot be a login name: {exc}.", "role") from None
    except ProgrammingError as exc:
        detail = str(exc.orig).lower() if exc.orig is not None else ""
        if "already exists" in detail:
            raise ValidationError(
                f"The database server already has a login '{name}'; give another name with "
                "--workstation-role.",
                "role",
            ) from None
        raise DatabaseUnavailable(
            "This login may not create the workstation login: run 'desk init' with the "
            "database owner's login (one that may create roles)."
        ) from None
    return name, password
