"""The `desk` command through a real subprocess: exit codes and one-line errors."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ADMIN_PW = "admin-password-1\n"


def desk(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desk.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("desk: ") and fragment in lines[0], lines[0]
    assert "Traceback" not in result.stderr


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    result = desk(
        "init",
        "--db",
        url,
        "--clinic-name",
        "Harbour Clinic",
        "--admin",
        "boss",
        "--password-stdin",
        stdin=ADMIN_PW,
    )
    assert result.returncode == 0, result.stderr
    return url


def test_version() -> None:
    result = desk("--version")
    assert result.returncode == 0 and "Infusion Desk 0.1.0" in result.stdout


def test_init_twice_is_refused(db: str) -> None:
    result = desk(
        "init",
        "--db",
        db,
        "--clinic-name",
        "Again",
        "--admin",
        "x",
        "--password-stdin",
        stdin=ADMIN_PW,
    )
    assert_one_line_error(result, "already has a clinic")


def test_user_add_list_disable_reset(db: str) -> None:
    add = desk(
        "user",
        "add",
        "rita",
        "--role",
        "receptionist",
        "--role",
        "nurse",
        "--db",
        db,
        "--password-stdin",
        stdin="rita-password-1\n",
    )
    assert add.returncode == 0, add.stderr
    listed = desk("user", "list", "--db", db)
    assert "rita\tnurse,receptionist\tactive" in listed.stdout
    assert desk("user", "disable", "rita", "--db", db).returncode == 0
    assert "rita\tnurse,receptionist\tdisabled" in desk("user", "list", "--db", db).stdout
    reset = desk(
        "user", "reset-password", "rita", "--db", db, "--password-stdin", stdin="new-password-22\n"
    )
    assert reset.returncode == 0, reset.stderr


def test_unknown_role_is_one_line(db: str) -> None:
    result = desk(
        "user",
        "add",
        "rita",
        "--role",
        "doctor",
        "--db",
        db,
        "--password-stdin",
        stdin="rita-password-1\n",
    )
    assert_one_line_error(result, "Unknown role 'doctor'")


def test_short_password_is_one_line(db: str) -> None:
    result = desk(
        "user", "add", "rita", "--role", "nurse", "--db", db, "--password-stdin", stdin="short\n"
    )
    assert_one_line_error(result, "at least 10 characters")


def test_missing_password_on_stdin(db: str) -> None:
    result = desk("user", "add", "rita", "--role", "nurse", "--db", db, "--password-stdin")
    assert_one_line_error(result, "no password")


def test_bad_url_is_one_line() -> None:
    assert_one_line_error(desk("user", "list", "--db", "nonsense://"), "not supported")
    assert_one_line_error(desk("user", "list", "--db", "::::"), "not a valid database URL")


def test_unreachable_postgres_is_one_line_and_hides_the_password() -> None:
    result = desk("user", "list", "--db", "postgresql+psycopg://u:s3cret@127.0.0.1:1/x")
    assert_one_line_error(result, "Cannot reach the database server")
    assert "s3cret" not in result.stderr


def test_usage_error_is_one_line() -> None:
    assert_one_line_error(desk("user", "frobnicate"), "invalid choice")


def test_uninitialised_database_says_what_to_do(tmp_path: Path) -> None:
    result = desk("user", "list", "--db", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert_one_line_error(result, "desk init")


def test_audit_verify_intact_then_tampered(db: str) -> None:
    ok = desk("audit", "verify", "--db", db)
    assert ok.returncode == 0 and "intact" in ok.stdout
    path = db.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE audit_entry SET actor = 'mallory' WHERE seq = 1")
    assert_one_line_error(desk("audit", "verify", "--db", db), "audit entry 1")


def test_backup_and_restore_round_trip(db: str, tmp_path: Path) -> None:
    dest = tmp_path / "backup.sqlite3"
    assert desk("backup", str(dest), "--db", db).returncode == 0
    assert (tmp_path / "backup.sqlite3.sha256").exists()
    desk(
        "user",
        "add",
        "late",
        "--role",
        "nurse",
        "--db",
        db,
        "--password-stdin",
        stdin="late-password-1\n",
    )
    restored = desk("restore", str(dest), "--db", db)
    assert restored.returncode == 0, restored.stderr
    assert "late" not in desk("user", "list", "--db", db).stdout
    assert desk("audit", "verify", "--db", db).returncode == 0


def test_restore_of_a_damaged_or_foreign_file_changes_nothing(db: str, tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    assert_one_line_error(desk("restore", str(junk), "--db", db), "not a database backup")
    dest = tmp_path / "good.sqlite3"
    desk("backup", str(dest), "--db", db)
    truncated = tmp_path / "truncated.sqlite3"
    truncated.write_bytes(dest.read_bytes()[:3000])
    result = desk("restore", str(truncated), "--db", db)
    assert result.returncode != 0 and len(result.stderr.strip().splitlines()) == 1
    (tmp_path / "good.sqlite3.sha256").write_text("0" * 64 + "  good.sqlite3\n")
    assert_one_line_error(desk("restore", str(dest), "--db", db), "checksum")
    assert desk("audit", "verify", "--db", db).returncode == 0
    assert_one_line_error(desk("restore", str(tmp_path / "nope"), "--db", db), "no backup file")


def test_restore_refuses_while_the_database_is_in_use(db: str, tmp_path: Path) -> None:
    from desk.db.inuse import in_use_lock, sqlite_file_from_url

    dest = tmp_path / "b.sqlite3"
    desk("backup", str(dest), "--db", db)
    path = sqlite_file_from_url(db)
    assert path is not None
    with in_use_lock(path, exclusive=False):
        assert_one_line_error(desk("restore", str(dest), "--db", db), "close it first")


def test_backup_of_postgres_points_to_pg_dump(tmp_path: Path) -> None:
    result = desk("backup", str(tmp_path / "x"), "--db", "postgresql+psycopg://u@127.0.0.1:1/x")
    assert_one_line_error(result, "pg_dump")


def test_database_url_precedence(tmp_path: Path) -> None:
    from desk import config

    env = {"DESK_CONFIG_DIR": str(tmp_path / "cfg"), "DESK_DATA_DIR": str(tmp_path / "data")}
    os.environ.update(env)
    assert config.resolve_database_url() == f"sqlite:///{tmp_path / 'data' / 'desk.sqlite3'}"
    config.write_config("database", {"url": "sqlite:////from/config"})
    assert config.resolve_database_url() == "sqlite:////from/config"
    os.environ["DESK_DATABASE_URL"] = "sqlite:////from/env"
    assert config.resolve_database_url() == "sqlite:////from/env"
    assert config.resolve_database_url("sqlite:////from/flag") == "sqlite:////from/flag"


def test_demo_prints_a_friendly_summary_with_the_staff_password(db: str) -> None:
    from desk.services.demo import DEMO_PASSWORD

    result = desk("demo", "--db", db, "--patients", "30")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("Loaded the demo clinic: 30 patients, ")
    assert "visits" in lines[0] and "series" in lines[0] and "signed consents" in lines[0]
    staff = "rita, ravi, nina, noah, sam, amal, olga"
    assert lines[1] == f"Staff accounts {staff} — password: {DEMO_PASSWORD}"
    assert "DemoSummary" not in result.stdout
    again = desk("demo", "--db", db, "--patients", "30")
    assert_one_line_error(again, "already has patients")
    assert DEMO_PASSWORD not in again.stdout + again.stderr


def test_backup_into_a_path_under_a_file_is_one_clear_line(db: str, tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    result = desk("backup", str(a_file / "b.sqlite3"), "--db", db)
    assert_one_line_error(result, "does not exist")
