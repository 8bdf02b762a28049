"""``desk --self-test`` in-process: one line per check, 0 when all pass, the failed check named."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desk import selftest
from desk.cli import main

CHECKS = [
    "resources", "database drivers", "migrations", "clinic and admin", "workstation setup",
    "patient and visit", "consent pdf", "main window",
]


def test_self_test_passes_and_prints_one_line_per_check(qtbot: QtBot) -> None:
    out = io.StringIO()
    assert selftest.run_self_test(out) == 0
    lines = out.getvalue().splitlines()
    assert [line[5:].split(" (")[0] for line in lines[:-1]] == CHECKS
    assert all(line.startswith("ok   ") for line in lines[:-1])
    assert lines[-1].startswith("self-test passed: 8 checks")


def test_a_failing_check_is_named_and_the_run_exits_non_zero(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_pdf(state: object) -> str:
        raise selftest.CheckFailed("the patient's name is not in the PDF text")

    monkeypatch.setattr(selftest, "_check_consent_pdf", broken_pdf)
    out = io.StringIO()
    assert selftest.run_self_test(out) == selftest.EXIT_FAILED
    lines = out.getvalue().splitlines()
    assert "FAIL consent pdf: the patient's name is not in the PDF text" in lines
    assert lines[-1] == "self-test FAILED at: consent pdf"
    assert not any("main window" in line for line in lines), "stops at the first failure"


def test_an_unexpected_error_is_reported_with_its_type(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_migrations(state: object) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(selftest, "_check_migrations", broken_migrations)
    out = io.StringIO()
    assert selftest.run_self_test(out) == selftest.EXIT_FAILED
    assert "FAIL migrations: OSError: disk full" in out.getvalue()


def test_self_test_leaves_no_files_and_restores_the_folders(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    made: list[Path] = []
    real_mkdtemp = tempfile.mkdtemp

    def tracking_mkdtemp(prefix: str) -> str:
        folder = real_mkdtemp(prefix=prefix)
        made.append(Path(folder))
        return folder

    monkeypatch.setattr(tempfile, "mkdtemp", tracking_mkdtemp)
    data_dir = os.environ["DESK_DATA_DIR"]
    assert selftest.run_self_test(io.StringIO()) == 0
    assert made and not made[0].exists()
    assert os.environ["DESK_DATA_DIR"] == data_dir
    assert not Path(data_dir).exists(), "the real data folder was not touched"


def test_the_desk_command_runs_the_self_test(
    qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--self-test"]) == 0
    assert "ok   consent pdf" in capsys.readouterr().out
