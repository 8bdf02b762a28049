"""Per-workstation witness files of the audit chain heads, outside the database.

Each workstation appends the head it committed to a small file in its own data folder.
Someone who can write the database can recompute every hash of a rewritten chain, but
cannot reach every workstation's witness file: ``desk verify`` compares the two.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from desk.config import data_dir, private_dir
from desk.db.engine import sqlite_path
from desk.domain.witness import head_line, witnessed_heads

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WitnessFile:
    path: Path

    def record(self, seq: int, digest: str, *, restored: bool = False) -> None:
        """Append one head. The change is already committed: a full disk is logged, not raised."""
        try:
            private_dir(self.path.parent)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, head_line(seq, digest, restored=restored).encode("ascii"))
            finally:
                os.close(fd)
        except OSError as exc:
            log.warning("audit witness not written (%s)", exc.strerror)

    def heads(self) -> dict[int, str]:
        """The heads that count; {} when this workstation never wrote to the database."""
        try:
            text = self.path.read_text(encoding="ascii")
        except FileNotFoundError:
            return {}
        return witnessed_heads(text)


def database_identity(url: URL) -> str:
    """The same database however it is reached: the real file, or server/port/database."""
    path = sqlite_path(url)
    if path is not None:
        return f"sqlite:{path.resolve()}"
    return f"{url.get_backend_name()}://{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def witness_for(url: URL, folder: Path | None = None) -> WitnessFile:
    """This workstation's witness file for the database at ``url`` (named by a hash, no path)."""
    key = hashlib.sha256(database_identity(url).encode()).hexdigest()[:32]
    return WitnessFile((folder or data_dir() / "witness") / f"{key}.heads")
