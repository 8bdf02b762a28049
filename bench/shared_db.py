"""Figures: a change committed on one workstation, seen on the board of another.

A second process runs the real ``DayBoard`` on the bench day, polling exactly as the desk
does (``desk.services.audit.change_counter`` on its own timer), and prints each board
change. This process cancels scheduled visits of that day through the booking service,
after a random pause so that the commits fall anywhere in the board's polling cycle, and
times from the call to the board showing the visit as cancelled. The figure is the worst
sample. SQLite shares the working copy of the big clinic; PostgreSQL gets a fresh
database (dropped afterwards) with a smaller demo clinic, since the latency is the
board's polling and one day's query, not the clinic's size.
"""

from __future__ import annotations

import json
import os
import queue
import random
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from bench.clinic import Clinic, bench_day, build_clinic, signed_in
from bench.harness import Figure, Scale, child_env, python_command, skipped
from desk.db.models import Visit
from desk.services.board import local_day_bounds
from desk.services.booking import get_visit
from desk.services.context import Desk
from desk.services.database import open_database
from desk.services.visits import VisitReason, cancel_visit
from desk.ui.board import REFRESH_MS

PG_URL = os.environ.get("DESK_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGETS = {"sqlite": 5.0, "postgresql": 2.0}
SAMPLES = 6
PG_PATIENTS = 5_000
WATCH_PROBE = "import sys\nfrom bench.probes import main\nsys.exit(main(sys.argv[1:]))\n"


class BoardWatcher:
    """The other workstation: a board process whose reports arrive on a queue."""

    def __init__(self, url: str, day: str, visit_ids: list[int], home: Path) -> None:
        command = python_command(WATCH_PROBE, "watch", url, day, *map(str, visit_ids))
        self.proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=child_env(home),
        )
        self.reports: queue.Queue[dict[str, Any]] = queue.Queue()
        self.ticks: list[float] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if not line.startswith("{"):
                continue
            report = json.loads(line)
            if "tick" in report:
                self.ticks.append(float(report["tick"]))
            else:
                self.reports.put(report)

    def reload_delay(self, seen: float) -> float | None:
        """Seconds from the polling tick that found a change to the board showing it."""
        before = [tick for tick in self.ticks if tick <= seen]
        return seen - before[-1] if before else None

    def next_report(self, timeout: float) -> dict[str, Any]:
        try:
            return self.reports.get(timeout=timeout)
        except queue.Empty:
            stderr = self.proc.stderr
            err = stderr.read() if stderr and self.proc.poll() is not None else ""
            raise TimeoutError(f"the board process reported nothing: {err[-600:]}") from None

    def seen_cancelled(self, visit_id: int, timeout: float) -> float:
        """Monotonic time at which the board first showed ``visit_id`` cancelled."""
        deadline = time.monotonic() + timeout
        while True:
            report = self.next_report(max(deadline - time.monotonic(), 0.01))
            if visit_id in report["cancelled"]:
                return float(report["t"])

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def scheduled_visits(desk: Desk, day_iso: str, count: int) -> list[int]:
    start, end = local_day_bounds(date.fromisoformat(day_iso))
    with desk.read() as session:
        ids = session.scalars(
            select(Visit.id).where(
                Visit.scheduled_start >= start, Visit.scheduled_start < end,
                Visit.status == "scheduled",
            ).order_by(Visit.scheduled_start, Visit.id).limit(count)
        )
        return list(ids)


def latencies(
    url: str, samples: int, home: Path, seed: int, pause: bool = True
) -> tuple[list[float], list[float]]:
    """Seconds from each cancel call to the other process's board showing it, and from
    the polling tick that noticed it to the board showing it.

    With ``pause``, each cancel waits a random part of a polling interval first, so the
    samples cover the whole cycle; without (the smoke test) the first one runs at once.
    """
    engine = open_database(url)
    try:
        desk = signed_in(Desk(engine, workstation="bench-writer"))
        day = bench_day().isoformat()
        ids = scheduled_visits(desk, day, samples)
        if not ids:
            raise RuntimeError("the bench day has no scheduled visit to cancel")
        watcher = BoardWatcher(url, day, ids, home)
        rng = random.Random(seed)
        out, delays = [], []
        try:
            watcher.next_report(timeout=60)  # the board is up
            for visit_id in ids:
                time.sleep(rng.uniform(0, REFRESH_MS / 1000) if pause else 0)
                version = get_visit(desk, visit_id).version
                start = time.monotonic()
                cancel_visit(desk, visit_id, VisitReason("patient_request"),
                             expected_version=version)
                seen = watcher.seen_cancelled(visit_id, timeout=30)
                out.append(seen - start)
                delay = watcher.reload_delay(seen)
                delays.append(seen - start if delay is None else delay)
        finally:
            watcher.stop()
        return out, delays
    finally:
        engine.dispose()


@contextmanager
def fresh_pg_database() -> Iterator[str | None]:
    """A new empty PostgreSQL database for this run (None when the server does not answer)."""
    try:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT",
                              connect_args={"connect_timeout": 3})
        with admin.connect():
            pass
    except Exception:
        yield None
        return
    name = f"desk_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _figure(backend: str, measured: tuple[list[float], list[float]], patients: int) -> Figure:
    """The worst case: a commit just after a poll waits a whole interval, then the reload."""
    values, delays = measured
    interval = REFRESH_MS / 1000
    worst = max(max(values), interval + max(delays))
    return Figure(
        name=f"shared_db_{backend}",
        unit="s",
        value=worst,
        baseline=None,
        target=f"<= {TARGETS[backend]:g} s (worst case)",
        passed=worst <= TARGETS[backend],
        notes={
            "samples_s": [round(v, 3) for v in values],
            "tick_to_shown_s": [round(v, 3) for v in delays],
            "polling_interval_s": interval,
            "patients": patients,
            "how": "cancel_visit() here to the DayBoard of another process showing it; worst "
                   "case = polling interval + slowest tick-to-shown (or slowest sample)",
        },
    )


def _postgresql(scale: Scale, home: Path, pause: bool) -> Figure:
    samples = scale.repeats(SAMPLES, 1)
    with fresh_pg_database() as url:
        if url is None:
            return skipped("shared_db_postgresql", "s", "<= 2 s (worst case)",
                           f"PostgreSQL does not answer at {make_url(PG_URL).host}")
        patients = min(scale.patients, PG_PATIENTS)
        build_clinic(url, patients, scale.seed)[0].dispose()
        return _figure("postgresql", latencies(url, samples, home, scale.seed, pause), patients)


def measure(clinic: Clinic, scale: Scale, scratch: Path) -> list[Figure]:
    """SQLite, then PostgreSQL; the smoke test (quick) runs both at once to save time."""
    samples = scale.repeats(SAMPLES, 1)
    home = scratch / "shared-home"
    pause = not scale.quick

    def sqlite() -> Figure:
        values = latencies(clinic.url, samples, home, scale.seed, pause)
        return _figure("sqlite", values, clinic.patients)

    if not scale.quick:
        return [sqlite(), _postgresql(scale, home, pause)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        on_pg = pool.submit(_postgresql, scale, home, pause)
        return [sqlite(), on_pg.result()]
