"""Backups and restores of a SQLite clinic database, with a checksum beside each backup.

SQLite's online backup API copies a consistent snapshot while other desks keep working.
A restore verifies the source first (checksum, integrity check, that it is an Infusion
Desk database not newer than this code) and refuses while any desk has the database open.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL

from desk.db import migrate
from desk.db.engine import ensure_private_sqlite_file, sqlite_path
from desk.db.inuse import in_use_lock
from desk.domain.errors import DeskError, SchemaTooNew

CHECKSUM_SUFFIX = ".sha256"


class BackupError(DeskError):
    """A backup or restore that cannot be done; nothing was changed."""


def _require_sqlite(url: URL) -> Path:
    path = sqlite_path(url)
    if path is None:
        if url.get_backend_name() == "postgresql":
            raise BackupError(
                "This clinic uses a PostgreSQL server: back it up on the server with "
                f"pg_dump (for example: pg_dump -Fc -h {url.host or 'localhost'} "
                f"{url.database or ''} > clinic.dump)."
            )
        raise BackupError("Only a database file can be backed up from the desk.")
    return path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(url: URL, dest: Path) -> str:
    """Copy the live database to ``dest`` (owner-only) and write ``dest.sha256``."""
    src = _require_sqlite(url)
    if not src.exists():
        raise BackupError(f"There is no database file at {src}.")
    if dest.exists() and dest.is_dir():
        raise BackupError(f"{dest} is a folder; give a file name for the backup.")
    if not dest.parent.is_dir():
        raise BackupError(f"The folder {dest.parent} does not exist.")
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    ensure_private_sqlite_file(tmp)
    with _connect(src) as source, _connect(tmp) as target:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # a self-contained single file
    os.replace(tmp, dest)
    checksum = sha256_file(dest)
    Path(str(dest) + CHECKSUM_SUFFIX).write_text(f"{checksum}  {dest.name}\n", encoding="ascii")
    return checksum


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path, timeout=15)
    try:
        yield conn
    finally:
        conn.close()


def verify_backup(src: Path) -> None:
    """BackupError unless ``src`` is an intact Infusion Desk database we can restore."""
    if not src.is_file():
        raise BackupError(f"There is no backup file at {src}.")
    with open(src, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{src.name} is not a database backup.")
    checksum_file = Path(str(src) + CHECKSUM_SUFFIX)
    if checksum_file.exists():
        expected = checksum_file.read_text(encoding="ascii").split()[0]
        if sha256_file(src) != expected:
            raise BackupError(f"{src.name} does not match its checksum: the file is damaged.")
    try:
        with _connect(src) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise BackupError(f"{src.name} failed the integrity check: the file is damaged.")
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        raise BackupError(
            f"{src.name} is not an Infusion Desk database (or it is damaged)."
        ) from None
    if revision is None:
        raise BackupError(f"{src.name} is not an Infusion Desk database.")
    if revision[0] not in migrate.known_revisions():
        raise SchemaTooNew(f"{src.name} comes from a newer version of Infusion Desk.")


def restore(url: URL, src: Path) -> None:
    """Replace the clinic database with ``src`` after verifying it."""
    target = _require_sqlite(url)
    verify_backup(src)
    with in_use_lock(target, exclusive=True):
        tmp = target.with_name(target.name + ".restore")
        tmp.unlink(missing_ok=True)
        ensure_private_sqlite_file(tmp)
        with _connect(src) as source, _connect(tmp) as copy:
            source.backup(copy)
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        os.replace(tmp, target)
