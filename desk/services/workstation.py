"""Setting up a new workstation: check a clinic database read-only, then remember it.

``probe_database`` opens the database without migrating it: an older schema is upgraded
only when the desk really starts (a shared server's only with an admin's confirmation or
``desk migrate``), never by a probe.
``save_connection`` writes the URL *without* its password to the config file and puts the
password in the operating system's keyring when one is available.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from desk import config
from desk.db import migrate
from desk.db.engine import describe, make_engine, parse_url, sqlite_path
from desk.db.models import ClinicSettings, Staff
from desk.domain.errors import DatabaseUnavailable, DeskError, SchemaTooNew, ValidationError
from desk.services.database import connection_error_text

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 5
MAX_WORKSTATION_NAME = 120  # the width of the audit and "updated_workstation" columns
SSL_MODES = config.SSL_MODES
PASSWORD_MODES = config.PASSWORD_MODES


@dataclass(frozen=True)
class ProbeResult:
    """What a reachable clinic database says about itself."""

    clinic_name: str
    location: str
    # False: this workstation's version will upgrade the schema when the desk starts.
    schema_current: bool


@dataclass(frozen=True)
class SavedConnection:
    config_file: str
    # "keyring": the password is in the OS keyring; "ask": asked for at every start;
    # "none": the server needs no password.
    password_storage: str
    # The URL to start this session with: includes the password, kept in memory only.
    session_url: str = field(repr=False)


@dataclass(frozen=True)
class ConnectionDetails:
    """What the connect form holds: a database server, or a database file (``file_path``)."""

    host: str = ""
    port: int = 5432
    database: str = ""
    user: str = ""
    password: str = ""
    sslmode: str = "prefer"
    # The certificate of the authority that signed the server's (needed for verify-full).
    ca_file: str = ""
    file_path: str = ""

    @property
    def is_file(self) -> bool:
        return bool(self.file_path.strip())


def details_url(details: ConnectionDetails) -> URL:
    """The URL the form describes; ValidationError naming the field when it is incomplete."""
    if details.is_file:
        return URL.create("sqlite", database=details.file_path.strip())
    checks = (("host", details.host, "Enter the database server's name or address."),
              ("database", details.database, "Enter the database name."),
              ("user", details.user, "Enter the database user name."))
    for field_name, value, message in checks:
        if not value.strip():
            raise ValidationError(message, field_name)
    if not 1 <= details.port <= 65535:
        raise ValidationError("The port is a number between 1 and 65535.", "port")
    if details.sslmode not in SSL_MODES:
        raise ValidationError(f"Choose an SSL mode: {', '.join(SSL_MODES)}.", "sslmode")
    query = {"sslmode": details.sslmode}
    if details.sslmode == "verify-full":
        query["sslrootcert"] = _checked_ca_file(details.ca_file)
    return URL.create(
        "postgresql+psycopg",
        username=details.user.strip(),
        password=details.password or None,
        host=details.host.strip(),
        port=details.port,
        database=details.database.strip(),
        query=query,
    )


def _checked_ca_file(ca_file: str) -> str:
    path = ca_file.strip()
    if not path:
        raise ValidationError(
            "Verify full needs the clinic's CA certificate file (from IT).", "ca_file"
        )
    if not Path(path).is_file():
        raise ValidationError(f"There is no CA certificate file at {path}.", "ca_file")
    return str(Path(path).resolve())


def details_from_url(url_text: str) -> ConnectionDetails | None:
    """The form for a saved URL (password left out); None when it cannot be read."""
    try:
        url = parse_url(url_text)
    except DeskError:
        return None
    if url.get_backend_name() == "sqlite":
        return ConnectionDetails(file_path=url.database or "")
    query = {key: str(value) for key, value in url.query.items()}
    return ConnectionDetails(
        host=url.host or "",
        port=url.port or 5432,
        database=url.database or "",
        user=url.username or "",
        sslmode=query.get("sslmode", "prefer"),
        ca_file=query.get("sslrootcert", ""),
    )


def location(details: ConnectionDetails) -> str:
    """Where the form points, for messages ("host:5432/db" or the file), never a password."""
    return describe(details_url(details))


def probe_database(url: str | URL | ConnectionDetails) -> ProbeResult:
    """The clinic found at ``url``, read-only; a DeskError with one clear sentence if none."""
    if isinstance(url, ConnectionDetails):
        parsed = details_url(url)
    else:
        parsed = parse_url(url) if isinstance(url, str) else url
    try:
        engine = _probe_engine(parsed)
    except DeskError as exc:
        log.info("connection test to %s failed: %s", describe(parsed), exc)
        raise
    try:
        return _read_clinic(engine, parsed)
    except OperationalError as exc:
        text = _connection_text(parsed, exc)
        log.info("connection test to %s failed: %s", describe(parsed), text)
        raise DatabaseUnavailable(text) from None
    except SQLAlchemyError:
        log.info("connection test to %s: not an Infusion Desk database", describe(parsed))
        raise DatabaseUnavailable(_not_ours(parsed)) from None
    except DeskError as exc:
        log.info("connection test to %s failed: %s", describe(parsed), exc)
        raise
    finally:
        engine.dispose()


def _probe_engine(url: URL) -> Engine:
    path = sqlite_path(url)
    if url.get_backend_name() == "sqlite":
        # make_engine would create a missing file: a typo must not leave an empty database.
        if path is None or not path.is_file():
            raise DatabaseUnavailable(f"There is no database file at {describe(url)}.")
        return make_engine(url)
    return make_engine(url, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})


def _read_clinic(engine: Engine, url: URL) -> ProbeResult:
    with engine.connect() as conn:
        if not inspect(conn).has_table("clinic_settings"):
            raise DatabaseUnavailable(_not_ours(url))
        name = conn.execute(select(ClinicSettings.name).where(ClinicSettings.id == 1)).scalar()
        staff = conn.execute(select(func.count()).select_from(Staff)).scalar_one()
    if not name or not staff:
        raise DatabaseUnavailable(
            f"The database at {describe(url)} has no clinic set up yet. Set up the clinic "
            "first (choose “New clinic”), or check the database name."
        )
    revision = migrate.current_revision(engine)
    if revision is not None and revision not in migrate.known_revisions():
        raise SchemaTooNew(migrate.too_new_text(engine, revision))
    return ProbeResult(name, describe(url), revision == migrate.head_revision())


def _not_ours(url: URL) -> str:
    return f"The database at {describe(url)} is not an Infusion Desk database."


def _connection_text(url: URL, exc: OperationalError) -> str:
    detail = str(exc.orig).lower() if exc.orig is not None else ""
    # An unknown user reads "role ... does not exist", which is a refused login, not a
    # missing database.
    if "role" in detail and "does not exist" in detail:
        return f"The database at {url.host or 'the server'} refused the user name or password."
    if "timeout" in detail or "timed out" in detail or "connection refused" in detail:
        return (
            f"Cannot reach the database server at {url.host}:{url.port or 5432}. "
            "Check the address and the network, or ask IT."
        )
    return connection_error_text(url, exc)


def save_connection(
    details: ConnectionDetails, workstation_name: str, password_mode: str | None = None
) -> SavedConnection:
    """Remember the database for this workstation (password to the keyring, never the file).

    ``password_mode`` None: the keyring when it works, else asked at every start (the
    dialog); "keyring" insists on a working keyring; "ask" keeps the password nowhere.
    Call only after a successful ``probe_database``: nothing checks the database here.
    """
    url = details_url(details)
    name = workstation_name.strip()
    if not name:
        raise ValidationError("Enter a name for this workstation.", "workstation")
    if len(name) > MAX_WORKSTATION_NAME:
        raise ValidationError(
            f"The workstation name is longer than {MAX_WORKSTATION_NAME} characters.",
            "workstation",
        )
    storage = _store_password(url, password_mode)
    config.write_config("workstation", {"name": name})
    path = config.write_config("database", {"url": _without_password(url), "password": storage})
    return SavedConnection(str(path), storage, url.render_as_string(hide_password=False))


def _store_password(url: URL, password_mode: str | None) -> str:
    if password_mode not in (None, *PASSWORD_MODES):
        raise ValidationError(f"The password mode is one of {', '.join(PASSWORD_MODES)}.", "mode")
    if not url.password or password_mode == "none":
        return "none"
    if password_mode == "ask":
        return "ask"
    if config.store_password(url, str(url.password)):
        return "keyring"
    if password_mode == "keyring":
        raise ValidationError(
            "This account has no working keyring to keep the password in; "
            "use the password mode “ask” (typed at every start) instead.",
            "mode",
        )
    return "ask"


def connect_and_save(
    details: ConnectionDetails, workstation_name: str, password_mode: str | None = None
) -> tuple[ProbeResult, SavedConnection]:
    """Probe, then save only if an Infusion Desk clinic answered."""
    found = probe_database(details)
    return found, save_connection(details, workstation_name, password_mode)


def password_question(url_text: str) -> str:
    """The question asked at start when the password is in no keyring."""
    url = parse_url(url_text)
    return f"Password of the database user “{url.username}” on {describe(url)}:"


def with_password(url_text: str, password: str) -> str:
    """``url_text`` with ``password`` (kept in memory for this session only)."""
    url = parse_url(url_text).set(password=password or None)
    return url.render_as_string(hide_password=False)


def _without_password(url: URL) -> str:
    # URL.set() reads password=None as "leave it as it is": replace the field itself.
    return url._replace(password=None).render_as_string(hide_password=False)
