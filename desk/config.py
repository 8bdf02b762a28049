"""Where the desk keeps its files and which database it opens.

The database URL comes from ``--db URL``, then ``DESK_DATABASE_URL``, then the config file,
then the default SQLite file in the user data folder. ``DESK_DATA_DIR`` and
``DESK_CONFIG_DIR`` move the folders (tests, portable installs).
"""

from __future__ import annotations

import configparser
import os
import socket
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

APP_NAME = "InfusionDesk"
CONFIG_FILE = "desk.ini"
DB_FILE = "desk.sqlite3"


def data_dir() -> Path:
    return Path(os.environ.get("DESK_DATA_DIR") or user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(os.environ.get("DESK_CONFIG_DIR") or user_config_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    return data_dir() / "logs"


def private_dir(path: Path) -> Path:
    """Create ``path`` owner-only (0700 on POSIX) and return it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / DB_FILE}"


def read_config() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(config_dir() / CONFIG_FILE, encoding="utf-8")
    return parser


def write_config(section: str, values: dict[str, str]) -> Path:
    """Set keys in one section of the config file (written whole, then renamed into place)."""
    parser = read_config()
    if not parser.has_section(section):
        parser.add_section(section)
    for key, value in values.items():
        parser.set(section, key, value)
    path = private_dir(config_dir()) / CONFIG_FILE
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        parser.write(fh)
    os.replace(tmp, path)
    return path


def resolve_database_url(flag: str | None = None) -> str:
    if flag:
        return flag
    env = os.environ.get("DESK_DATABASE_URL")
    if env:
        return env
    configured = read_config().get("database", "url", fallback="").strip()
    return configured or default_database_url()


def workstation_name() -> str:
    configured = read_config().get("workstation", "name", fallback="").strip()
    return configured or socket.gethostname() or "workstation"
