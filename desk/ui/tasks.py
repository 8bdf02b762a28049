"""Run slow work (argon2, migrations, demo data) off the UI thread and hand the result back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

# Relays waiting for their worker: kept alive here, because nothing else holds them.
_pending: set[_Relay] = set()


class _Relay(QObject):
    """Lives on the UI thread; signals emitted by the worker are queued to its slots."""

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        owner: QObject,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        super().__init__()
        self._owner = owner
        self._on_done = on_done
        self._on_error = on_error
        self.succeeded.connect(self._deliver_result)
        self.failed.connect(self._deliver_error)

    @Slot(object)
    def _deliver_result(self, result: object) -> None:
        self._finish(lambda: self._on_done(result))

    @Slot(object)
    def _deliver_error(self, error: object) -> None:
        assert isinstance(error, BaseException)
        self._finish(lambda: self._on_error(error))

    def _finish(self, call: Callable[[], None]) -> None:
        _pending.discard(self)
        # The window that asked may have been closed meanwhile: then nobody wants the answer.
        if shiboken6.isValid(self._owner):
            call()


def run_in_background(
    owner: QObject,
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
) -> None:
    """Call ``work()`` on a pool thread; ``on_done``/``on_error`` run later on the UI thread."""
    relay = _Relay(owner, on_done, on_error)
    _pending.add(relay)

    def job() -> None:
        try:
            result = work()
        except BaseException as exc:
            relay.failed.emit(exc)
        else:
            relay.succeeded.emit(result)

    QThreadPool.globalInstance().start(job)


def wait_for_background_work(msecs: int = 30_000) -> bool:
    """Block until pool threads are idle (application exit, tests)."""
    return QThreadPool.globalInstance().waitForDone(msecs)
