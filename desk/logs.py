"""Application logging to a rotating file in the data folder. Never log PHI.

Log lines carry ids, actions and counts only: names, dates of birth, phone numbers and
free text stay in the database. SQLAlchemy is set up with ``hide_parameters`` so its own
errors carry no values either.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from desk.config import log_dir, private_dir

LOG_FILE = "desk.log"
MAX_BYTES, BACKUPS = 2_000_000, 5  # at most 12 MB of history, oldest dropped first


def setup_logging(level: int = logging.INFO) -> Path:
    folder = private_dir(log_dir())
    path = folder / LOG_FILE
    root = logging.getLogger()
    if any(getattr(h, "desk_handler", False) for h in root.handlers):
        return path
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    handler.desk_handler = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    # Alembic narrates every migration step at INFO; the desk logs the upgrade itself.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if os.name == "posix":
        os.chmod(path, 0o600)
    return path
