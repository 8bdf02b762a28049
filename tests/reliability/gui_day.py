"""A desk run the way staff run it, in a process of its own: start, sign in, work, quit.

``python -m tests.reliability.gui_day URL MODE`` starts the real desk (``desk.cli.main``:
the in-use lock, the sign-in window, the main window, the shutdown) and drives it from a
timer on the UI thread, the way a person's clicks arrive:

- ``quit``: sign in, the board, open one dialog, close it, File → Quit.
- ``soak``: a clinic day compressed into a minute or two: the board polls every
  ``POLL_MS`` for ``POLLS`` polls (while the test's writer process commits work), and
  meanwhile ``KEYSTROKES`` keys are typed into Find and dialogs are opened and closed
  ``DIALOGS`` times; then File → Quit.

Before quitting it prints one JSON line of figures (``gui-day: {...}``); the exit status
is the desk's own, so an abort while the interpreter finalises shows as a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QWidget

from tests.helpers.clinic_flow import ADMIN_PASSWORD

POLL_MS = int(os.environ.get("GUI_DAY_POLL_MS", "5"))
POLLS = int(os.environ.get("GUI_DAY_POLLS", "20000"))
KEYSTROKES = int(os.environ.get("GUI_DAY_KEYSTROKES", "5000"))
DIALOGS = int(os.environ.get("GUI_DAY_DIALOGS", "1000"))
# What a receptionist types into Find: names, an MRN prefix, the last digits of a phone.
TYPED = ("smith", "mar", "lee", "0199", "garcia", "o'b")
# Menu entries that open a dialog, by shortcut or by their words (the board's selected
# visit serves those that need one).
DIALOG_ACTIONS = (
    "Ctrl+N", "Ctrl+R", "Ctrl+Shift+C", "Ctrl+P", "Ctrl+T",
    "Staff", "Clinic settings", "Audit trail", "Consent templates",
)
FIND, QUIT = "Ctrl+F", "Ctrl+Q"

Step = Callable[[], bool] | None  # what the driver waits for before its next step


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux: /proc; elsewhere the peak)."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def top_dialogs() -> set[QWidget]:
    return {w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()}


def find_action(window: QWidget, key: str) -> QAction:
    """The window's menu entry with this shortcut, or whose words start with ``key``."""
    for action in window.findChildren(QAction):
        if action.shortcut().toString() == key or action.text().replace("&", "").startswith(key):
            return action
    raise LookupError(f"no menu entry {key!r}")


class Driver(QObject):
    """Runs a generator of steps on a timer; each step yields what to wait for next."""

    def __init__(self, steps: Iterator[Step]) -> None:
        super().__init__()
        self._steps = steps
        self._waiting: Step = None
        self._timer = QTimer(self, interval=0)
        self._timer.timeout.connect(self._tick)
        self.figures: dict[str, object] = {}

    def start(self) -> None:
        self._timer.start()

    def _tick(self) -> None:
        if self._waiting is not None and not self._waiting():
            return
        try:
            self._waiting = next(self._steps)
        except StopIteration:
            self._timer.stop()
        except BaseException:  # the script itself failed: say where, and end the desk
            traceback.print_exc()
            self._timer.stop()
            QApplication.exit(3)


class Day:
    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.figures: dict[str, object] = {"mode": mode}
        self.window: QWidget | None = None

    # --- sign in ----------------------------------------------------------------------

    def steps(self) -> Iterator[Step]:
        yield from self.sign_in()
        if self.mode == "soak":
            yield from self.soak()
        else:
            yield from self.open_and_close(find_action(self.main, FIND))
        self.figures["rss_end_mb"] = round(rss_mb(), 1)
        print("gui-day: " + json.dumps(self.figures), flush=True)
        QTimer.singleShot(0, find_action(self.main, QUIT).trigger)

    @property
    def main(self) -> QWidget:
        assert self.window is not None
        return self.window

    def sign_in(self) -> Iterator[Step]:
        from desk.ui.mainwindow import MainWindow
        from desk.ui.signin import SignInDialog

        def sign_in_ready() -> bool:
            dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog)]
            return bool(dialogs) and dialogs[0].username.isEnabled()

        yield sign_in_ready
        (dialog,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog)]
        QTest.keyClicks(dialog.username, "admin")
        QTest.keyClicks(dialog.password, ADMIN_PASSWORD)
        QTest.keyClick(dialog.password, Qt.Key.Key_Return)

        def main_window() -> bool:
            windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
            if windows and windows[0].isVisible():
                self.window = windows[0]
                return True
            return False

        yield main_window

    # --- the work -----------------------------------------------------------------------

    def open_and_close(self, action: QAction) -> Iterator[Step]:
        """Trigger a menu entry as a click would, wait for its dialog, close it."""
        before = top_dialogs()
        # Later, not here: a dialog that runs its own event loop must not nest inside a step.
        QTimer.singleShot(0, action.trigger)
        started = time.monotonic()
        yield lambda: bool(top_dialogs() - before) or time.monotonic() - started > 5
        opened = top_dialogs() - before
        if not opened:
            raise AssertionError(f"{action.text()!r} opened no dialog")
        for dialog in opened:
            dialog.reject()
        yield None

    def soak(self) -> Iterator[Step]:
        board = self.main.board  # type: ignore[attr-defined]
        board.table.selectRow(0)
        counted = itertools.count(1)
        polls = {"n": 0}
        board.refresh_timer.timeout.connect(lambda: polls.update(n=next(counted)))
        board.refresh_timer.setInterval(POLL_MS)
        started = time.monotonic()
        keys = self.keystrokes()
        actions = itertools.cycle([find_action(self.main, key) for key in DIALOG_ACTIONS])
        typed = opened = 0
        # Typing and dialogs take turns (a dialog is modal: typing waits until it closes);
        # the board's timer keeps polling underneath both.
        per_dialog = max(1, KEYSTROKES // max(1, DIALOGS))
        while polls["n"] < POLLS or typed < KEYSTROKES or opened < DIALOGS:
            for _ in range(per_dialog if typed < KEYSTROKES else 0):
                typed += next(keys)
                yield None
            if opened < DIALOGS:
                yield from self.open_and_close(next(actions))
                opened += 1
            if opened == DIALOGS // 10 and "rss_warm_mb" not in self.figures:
                self.figures["rss_warm_mb"] = round(rss_mb(), 1)
            yield None
        board.refresh_timer.setInterval(1000)
        self.figures.update(
            polls=polls["n"], keystrokes=typed, dialogs=opened,
            seconds=round(time.monotonic() - started, 1),
        )

    def keystrokes(self) -> Iterator[int]:
        """One keystroke into Find per call (the Find window is opened first, and stays)."""
        find_action(self.main, FIND).trigger()
        (box,) = [
            w for w in QApplication.allWidgets()
            if isinstance(w, QLineEdit) and w.objectName() == "patientSearchBox"
        ]
        for word in itertools.cycle(TYPED):
            for char in word:
                QTest.keyClick(box, char)
                yield 1
            for _ in word:
                QTest.keyClick(box, Qt.Key.Key_Backspace)
                yield 1


def main(argv: list[str]) -> int:
    """Run the desk as ``desk --db URL`` would, with the driver started beside it."""
    url, mode = argv
    from desk import cli
    from desk.ui import app

    day = Day(mode)
    start = app.DeskApp.start

    def start_with_driver(desk_app: app.DeskApp) -> None:
        # Here, not earlier: the desk creates (and at the end destroys) its own QApplication.
        start(desk_app)
        driver = Driver(day.steps())
        driver.setParent(desk_app)
        driver.start()

    app.DeskApp.start = start_with_driver  # type: ignore[method-assign]
    return cli.main(["--db", url])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
