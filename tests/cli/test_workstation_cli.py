"""`desk connect`, `desk migrate`, machine-wide settings and `desk --version --verbose`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from desk.db import migrate
from desk.db.engine import make_engine
from tests.cli.test_cli import assert_one_line_error, desk
from tests.helpers.fixtures import FakeClock, make_clinic, scratch_pg_database

CLINIC = "Harbour Ketamine Clinic"


@pytest.fixture
def pg_clinic(clock: FakeClock) -> Iterator[str]:
    """The URL of a fresh PostgreSQL database holding a set-up clinic."""
    from desk.services.database import open_database

    with scratch_pg_database("desk_cli_connect") as url:
        engine = open_database(url)
        make_clinic(engine, clock)
        engine.dispose()
        yield url


def _connect(url: str, *extra: str, **changes: str) -> list[str]:
    parsed = make_url(url)
    options = {
        "host": parsed.host or "",
        "port": str(parsed.port or 5432),
        "database": parsed.database or "",
        "user": parsed.username or "",
        **changes,
    }
    return ["connect", *(f"--{key}={value}" for key, value in options.items()), *extra]


def _user_ini(home: Path) -> Path:
    return home / "config" / "desk.ini"


def test_connect_prints_the_clinic_name_and_saves_without_the_password(
    pg_clinic: str, isolated_folders: Path
) -> None:
    result = desk(
        *_connect(pg_clinic, "--workstation-name", "FRONT-2", "--password-mode", "ask",
                  "--password-stdin"),
        stdin="server-secret\n",
    )
    assert result.returncode == 0, result.stderr
    assert f"Connected to the clinic “{CLINIC}” at 127.0.0.1:5432/" in result.stdout
    saved = _user_ini(isolated_folders).read_text(encoding="utf-8")
    assert "server-secret" not in saved
    assert "password = ask" in saved and "name = FRONT-2" in saved
    # The next command uses the saved server (the server trusts this machine: no password).
    listed = desk("user", "list")
    assert listed.returncode == 0 and listed.stdout.startswith("admin\t"), listed.stderr


def test_connect_without_a_password_on_stdin_says_how_to_give_it(pg_clinic: str) -> None:
    result = desk(*_connect(pg_clinic))
    assert_one_line_error(result, "needs the server password: pipe it in with --password-stdin")


@pytest.mark.parametrize(
    ("option", "value", "fragment"),
    [
        ("database", "no_such_clinic_db", "The database 'no_such_clinic_db' does not exist"),
        ("host", "no-such-clinic-server.invalid", "No computer called"),
        ("sslmode", "require", "disagree about encryption"),
        ("port", "1", "Cannot reach the database server at 127.0.0.1:1."),
    ],
)
def test_connect_failures_are_one_line_and_save_nothing(
    pg_clinic: str, isolated_folders: Path, option: str, value: str, fragment: str
) -> None:
    result = desk(*_connect(pg_clinic, "--password-mode=none", **{option: value}))
    assert_one_line_error(result, fragment)
    assert not _user_ini(isolated_folders).exists()


def test_machine_wide_settings_are_read_under_the_users(
    pg_clinic: str, isolated_folders: Path
) -> None:
    site = isolated_folders / "site-config"
    site.mkdir()
    (site / "desk.ini").write_text(
        f"[database]\nurl = {pg_clinic}\npassword = none\n\n[workstation]\nname = SITE-NAME\n",
        encoding="utf-8",
    )
    listed = desk("user", "list")
    assert listed.returncode == 0 and listed.stdout.startswith("admin\t"), listed.stderr
    user = _user_ini(isolated_folders)
    user.parent.mkdir()
    user.write_text("[workstation]\nname = USER-NAME\n", encoding="utf-8")
    verbose = desk("--version", "--verbose")
    assert verbose.returncode == 0, verbose.stderr
    assert f"settings file: {site / 'desk.ini'} (read)" in verbose.stdout
    assert f"settings file: {user} (read)" in verbose.stdout
    assert "workstation name: USER-NAME" in verbose.stdout  # the user's file wins
    assert "database: postgresql+psycopg://postgres@127.0.0.1:5432/" in verbose.stdout


def test_version_verbose_says_which_settings_files_are_missing(isolated_folders: Path) -> None:
    result = desk("--version", "--verbose")
    assert result.returncode == 0
    assert result.stdout.startswith("Infusion Desk 0.1.0\n")
    assert f"settings file: {_user_ini(isolated_folders)} (not present)" in result.stdout


def test_user_add_without_a_database_creates_no_file(isolated_folders: Path) -> None:
    result = desk(
        "user", "add", "rita", "--role", "nurse", "--password-stdin", stdin="pw-1234567\n"
    )
    assert_one_line_error(result, "no clinic database here yet; run 'desk connect'")
    assert not (isolated_folders / "data" / "desk.sqlite3").exists()


def test_a_shared_database_is_upgraded_only_by_desk_migrate(clock: FakeClock) -> None:
    with scratch_pg_database("desk_cli_migrate") as url:
        engine = make_engine(url)
        migrate.upgrade(engine, "0003_patient_search")
        make_clinic(engine, clock)
        refused = desk("user", "list", "--db", url)
        assert_one_line_error(refused, "or IT runs 'desk migrate'")
        assert migrate.current_revision(engine) == "0003_patient_search"
        done = desk("migrate", "--db", url)
        assert done.returncode == 0, done.stderr
        assert f"to {migrate.head_revision()}" in done.stdout
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert desk("user", "list", "--db", url).returncode == 0
        engine.dispose()


def test_a_connected_desk_shows_its_workstation_name_in_pg_stat_activity(
    pg_clinic: str, isolated_folders: Path
) -> None:
    from desk.config import write_config
    from desk.services.database import open_database

    write_config("workstation", {"name": "INFUSION-ROOM-3"})
    engine = open_database(pg_clinic)
    observer = create_engine(pg_clinic)
    try:
        with engine.connect(), observer.connect() as conn:
            names = conn.execute(
                text("SELECT application_name FROM pg_stat_activity WHERE datname = :db"),
                {"db": make_url(pg_clinic).database},
            ).scalars().all()
        assert "INFUSION-ROOM-3" in names
    finally:
        engine.dispose()
        observer.dispose()


def test_every_command_leaves_one_line_in_the_support_log(isolated_folders: Path) -> None:
    result = desk("user", "list")
    assert result.returncode != 0
    log = (isolated_folders / "data" / "logs" / "desk.log").read_text(encoding="utf-8")
    assert "desk.cli: command user list: exit 1" in log


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland check")
def test_without_a_display_the_gui_says_so_in_one_line_and_logs_it(
    isolated_folders: Path,
) -> None:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run(
        [sys.executable, "-m", "desk.cli"], capture_output=True, text=True, timeout=120, env=env
    )
    assert_one_line_error(result, "no display to open the window on")
    log = (isolated_folders / "data" / "logs" / "desk.log").read_text(encoding="utf-8")
    assert "no display to open the window on" in log and "command gui: exit 1" in log


def test_a_display_qt_cannot_use_is_one_line_and_logged_not_qts_reinstall_advice(
    isolated_folders: Path,
) -> None:
    env = {key: value for key, value in os.environ.items() if key != "DISPLAY"}
    env["QT_QPA_PLATFORM"] = "no-such-platform"
    result = subprocess.run(
        [sys.executable, "-m", "desk.cli"], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "desk: cannot open a window on this display: Qt could not start its display plugin "
        "(a system library may be missing; see “What a Linux PC needs” in the installer guide)"
    ]
    log = (isolated_folders / "data" / "logs" / "desk.log").read_text(encoding="utf-8")
    assert "Infusion Desk 0.1.0: no window could be opened" in log


def test_keyring_mode_without_a_keyring_is_refused_and_saves_nothing(
    pg_clinic: str, isolated_folders: Path
) -> None:
    result = desk(
        *_connect(pg_clinic, "--password-stdin"),
        stdin="server-secret\n",
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert_one_line_error(result, "no working keyring to keep the password in")
    assert not _user_ini(isolated_folders).exists()
