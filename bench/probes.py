"""Programs the benchmarks run in a process of their own (a fresh interpreter each time).

    python -m bench.probes signin URL USER PASSWORD   sign in through the real window
    python -m bench.probes watch URL DAY ID...        a live day board, reporting changes

``BARE_WINDOW`` is the baseline program: a bare PySide6 window with a QTableView that
prints the same marker as the desk once painted, then its peak RSS.
"""

from __future__ import annotations

import inspect
import json
import resource
import sys
import time
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

SHOWN_MARKER = "desk-bench: window shown"  # the same text as desk.ui.app.SHOWN_MARKER

def rss_now_kb() -> int:
    """This process's resident set size now, in KiB (0 where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_kb() -> int:
    """This process's peak resident set size in KiB.

    Linux keeps ``ru_maxrss`` across fork and exec, so a probe started by a big process
    would report its parent's peak; VmHWM belongs to the process's own address space.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


BARE_WINDOW = f"""
import json, resource, sys
{inspect.getsource(peak_rss_kb)}
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView, QVBoxLayout, QWidget

class Shown(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.report)
        return False

    def report(self):
        print({SHOWN_MARKER!r}, flush=True)
        print(json.dumps({{"maxrss_kb": peak_rss_kb()}}), flush=True)
        app.quit()

app = QApplication(sys.argv[:1])
window = QWidget()
window.setWindowTitle("Bare window")
table = QTableView()
table.setModel(QStandardItemModel(0, 6))
QVBoxLayout(window).addWidget(table)
shown = Shown()
window.installEventFilter(shown)
window.show()
sys.exit(app.exec())
"""

DESK_MAIN = "import sys\nfrom desk.cli import main\nsys.exit(main())\n"


class _OnPaint(QObject):
    """Calls ``then`` at every paint of the watched widgets."""

    def __init__(self, then: Callable[[], None]) -> None:
        super().__init__()
        self._then = then

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self._then()
        return False


def _wait(app: QApplication, done: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the desk did not get there in time")
        app.processEvents()
        time.sleep(0.002)


def signin(url: str, username: str, password: str) -> dict[str, object]:
    """Start the desk as ``desk`` does; time the Sign in click until the board has painted."""
    from desk.ui.app import DeskApp

    app = QApplication(sys.argv[:1])
    desk_app = DeskApp(url)
    desk_app.start()
    _wait(app, desk_app.sign_in.username.isEnabled)  # the database is open
    desk_app.sign_in.username.setText(username)
    desk_app.sign_in.password.setText(password)
    shown: list[float] = []

    def board_painted() -> None:
        window = desk_app.main_window
        if window is not None and not shown and window.board.model.rowCount() > 0:
            shown.append(time.perf_counter())

    watcher = _OnPaint(board_painted)

    def signed_in(_actor: object) -> None:  # connected after DeskApp's own slot
        assert desk_app.main_window is not None
        desk_app.main_window.board.table.viewport().installEventFilter(watcher)

    desk_app.sign_in.signed_in.connect(signed_in)
    start = time.perf_counter()
    desk_app.sign_in.sign_in_button.click()
    _wait(app, lambda: bool(shown))
    seconds = shown[0] - start
    board = desk_app.main_window.board if desk_app.main_window else None
    rows = board.model.rowCount() if board else 0
    deadline = time.monotonic() + 0.3  # let the window settle: timers, late layouts
    _wait(app, lambda: time.monotonic() > deadline)
    result: dict[str, object] = {
        "signin_to_board_s": seconds, "rows": rows, "maxrss_kb": peak_rss_kb(),
        "rss_now_kb": rss_now_kb(),
    }
    if desk_app.main_window is not None:
        desk_app.main_window.board.set_active(False)
    desk_app.shut_down()
    return result


def watch(url: str, day: date, visit_ids: list[int]) -> None:
    """A day board on ``day`` polling as the desk does; prints the cancelled visits it shows.

    One JSON line per board change: ``{"t": monotonic seconds, "cancelled": [ids]}``,
    printed on the event-loop turn after the model changed (with its paint), and one per
    polling tick: ``{"tick": monotonic seconds}``. Runs until killed.
    """
    from bench.clinic import signed_in as signed_in_desk
    from desk.services.context import Desk
    from desk.services.database import open_database
    from desk.services.settings import clinic_info
    from desk.ui.board import DayBoard
    from desk.ui.session import Session

    app = QApplication(sys.argv[:1])
    desk = signed_in_desk(Desk(open_database(url), workstation="bench-watch"))
    polled = DayBoard.poll

    def poll(self: DayBoard) -> None:  # each polling tick, before the board looks
        print(json.dumps({"tick": time.monotonic()}), flush=True)
        polled(self)

    DayBoard.poll = poll  # type: ignore[method-assign]
    board = DayBoard(Session(desk, clinic_info(desk), url))
    board.show_day(day)
    board.resize(1100, 640)
    board.show()
    watched = set(visit_ids)

    def report() -> None:
        cancelled = [
            row.visit_id for row in board.model.rows()
            if row.visit_id in watched and row.status == "cancelled"
        ]
        print(json.dumps({"t": time.monotonic(), "cancelled": cancelled}), flush=True)

    # The board updates rows in place (or resets): any of these may carry the change.
    for signal in (board.model.modelReset, board.model.dataChanged, board.model.rowsInserted,
                   board.model.rowsRemoved):
        signal.connect(lambda *_args: QTimer.singleShot(0, report))
    QTimer.singleShot(0, report)
    sys.exit(app.exec())


def main(argv: list[str]) -> int:
    command, url, *rest = argv
    if command == "signin":
        print(json.dumps(signin(url, rest[0], rest[1])), flush=True)
        return 0
    if command == "watch":
        watch(url, date.fromisoformat(rest[0]), [int(v) for v in rest[1:]])
        return 0
    print(f"unknown probe {command!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
