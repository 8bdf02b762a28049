"""Opening the clinic database: engine, migrations, clear errors."""

from __future__ import annotations

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError

from desk.db import migrate
from desk.db.engine import describe, make_engine, parse_url
from desk.domain.errors import DatabaseUnavailable, ValidationError


def open_database(url: str | URL, *, upgrade: bool = True) -> Engine:
    """An engine on ``url`` with the schema at the code's head revision.

    Raises DatabaseUnavailable (cannot connect, bad URL) or SchemaTooNew.
    """
    parsed = parse_url(url) if isinstance(url, str) else url
    engine = make_engine(parsed)
    try:
        if upgrade:
            migrate.upgrade(engine)
        else:
            with engine.connect():
                pass
    except DatabaseError as exc:  # OperationalError, and "file is not a database"
        engine.dispose()
        raise DatabaseUnavailable(connection_error_text(parsed, exc)) from None
    except BaseException:
        engine.dispose()
        raise
    return engine


def connection_error_text(url: URL, exc: DatabaseError) -> str:
    detail = str(exc.orig).lower() if exc.orig is not None else ""
    where = url.host or url.database or "the database"
    # An unknown user reads "role ... does not exist": a refused login, not a missing database.
    if "password" in detail or "authentication" in detail or (
        "role" in detail and "does not exist" in detail
    ):
        return f"The database at {where} refused the user name or password."
    if "invalid sslmode" in detail:
        return (
            "The database URL has an unknown sslmode; use disable, prefer, require, "
            "verify-ca or verify-full."
        )
    if "ssl" in detail:
        return (
            f"The database server at {where} and this desk disagree about encryption "
            f"(sslmode={url.query.get('sslmode', 'prefer')}); ask IT to check the server's "
            "SSL set-up or the sslmode in the database URL."
        )
    if "does not exist" in detail:
        return f"The database '{url.database}' does not exist on {where}."
    if "permission denied" in detail:
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
