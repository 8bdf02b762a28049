"""``desk --self-test`` in-process: one line per check, 0 when all pass, the failed check named."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.core
import pytest
from keyring.backends.fail import Keyring as FailKeyring
from pytestqt.qtbot import QtBot

from desk import selftest
from desk.cli import main
from desk.db import migrate
from desk.db.engine import make_engine
from tests.helpers.fixtures import FakeClock, make_clinic, scratch_pg_database
from tests.ui.test_connect import MemoryKeyring

CHECKS = [
    "resources", "database drivers", "migrations", "clinic and admin", "workstation setup",
    "patient and visit", "consent pdf", "main window",
]


@pytest.fixture
def working_keyring() -> Iterator[None]:
    before = keyring.core._keyring_backend
    keyring.set_keyring(MemoryKeyring())
    yield
    keyring.core._keyring_backend = before


def test_self_test_passes_and_prints_one_line_per_check(
    qtbot: QtBot, working_keyring: None
) -> None:
    out = io.StringIO()
    assert selftest.run_self_test(out) == 0
    lines = out.getvalue().splitlines()
    assert [line[5:].split(" (")[0] for line in lines[:-1]] == CHECKS
    assert all(line.startswith("ok   ") for line in lines[:-1])
    assert lines[-1].startswith("self-test passed: 8 checks")


def test_no_keyring_is_a_warning_that_says_what_staff_will_feel(qtbot: QtBot) -> None:
    before = keyring.core._keyring_backend
    keyring.set_keyring(FailKeyring())
    try:
        out = io.StringIO()
        assert selftest.run_self_test(out) == 0
    finally:
        keyring.core._keyring_backend = before
    lines = out.getvalue().splitlines()
    warning = next(line for line in lines if line.startswith("warn workstation setup: "))
    assert "staff will type it at every start" in warning
    assert lines[-1].startswith("self-test passed: 8 checks, 1 warning in ")


def test_with_a_clinic_server_the_self_test_checks_it_and_its_schema(
    qtbot: QtBot, working_keyring: None, clock: FakeClock
) -> None:
    with scratch_pg_database("desk_selftest") as url:
        engine = make_engine(url)
        migrate.upgrade(engine, "0003_patient_search")
        make_clinic(engine, clock)
        out = io.StringIO()
        assert selftest.run_self_test(out, clinic_url=url) == 0
        assert "warn clinic database: “Harbour Ketamine Clinic” at 127.0.0.1:5432/" in (
            out.getvalue()
        )
        assert "needs 'desk migrate'" in out.getvalue()
        migrate.upgrade(engine)
        out = io.StringIO()
        assert selftest.run_self_test(out, clinic_url=url) == 0
        assert "ok   clinic database (“Harbour Ketamine Clinic” at" in out.getvalue()
        assert "schema current" in out.getvalue()
        engine.dispose()
    out = io.StringIO()
    assert selftest.run_self_test(out, clinic_url=url) == selftest.EXIT_FAILED
    assert out.getvalue().splitlines()[-1] == "self-test FAILED at: clinic database"


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
    qtbot: QtBot, working_keyring: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--self-test"]) == 0
    assert "ok   consent pdf" in capsys.readouterr().out
