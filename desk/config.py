"""Where the desk keeps its files and which database it opens.

The database URL comes from ``--db URL``, then ``DESK_DATABASE_URL``, then the config files,
then the default SQLite file in the user data folder. ``DESK_DATA_DIR`` and
``DESK_CONFIG_DIR`` move the folders (tests, portable installs).

Two config files are read, the machine-wide one first and the user's over it: IT pushes
one ``desk.ini`` to the site folder (``C:\\ProgramData\\InfusionDesk`` on Windows,
``/etc/xdg/InfusionDesk`` on Linux, ``/Library/Application Support/InfusionDesk`` on
macOS; ``DESK_SITE_CONFIG_DIR`` moves it) and every account on the PC uses it. The desk
only ever writes the user's file.

A database server's password is never written to the config file: ``[database] password``
says where it is instead: ``keyring`` (the operating system's keyring, under the service
``InfusionDesk`` and the user name ``dbuser@host``), ``ask`` (asked for at every start) or
``none`` (the server needs none).
"""

from __future__ import annotations

import configparser
import logging
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import site_config_dir, user_config_dir, user_data_dir

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

log = logging.getLogger(__name__)

APP_NAME = "InfusionDesk"
KEYRING_SERVICE = "InfusionDesk"
CONFIG_FILE = "desk.ini"
DB_FILE = "desk.sqlite3"
# The SSL modes the connect dialog and `desk connect` offer (libpq's names).
SSL_MODES = ("disable", "prefer", "require", "verify-full")
# Where the server password is kept: the OS keyring, asked at every start, or not needed.
PASSWORD_MODES = ("keyring", "ask", "none")


def data_dir() -> Path:
    return Path(os.environ.get("DESK_DATA_DIR") or user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(os.environ.get("DESK_CONFIG_DIR") or user_config_dir(APP_NAME, appauthor=False))


def site_config_dir_path() -> Path:
    """The machine-wide settings folder, shared by every account on this PC."""
    return Path(
        os.environ.get("DESK_SITE_CONFIG_DIR") or site_config_dir(APP_NAME, appauthor=False)
    )


def config_files() -> list[Path]:
    """The settings files in the order they are read: machine-wide, then the user's."""
    return [site_config_dir_path() / CONFIG_FILE, config_dir() / CONFIG_FILE]


def log_dir() -> Path:
    return data_dir() / "logs"


def private_dir(path: Path) -> Path:
    """Create ``path`` owner-only (0700 on POSIX) and return it.

    Folders created on the way are owner-only too: the log folder is often made first,
    and its parent is the data folder that later holds the database.
    """
    for folder in reversed([path, *path.parents]):
        if not folder.exists():
            folder.mkdir(exist_ok=True, mode=0o700)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / DB_FILE}"


def read_config() -> configparser.ConfigParser:
    """The settings: the machine-wide file, with the user's file read over it."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(config_files(), encoding="utf-8")
    return parser


def read_config_files() -> list[Path]:
    """The settings files that exist and were read (for ``desk --version --verbose``)."""
    parser = configparser.ConfigParser(interpolation=None)
    return [Path(name) for name in parser.read(config_files(), encoding="utf-8")]


def write_config(section: str, values: dict[str, str]) -> Path:
    """Set keys in one section of the user's config file (written whole, then renamed).

    Only the user's own file is read and rewritten: the machine-wide values stay where IT
    put them and still apply to every key the user's file does not set.
    """
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(config_dir() / CONFIG_FILE, encoding="utf-8")
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
    if configured and password_storage() == "keyring":
        return _with_keyring_password(configured)
    return configured or default_database_url()


def password_storage() -> str:
    """Where the configured server's password is: "keyring", "ask", "none" or ""."""
    return read_config().get("database", "password", fallback="").strip()


def password_missing(url_text: str) -> bool:
    """True when ``url_text`` is the configured server and its password must be asked for."""
    configured = read_config().get("database", "url", fallback="").strip()
    if password_storage() not in ("keyring", "ask") or not configured:
        return False
    # Imported only now: SQLAlchemy costs ~0.2 s, and this runs before the sign-in window.
    from sqlalchemy.engine import make_url

    url = make_url(url_text)
    return url.password is None and url == make_url(configured)


def remember_working_password(url_text: str) -> None:
    """After ``url_text`` opened: keep its password in this account's keyring if the
    settings say "keyring" and it is not there yet (an account on a PC that IT set up with
    a machine-wide file is asked once, not at every start)."""
    if password_storage() != "keyring":
        return
    from sqlalchemy.engine import make_url

    url = make_url(url_text)
    configured = database_setting("url")
    if not url.password or not configured or url._replace(password=None) != make_url(configured):
        return
    if stored_password(url) != url.password:
        store_password(url, str(url.password))


def keyring_username(url: URL) -> str:
    return f"{url.username or ''}@{url.host or 'localhost'}"


def store_password(url: URL, password: str) -> bool:
    """Put the password in the OS keyring; False when no working keyring is available."""
    import keyring

    try:
        keyring.set_password(KEYRING_SERVICE, keyring_username(url), password)
        # Some backends (the "null" one) accept and forget: read it back to be sure.
        return keyring.get_password(KEYRING_SERVICE, keyring_username(url)) == password
    except Exception as exc:  # every backend raises its own types; none is fatal here
        log.info("no usable keyring (%s): the password is asked at start", type(exc).__name__)
        return False


def stored_password(url: URL) -> str | None:
    import keyring

    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_username(url))
    except Exception as exc:  # as above: no keyring means "ask"
        log.info("keyring unavailable (%s)", type(exc).__name__)
        return None


def _with_keyring_password(configured: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(configured)
    if url.password is not None:
        return configured
    password = stored_password(url)
    if password is None:
        return configured
    return url.set(password=password).render_as_string(hide_password=False)


def database_setting(key: str) -> str:
    """One ``[database]`` setting (url, password, sslrootcert), "" when not set."""
    return read_config().get("database", key, fallback="").strip()


def workstation_name() -> str:
    configured = read_config().get("workstation", "name", fallback="").strip()
    return configured or socket.gethostname() or "workstation"
