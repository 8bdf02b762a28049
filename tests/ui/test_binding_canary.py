"""Canaries for the Qt binding: emitting signals and starting pool jobs must not leak references.

PySide6 6.12.0 on CPython 3.11 drops one reference to ``True`` on every ``Signal.emit()`` and
one to ``None`` on every ``QThreadPool.start()``: a desk left open runs the count to zero and
aborts ("deallocating None") within about two hours (issue 19). These tests fail on such a
binding within seconds.

Each scenario runs in a fresh interpreter (``python -m tests.ui.test_binding_canary NAME``)
that imports nothing but PySide6: inside the test run, other tests' windows being deleted
and their garbage collected lower the counts of ``None`` too, which would look like a leak.
The work runs in batches and stops at the first batch that loses references, so a leaking
binding fails the scenario instead of running the count to zero. On CPython 3.12+ the
singletons are immortal and their counts never move: the scenarios pass there whatever the
binding does, which is why CI keeps running them on 3.11.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROUNDS = 20_000
BATCH = 500
# Interpreter internals move a few references about; a leak moves a whole batch of them.
SLACK = BATCH // 2
SINGLETONS = {"True": True, "False": False, "None": None}
REPO = Path(__file__).resolve().parents[2]


def counts() -> dict[str, int]:
    return {name: sys.getrefcount(value) for name, value in SINGLETONS.items()}


def in_batches(step: Callable[[int], None], after_batch: Callable[[], None]) -> None:
    """Run ``step(i)`` ROUNDS times; after each batch, fail if any singleton lost references."""
    gc.collect()
    gc.disable()
    before = counts()
    for start in range(0, ROUNDS, BATCH):
        for i in range(start, start + BATCH):
            step(i)
        after_batch()
        now = counts()
        fallen = {n: (before[n], now[n]) for n in before if now[n] < before[n] - SLACK}
        if fallen:
            raise AssertionError(f"after {start + BATCH} rounds, (before, now) fell: {fallen}")


def emit_on_the_ui_thread() -> None:
    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        with_value = Signal(object)
        bare = Signal()

    emitter = Emitter()
    received: list[object] = []
    emitter.with_value.connect(received.append)
    emitter.bare.connect(lambda: None)

    def step(i: int) -> None:
        emitter.with_value.emit(i)
        emitter.bare.emit()

    in_batches(step, lambda: None)
    assert len(received) == ROUNDS


def emit_from_a_worker_thread() -> None:
    from PySide6.QtCore import QCoreApplication, QObject, Signal

    class Emitter(QObject):
        with_value = Signal(object)

    emitter = Emitter()
    received: list[object] = []
    # The receiver lives on the UI thread: each emit is queued across threads.
    emitter.with_value.connect(received.append)
    emitted = 0

    def step(i: int) -> None:
        nonlocal emitted
        if i % BATCH:
            return
        thread = threading.Thread(
            target=lambda: [emitter.with_value.emit(n) for n in range(i, i + BATCH)]
        )
        thread.start()
        thread.join()
        emitted += BATCH

    def delivered() -> None:
        deadline = time.monotonic() + 30
        while len(received) < emitted and time.monotonic() < deadline:
            QCoreApplication.processEvents()

    in_batches(step, delivered)
    assert len(received) == ROUNDS


def start_pool_jobs() -> None:
    from PySide6.QtCore import QRunnable, QThreadPool

    class Job(QRunnable):
        def __init__(self, work: Callable[[], None]) -> None:
            super().__init__()
            self.work = work

        def run(self) -> None:
            self.work()

    pool = QThreadPool()
    done: list[int] = []
    lock = threading.Lock()

    def job() -> None:
        with lock:
            done.append(1)

    def step(i: int) -> None:
        pool.start(job if i % 2 else Job(job))

    in_batches(step, lambda: pool.waitForDone(60_000))
    assert len(done) == ROUNDS


SCENARIOS: dict[str, Callable[[], None]] = {
    "ui-thread": emit_on_the_ui_thread,
    "worker-thread": emit_from_a_worker_thread,
    "pool": start_pool_jobs,
}


def run_alone(name: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "tests.ui.test_binding_canary", name],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_binding_keeps_every_reference(name: str) -> None:
    """Emitting on the UI thread, from a worker, and starting pool jobs, 20 000 times each."""
    run = run_alone(name)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == f"{name}: ok"


if __name__ == "__main__":
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication(sys.argv[:1])
    scenario = sys.argv[1]
    try:
        SCENARIOS[scenario]()
    except AssertionError as failure:
        print(f"{scenario}: {failure}", file=sys.stderr, flush=True)
        os._exit(1)  # a damaged binding may abort on the way out: the verdict is said
    print(f"{scenario}: ok", flush=True)
