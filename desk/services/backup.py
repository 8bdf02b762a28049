"""Backups and restores of a SQLite clinic database, with a checksum beside each backup.

SQLite's online backup API copies a consistent snapshot while other desks keep working.
A restore verifies the source first (checksum when there is one, then every ``desk
verify`` check on a copy) and refuses while any desk process has the database open.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError

from desk.db import migrate
from desk.db.engine import ensure_private_sqlite_file, make_engine, sqlite_path
from desk.db.inuse import in_use_lock, real_database_file
from desk.domain.errors import DeskError, SchemaTooNew
from desk.domain.witness import WitnessUnreadable, head_line, parse_head
from desk.services.witness import WitnessFile

CHECKSUM_SUFFIX = ".sha256"
HEAD_PREFIX = "audit-head"
MAX_SIDECAR_BYTES = 4096
_SHA256 = re.compile(r"[0-9a-f]{64}")


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
    """Copy the live database to ``dest`` (owner-only) and write ``dest.sha256``.

    The sidecar carries the file's SHA-256 and the audit chain's head at the time of the
    backup: a head kept outside the database, which ``desk verify --sidecar`` compares.
    """
    src = real_database_file(_require_sqlite(url))
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
        head = target.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    os.replace(tmp, dest)
    checksum = sha256_file(dest)
    lines = f"{checksum}  {dest.name}\n"
    if head is not None:
        lines += f"{HEAD_PREFIX} {head_line(int(head[0]), str(head[1]))}"
    Path(str(dest) + CHECKSUM_SUFFIX).write_text(lines, encoding="ascii")
    return checksum


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path, timeout=15)
    try:
        yield conn
    finally:
        conn.close()


@dataclass(frozen=True)
class Sidecar:
    """What a backup's ``.sha256`` file says: the file's checksum and the audit head."""

    checksum: str
    head: tuple[int, str] | None


def read_sidecar(path: Path) -> Sidecar:
    """BackupError for a sidecar that is missing, a folder, empty, binary or garbled."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_SIDECAR_BYTES + 1)
    except FileNotFoundError:
        raise BackupError(f"There is no checksum file {path}.") from None
    except OSError:
        raise BackupError(f"The checksum file {path} cannot be read (is it a folder?).") from None
    unreadable = BackupError(f"The checksum file {path.name} is empty or not a checksum file.")
    try:
        lines = raw.decode("ascii").splitlines()
    except UnicodeDecodeError:
        raise unreadable from None
    words = lines[0].split() if lines and len(raw) <= MAX_SIDECAR_BYTES else []
    if not words or not _SHA256.fullmatch(words[0]):
        raise unreadable
    head = None
    for line in lines[1:]:
        if line.startswith(HEAD_PREFIX + " "):
            try:
                head = parse_head(line[len(HEAD_PREFIX) + 1 :])
            except WitnessUnreadable:
                raise unreadable from None
    return Sidecar(words[0], head)


def verify_backup(src: Path) -> None:
    """BackupError unless ``src`` is an intact Infusion Desk database we can restore.

    Checks the file's kind and, when there is one, its ``.sha256``; then copies it aside
    and runs every ``desk verify`` check on the copy (a backup with no sidecar is checked
    as thoroughly as one with it).
    """
    with (
        tempfile.TemporaryDirectory(prefix="desk-verify-") as folder,
        _checked_copy(src, Path(folder) / "backup.sqlite3"),
    ):
        pass


@contextmanager
def _checked_copy(src: Path, copy: Path) -> Iterator[Path]:
    """``src`` copied to ``copy`` (owner-only) and verified; the copy is removed on failure."""
    _check_kind(src)
    sidecar_path = Path(str(src) + CHECKSUM_SUFFIX)
    sidecar = read_sidecar(sidecar_path) if sidecar_path.exists() else None
    if sidecar is not None and sha256_file(src) != sidecar.checksum:
        raise BackupError(f"{src.name} does not match its checksum: the file is damaged.")
    ensure_private_sqlite_file(copy)
    try:
        try:
            with _connect(src) as source, _connect(copy) as target:
                source.backup(target)
        except sqlite3.DatabaseError:
            raise BackupError(
                f"{src.name} is not an Infusion Desk database (or it is damaged)."
            ) from None
        _verify_copy(src.name, copy, sidecar.head if sidecar else None)
        yield copy
    except BaseException:
        _remove_database_files(copy)
        raise


def _check_kind(src: Path) -> None:
    if not src.is_file():
        raise BackupError(f"There is no backup file at {src}.")
    with open(src, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{src.name} is not a database backup.")


def _verify_copy(name: str, copy: Path, head: tuple[int, str] | None) -> None:
    from desk.services.context import Desk
    from desk.services.integrity import verify_database

    try:
        with _connect(copy) as conn:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        raise BackupError(f"{name} is not an Infusion Desk database (or it is damaged).") from None
    if revision is None:
        raise BackupError(f"{name} is not an Infusion Desk database.")
    if revision[0] not in migrate.known_revisions():
        raise SchemaTooNew(f"{name} comes from a newer version of Infusion Desk.")
    engine = make_engine(f"sqlite:///{copy}")
    try:
        # The sidecar's head, kept outside the file, must be in the chain and be its end.
        report = verify_database(Desk(engine), dict([head]) if head else None)
    except DatabaseError:
        raise BackupError(f"{name} is damaged (it cannot be read).") from None
    finally:
        engine.dispose()
    if report.problem is not None:
        raise BackupError(f"{name} failed verification: {report.problem}.")


def _remove_database_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def restore(url: URL, src: Path, witness: WitnessFile | None = None) -> None:
    """Replace the clinic database with ``src`` after verifying it.

    The real file is replaced (a symlinked database path is followed, never replaced by
    a file), by a rename in its own folder: a crash leaves the old database or the new
    one, never a mix. Refused while any desk process holds the in-use lock.
    """
    target = real_database_file(_require_sqlite(url))
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    with in_use_lock(target, exclusive=True):
        staged = target.with_name(target.name + ".restore")
        _remove_database_files(staged)
        with _checked_copy(src, staged) as copy:
            head = _head_of_file(copy)
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            os.replace(copy, target)
    if witness is not None and head is not None:
        witness.record(*head, restored=True)


def _head_of_file(path: Path) -> tuple[int, str] | None:
    with _connect(path) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to rename
        row = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    return (int(row[0]), str(row[1])) if row else None
