"""The desk runs all day and always quits cleanly (issue 19; issue 14's quit abort).

Each test runs the real desk in a process of its own (``tests/reliability/gui_day.py``),
so an abort while Python finalises — the way PySide6 6.12's reference leak killed desks —
shows as the process's exit status, which must be 0.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from desk.services.context import Desk
from desk.services.database import open_database
from desk.services.demo import load_demo
from tests.helpers import clinic_flow
from tests.helpers.processes import REPO

QUITS = 30
# Resident memory may grow this much from the warmed-up desk to the end of the soak
# (measured: see README "Data safety"); a leak of one object per poll or keystroke is more.
RSS_GROWTH_LIMIT_MB = 25.0


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    log: str

    @property
    def figures(self) -> dict[str, float]:
        (line,) = [x for x in self.stdout.splitlines() if x.startswith("gui-day: ")]
        return json.loads(line.removeprefix("gui-day: "))  # type: ignore[no-any-return]


@pytest.fixture
def demo_clinic(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    engine = open_database(url)
    clinic_flow.create_clinic(engine)
    with clinic_flow.cheap_password_hashing():
        admin = clinic_flow.actor(engine, "admin")
        load_demo(Desk(engine, workstation="setup", actor=admin), patients=300)
    engine.dispose()
    yield url


def run_desk(url: str, mode: str, home: Path, timeout: float, **env: str) -> Run:
    home.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ, "QT_QPA_PLATFORM": "offscreen",
        "DESK_DATA_DIR": str(home / "data"), "DESK_CONFIG_DIR": str(home / "config"), **env,
    }
    proc = subprocess.run(
        [sys.executable, "-m", "tests.reliability.gui_day", url, mode],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=timeout,
    )
    log_file = home / "data" / "logs" / "desk.log"
    log = log_file.read_text("utf-8") if log_file.exists() else ""
    return Run(proc.returncode, proc.stdout, proc.stderr, log)


def assert_clean(run: Run) -> None:
    assert run.code == 0, f"exit status {run.code}; stderr:\n{run.stderr[-3000:]}"
    assert "Fatal Python error" not in run.stderr
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    bad = [line for line in run.log.splitlines() if any(
        f" {level} " in line for level in ("WARNING", "ERROR", "CRITICAL")
    )]
    assert bad == [], "the desk logged trouble:\n" + "\n".join(bad)


@pytest.mark.slow
def test_the_desk_quits_cleanly_every_time(demo_clinic: str, tmp_path: Path) -> None:
    """Sign in, the board, a dialog, File → Quit — 30 times, two desks at a time."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(
            lambda n: run_desk(demo_clinic, "quit", tmp_path / f"desk{n}", timeout=120),
            range(QUITS),
        ))
    failed = [(n, r.code, r.stderr[-500:]) for n, r in enumerate(runs) if r.code != 0]
    assert failed == []
    for run in runs:
        assert_clean(run)


@pytest.mark.slow
def test_a_whole_day_compressed_polls_types_opens_and_quits_cleanly(
    demo_clinic: str, tmp_path: Path
) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.writer", demo_clinic, "7"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        run = run_desk(demo_clinic, "soak", tmp_path / "desk", timeout=600)
    finally:
        writer.kill()
        writer.wait()
    assert_clean(run)
    figures = run.figures
    assert figures["polls"] >= int(os.environ.get("GUI_DAY_POLLS", "20000"))
    assert figures["keystrokes"] >= int(os.environ.get("GUI_DAY_KEYSTROKES", "5000"))
    assert figures["dialogs"] >= int(os.environ.get("GUI_DAY_DIALOGS", "1000"))
    growth = figures["rss_end_mb"] - figures["rss_warm_mb"]
    report = tmp_path.parent / "soak.json"
    report.write_text(json.dumps({**figures, "rss_growth_mb": round(growth, 1)}))
    print(f"soak: {figures} growth {growth:.1f} MB")
    assert growth < RSS_GROWTH_LIMIT_MB
