"""`desk settings`: the way back from a setting that locks the clinic out."""

from __future__ import annotations

import sqlite3

from tests.cli.test_cli import assert_one_line_error, db, desk

__all__ = ["db"]  # the fixture, shared with the other CLI tests


def test_an_idle_lock_of_zero_is_refused_naming_the_range(db: str) -> None:
    result = desk("settings", "set", "idle_lock_minutes", "0", "--db", db)
    assert_one_line_error(result, "idle lock minutes must be within 1–60 min")


def test_a_setting_that_is_set_is_shown_and_audited(db: str) -> None:
    result = desk("settings", "set", "idle_lock_minutes", "5", "--db", db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "idle_lock_minutes is now 5.0."
    shown = desk("settings", "show", "--db", db)
    assert shown.returncode == 0, shown.stderr
    assert "idle_lock_minutes\t5.0" in shown.stdout.splitlines()
    path = db.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        summary = connection.execute(
            "SELECT summary FROM audit_entry WHERE action = 'clinic.setting'"
        ).fetchone()
    assert summary == ("idle_lock_minutes=5.0",)
    assert desk("audit", "verify", "--db", db).returncode == 0


def test_absurd_numbers_and_unknown_names_are_refused_in_one_line(db: str) -> None:
    assert_one_line_error(
        desk("settings", "set", "lockout_minutes", "1000000000000", "--db", db),
        "lockout minutes must be within 1–1440 min",
    )
    assert_one_line_error(
        desk("settings", "set", "password_min_length", "0", "--db", db),
        "password min length must be within 8–128 characters",
    )
    assert_one_line_error(
        desk("settings", "set", "idle_lock_minutes", "soon", "--db", db), "takes a number"
    )
    assert_one_line_error(
        desk("settings", "set", "bp_hold_systolic", "130", "--db", db),
        "systolic review limit must be below the hold limit",
    )
    assert_one_line_error(desk("settings", "set", "colour", "red", "--db", db), "no clinic setting")
