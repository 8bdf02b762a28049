"""Canaries for the Qt binding: emitting signals and starting pool jobs must not leak references.

PySide6 6.12.0 on CPython 3.11 drops one reference to ``True`` on every ``Signal.emit()`` and
one to ``None`` on every ``QThreadPool.start()``: a desk left open runs the count to zero and
aborts ("deallocating None") within about two hours (issue 19). These tests fail on such a
binding within seconds. They need nothing but PySide6 and pytest-qt, so a candidate release
can be checked on its own: ``pytest --noconftest tests/ui/test_binding_canary.py``.

The work runs in batches and stops at the first batch that loses references: a leaking
binding must fail the test, not run the count to zero and abort the whole test run.
On CPython 3.12+ the singletons are immortal and their counts never move: the tests pass
there whatever the binding does, which is why CI keeps running them on 3.11.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

ROUNDS = 20_000
BATCH = 500
# Interpreter internals move a few references about; a leak moves a whole batch of them.
SLACK = BATCH // 2
SINGLETONS = {"True": True, "False": False, "None": None}


class Emitter(QObject):
    with_value = Signal(object)
    bare = Signal()


class Job(QRunnable):
    def __init__(self, work: Callable[[], None]) -> None:
        super().__init__()
        self.work = work

    def run(self) -> None:
        self.work()


def counts() -> dict[str, int]:
    return {name: sys.getrefcount(value) for name, value in SINGLETONS.items()}


def in_batches(step: Callable[[int], None], after_batch: Callable[[], None] = lambda: None) -> None:
    """Run ``step(i)`` ROUNDS times; after each batch, fail if any singleton lost references."""
    # The garbage collector freeing objects of earlier tests (many hold None) would look
    # like a leak: collect first, then keep it out of the measurement.
    gc.collect()
    gc.disable()
    try:
        _check_batches(step, after_batch)
    finally:
        gc.enable()


def _check_batches(step: Callable[[int], None], after_batch: Callable[[], None]) -> None:
    before = counts()
    for start in range(0, ROUNDS, BATCH):
        for i in range(start, start + BATCH):
            step(i)
        after_batch()
        now = counts()
        fallen = {n: (before[n], now[n]) for n in before if now[n] < before[n] - SLACK}
        assert fallen == {}, f"after {start + BATCH} rounds, (before, now) fell: {fallen}"


def test_emitting_on_the_ui_thread_keeps_every_reference(qapp: object) -> None:
    emitter = Emitter()
    received: list[object] = []
    emitter.with_value.connect(received.append)
    emitter.bare.connect(lambda: None)

    def step(i: int) -> None:
        emitter.with_value.emit(i)
        emitter.bare.emit()

    in_batches(step)
    assert len(received) == ROUNDS


def test_emitting_from_a_worker_thread_keeps_every_reference(qtbot) -> None:
    emitter = Emitter()
    received: list[object] = []
    # The receiver lives on the UI thread: each emit is queued across threads.
    emitter.with_value.connect(received.append)

    emitted = 0

    def emit_batch_from_a_thread(start: int) -> None:
        nonlocal emitted
        if start % BATCH:
            return
        thread = threading.Thread(
            target=lambda: [emitter.with_value.emit(i) for i in range(start, start + BATCH)]
        )
        thread.start()
        thread.join()
        emitted += BATCH

    def delivered() -> None:
        qtbot.waitUntil(lambda: len(received) == emitted, timeout=30_000)

    in_batches(emit_batch_from_a_thread, delivered)
    assert len(received) == ROUNDS


def test_starting_pool_jobs_keeps_every_reference(qapp: object) -> None:
    pool = QThreadPool()
    done: list[int] = []
    lock = threading.Lock()

    def job() -> None:
        with lock:
            done.append(1)

    def start(i: int) -> None:
        pool.start(job if i % 2 else Job(job))

    in_batches(start, lambda: pool.waitForDone(60_000))
    assert len(done) == ROUNDS
