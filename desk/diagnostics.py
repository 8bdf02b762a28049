"""What IT needs to know about this installation: versions, settings files, folders, display.

Used by ``desk --version --verbose``, the support log's start-up lines and the check made
before the GUI starts. Nothing here ever shows a password.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

from desk import __version__, config


def server_text(url_text: str) -> str:
    """Where ``url_text`` points ("postgresql://desk@host:5432/db?sslmode=…"), no password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(url_text)
    except ArgumentError:
        return "(not a valid database URL)"
    # render_as_string(hide_password=True) would print "***": leave the field out instead.
    return url._replace(password=None).render_as_string(hide_password=False)


def describe_installation(url_text: str) -> list[str]:
    """``desk --version --verbose``: one "name: value" line each."""
    read = set(config.read_config_files())
    lines = [
        f"python: {platform.python_version()} ({'bundled' if _frozen() else sys.executable})",
        f"platform: {platform.platform()}",
        f"qt: {_qt_version()}",
    ]
    for path in config.config_files():
        state = "read" if path in read else "not present"
        lines.append(f"settings file: {path} ({state})")
    lines += [
        f"workstation name: {config.workstation_name()}",
        f"database: {server_text(url_text)} (password: {_password_text()})",
        f"data folder: {config.data_dir()}",
        f"log file: {config.log_dir() / 'desk.log'}",
    ]
    return lines


def startup_lines(url_text: str) -> list[str]:
    """What the support log says when the desk starts."""
    read = ", ".join(str(path) for path in config.read_config_files()) or "none"
    return [
        f"Infusion Desk {__version__} starting on {platform.platform()}, "
        f"Python {platform.python_version()}, Qt {_qt_version()}",
        f"workstation {config.workstation_name()}; settings read: {read}",
        f"database {server_text(url_text)} (password: {_password_text()})",
    ]


def no_display_reason() -> str | None:
    """One sentence when no window can be opened here (Linux without a desktop session).

    Qt would otherwise abort with its own advice to reinstall a library that is bundled.
    """
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("WAYLAND_DISPLAY"):
        return None
    display = os.environ.get("DISPLAY", "")
    if not display:
        return (
            "no display to open the window on (DISPLAY is not set): start the desk from the "
            "desktop session, or use its sub-commands (see 'desk --help')"
        )
    number = display.split(":", 1)[-1].split(".", 1)[0]
    local = display.startswith(":") and number.isdigit()
    if local and not Path(f"/tmp/.X11-unix/X{number}").exists():
        return f"no display {display} is running: start the desk from the desktop session"
    return None


def _password_text() -> str:
    mode = config.database_setting("password")
    return {
        "keyring": "in this account's keyring",
        "ask": "asked at every start",
        "none": "none needed",
    }.get(mode, "not set")


def _qt_version() -> str:
    try:
        from PySide6 import __version__ as pyside_version
    except ImportError:
        return "not installed"
    return pyside_version


def _frozen() -> bool:
    return bool(getattr(sys, "frozen", False))
