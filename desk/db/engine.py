"""Engine set-up: SQLite with WAL, foreign keys and a busy timeout; PostgreSQL via psycopg 3."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from desk.config import workstation_name
from desk.domain.errors import DatabaseUnavailable

SQLITE_BUSY_TIMEOUT_MS = 15_000

# Execution option that makes a SQLite transaction take the write lock at BEGIN, so two
# workstations never both read-then-write and fail with SQLITE_BUSY half-way.
IMMEDIATE = {"sqlite_begin": "IMMEDIATE"}


def parse_url(text: str) -> URL:
    """A SQLAlchemy URL from user input; DatabaseUnavailable with one sentence if bad."""
    try:
        url = make_url(text.strip())
    except ArgumentError:
        raise DatabaseUnavailable(f"'{_redact(text)}' is not a valid database URL.") from None
    except ValueError:  # make_url's int() of a port that is not a number
        raise DatabaseUnavailable(
            "The database URL is not valid: the port after the host name must be a number."
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseUnavailable(
            f"Database type '{url.get_backend_name()}' is not supported; use SQLite or PostgreSQL."
        )
    if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("", "psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def _redact(text: str) -> str:
    try:
        return make_url(text).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(unreadable)"


def describe(url: URL) -> str:
    """Where the database is, for the status bar: a file path or host/database, no password."""
    if url.get_backend_name() == "sqlite":
        return url.database or "(in memory)"
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def sqlite_path(url: URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def check_sqlite_folder(path: Path) -> None:
    """DatabaseUnavailable when ``path``'s folder does not exist (a mistyped ``--db``).

    Only the desk's own data folder is created on demand: a typo must not grow a tree of
    folders with an empty clinic database at its end.
    """
    from desk.config import data_dir

    folder = path.parent
    if not folder.is_dir() and folder.resolve() != data_dir().resolve():
        raise DatabaseUnavailable(
            f"The folder {folder} does not exist; check the database path or create it first."
        )


def ensure_private_sqlite_file(path: Path) -> None:
    """Create the folder (0700) and file (0600) before SQLite does, so PHI is owner-only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    if os.name == "posix":
        os.chmod(path, 0o600)


def make_engine(url: URL | str, **kwargs: Any) -> Engine:
    url = parse_url(url) if isinstance(url, str) else url
    try:
        if url.get_backend_name() == "sqlite":
            return _sqlite_engine(url, **kwargs)
        # The workstation's name on every connection: pg_stat_activity and the server's
        # log then say which PC a connection (or a long-held lock) belongs to.
        connect_args = {"application_name": workstation_name(), **kwargs.pop("connect_args", {})}
        return create_engine(
            url, pool_pre_ping=True, hide_parameters=True, connect_args=connect_args, **kwargs
        )
    except NoSuchModuleError:
        raise DatabaseUnavailable(f"No driver for '{url.drivername}'.") from None


def _sqlite_engine(url: URL, **kwargs: Any) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        check_sqlite_folder(path)
        ensure_private_sqlite_file(path)
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        hide_parameters=True,  # SQL parameters are PHI: keep them out of errors and logs
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so BEGIN is ours (see "begin").
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # FULL: a committed transaction survives a power cut, not only a crash.
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine
