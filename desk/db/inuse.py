"""An OS file lock that says "a desk has this SQLite database open" (no SQLAlchemy import).

Shared while any desk process that writes runs (the GUI and every CLI command that opens
the database); exclusive for a restore. The lock sits beside the *real* file (symlinks
resolved), so a desk opened through a link and a restore given the real path still meet.
The OS drops the lock when a desk process dies, so a crash never blocks a restore.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desk.domain.errors import DatabaseUnavailable, DeskError


class DatabaseInUse(DeskError):
    """Another desk on this computer has the database open."""


def sqlite_file_from_url(url: str) -> Path | None:
    """The file of a ``sqlite:///path`` URL, without parsing it with SQLAlchemy."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url[len(prefix) :] in ("", ":memory:"):
        return None
    return Path(url[len(prefix) :])


def real_database_file(db_file: Path) -> Path:
    """``db_file`` with every symlink resolved; DatabaseUnavailable for a dangling link."""
    try:
        real = db_file.resolve(strict=db_file.is_symlink())
    except (OSError, RuntimeError):
        raise DatabaseUnavailable(
            f"The database path {db_file} is a link that leads nowhere; fix or remove the link."
        ) from None
    return real


@contextmanager
def in_use_lock(db_file: Path, *, exclusive: bool) -> Iterator[None]:
    lock_path = Path(str(real_database_file(db_file)) + ".inuse")
    lock_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        _lock(fd, exclusive=exclusive)
        yield
    finally:
        os.close(fd)


def _lock(fd: int, *, exclusive: bool) -> None:
    if os.name != "posix":
        return  # Windows keeps open files from being replaced: the restore's rename fails
    import fcntl

    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        if exclusive:
            raise DatabaseInUse(
                "The database is open in Infusion Desk on this computer (a desk window or a "
                "desk command): close it first."
            ) from None
        raise DatabaseInUse(
            "The database is being restored from a backup; try again when that is done."
        ) from None
    except OSError as exc:
        raise DatabaseUnavailable(f"Cannot lock the database file: {exc.strerror}.") from None
