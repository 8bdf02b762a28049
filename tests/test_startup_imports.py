"""The sign-in window comes up before the heavy imports (the start-up benchmark's premise)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# What runs before the window shows: the command line, the app module, the password check.
BEFORE_THE_WINDOW = """
import json, sys
import desk.cli
import desk.ui.app
desk.cli.build_parser().parse_args([])
from desk.config import password_missing
password_missing(sys.argv[1])
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in HEAVY)))
"""
ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sqlalchemy", "alembic", "reportlab", "phonenumbers", "argon2", "desk.services")


def test_nothing_heavy_is_imported_before_the_sign_in_window(tmp_path: Path) -> None:
    code = f"HEAVY = {HEAVY!r}\n" + BEFORE_THE_WINDOW
    env = {**os.environ, "DESK_DATA_DIR": str(tmp_path / "data"),
           "DESK_CONFIG_DIR": str(tmp_path / "config")}
    env.pop("DESK_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", code, f"sqlite:///{tmp_path / 'clinic.sqlite3'}"],
        capture_output=True, text=True, env=env, cwd=ROOT, check=True,
    )
    assert json.loads(done.stdout) == []
