"""Start the GUI: the sign-in window first, then the database (migrations) behind it.

The window appears before SQLAlchemy and the services are even imported; the database is
opened on a worker thread right after, and a new clinic gets the setup wizard instead.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from desk.domain.errors import DeskError
from desk.ui.messages import GENERIC, error_text, log_unexpected, show_message
from desk.ui.signin import SignInDialog
from desk.ui.tasks import run_in_background, wait_for_background_work

if TYPE_CHECKING:
    from desk.services.context import Actor, Desk
    from desk.services.settings import ClinicInfo
    from desk.ui.mainwindow import MainWindow
    from desk.ui.wizard import SetupResult, SetupWizard

log = logging.getLogger(__name__)

# The start-up benchmark (bench/startup.py) sets this: print SHOWN_MARKER and quit once
# the sign-in window has painted, so "process start to window shown" can be timed.
EXIT_ON_SHOWN = "DESK_BENCH_EXIT_ON_SHOWN"
SHOWN_MARKER = "desk-bench: window shown"


@dataclass(frozen=True)
class OpenedDatabase:
    desk: Desk
    clinic: ClinicInfo | None  # None: no clinic yet, run the setup wizard
    location: str


def open_clinic_database(url: str) -> OpenedDatabase:
    """Runs on a worker thread: import the heavy parts, migrate, look for a clinic."""
    from desk.config import workstation_name
    from desk.services.context import Desk
    from desk.services.database import is_initialised, location_text, open_database
    from desk.services.settings import clinic_info
    from desk.services.witness import witness_for

    engine = open_database(url)
    desk = Desk(engine, workstation=workstation_name(), witness=witness_for(engine.url))
    clinic = clinic_info(desk) if is_initialised(engine) else None
    return OpenedDatabase(desk, clinic, location_text(engine))


class _QuitWhenPainted(QObject):
    """Benchmark hook: after the watched window's first paint, print the marker and quit."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        print(SHOWN_MARKER, flush=True)
        QApplication.quit()


class DeskApp(QObject):
    """Walks a person from start-up to the main window: sign-in or setup wizard."""

    def __init__(self, database_url: str) -> None:
        super().__init__()
        self._url = database_url
        self._opened: OpenedDatabase | None = None
        self.main_window: MainWindow | None = None
        self.wizard: SetupWizard | None = None
        self.first_start_box: QMessageBox | None = None
        self.sign_in = SignInDialog()
        self.sign_in.signed_in.connect(self._signed_in)
        self.sign_in.retry_requested.connect(self._open_database)
        self.sign_in.rejected.connect(QApplication.quit)

    def start(self) -> None:
        if os.environ.get(EXIT_ON_SHOWN) == "1":
            self._bench_hook = _QuitWhenPainted(self)
            self.sign_in.installEventFilter(self._bench_hook)
        self.sign_in.show()
        # Let the window paint before the slow part starts.
        QTimer.singleShot(0, self._open_database)

    def _open_database(self) -> None:
        url = self._url
        run_in_background(
            self.sign_in, lambda: open_clinic_database(url), self._opened_database, self._failed
        )

    def _failed(self, error: BaseException) -> None:
        self.sign_in.show_startup_error(error_text(error))

    def _opened_database(self, opened: OpenedDatabase) -> None:
        self._opened = opened
        if opened.clinic is None:
            self._first_start(opened)
        else:
            self.sign_in.attach(
                opened.desk, opened.clinic.name, opened.clinic.break_glass_enabled
            )

    def _first_start(self, opened: OpenedDatabase) -> None:
        """No clinic here yet: set up a new clinic, or join the clinic's shared database."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Infusion Desk — first start",
            "This computer is not connected to a clinic yet.\n\n"
            "Set up a new clinic here, or connect this workstation to the clinic's "
            "shared database.",
            parent=self.sign_in,
        )
        new = box.addButton("&New clinic", QMessageBox.ButtonRole.AcceptRole)
        join = box.addButton(
            "&Connect to the clinic's database", QMessageBox.ButtonRole.ActionRole
        )
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(new)
        self.first_start_box = box

        def chosen() -> None:
            clicked = box.clickedButton()
            self.first_start_box = None
            if clicked is new:
                self._start_wizard(opened.desk)
            elif clicked is join:
                self._connect_workstation(opened)
            else:
                QApplication.quit()

        # open(), not exec(): no nested event loop while the worker threads finish.
        box.finished.connect(lambda _code: chosen())
        box.open()

    def _connect_workstation(self, opened: OpenedDatabase) -> None:
        from desk.ui.connect import ConnectDialog

        dialog = ConnectDialog(self.sign_in)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.database_url:
            opened.desk.engine.dispose()
            self._url = dialog.database_url
            self._open_database()  # migrates the clinic's database, then sign-in
        else:
            self._first_start(opened)

    def _start_wizard(self, desk: Desk) -> None:
        from desk.ui.wizard import SetupWizard

        self.wizard = SetupWizard(desk)
        self.wizard.completed.connect(self._setup_completed)
        self.wizard.rejected.connect(QApplication.quit)
        self.wizard.show()
        self.sign_in.hide()

    def _setup_completed(self, result: SetupResult) -> None:
        window = self._signed_in(result.actor)
        if result.demo_problem:
            show_message(window, result.demo_problem, icon=QMessageBox.Icon.Warning)

    def _signed_in(self, actor: Actor) -> MainWindow:
        from desk.services.settings import clinic_info
        from desk.ui.mainwindow import MainWindow
        from desk.ui.session import Session

        assert self._opened is not None
        desk = self._opened.desk.as_actor(actor)
        session = Session(desk, clinic_info(desk), self._opened.location)
        self.main_window = MainWindow(session, desk.workstation)
        self.main_window.show()
        log.info("signed in: staff id %s", actor.staff_id)
        return self.main_window

    def shut_down(self) -> None:
        wait_for_background_work()
        if self._opened is not None:
            self._opened.desk.engine.dispose()


_showing_crash = False


def excepthook(
    kind: type[BaseException], error: BaseException, tb: TracebackType | None
) -> None:
    """Last resort for errors nobody caught: log where (no PHI) and tell the person."""
    global _showing_crash
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    if isinstance(error, DeskError):
        text = str(error)
    else:
        log_unexpected(kind, error, tb)
        text = GENERIC
    if _showing_crash:  # a failure while showing the last one: logged is all we can do
        return
    _showing_crash = True
    try:
        show_message(QApplication.activeWindow(), text, icon=QMessageBox.Icon.Critical)
    finally:
        _showing_crash = False


def run(database_url: str) -> int:
    """Run the desktop application on ``database_url``; the exit code for the process."""
    from desk.logs import setup_logging

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Infusion Desk")
    app.setApplicationDisplayName("Infusion Desk")
    setup_logging()
    sys.excepthook = excepthook
    from desk.config import password_missing

    if password_missing(database_url):  # the server password is not kept on this PC
        from desk.ui.connect import ask_database_password

        asked = ask_database_password(database_url)
        if asked is None:
            return 0
        database_url = asked
    desk_app = DeskApp(database_url)
    desk_app.start()
    code = app.exec()
    desk_app.shut_down()
    return code
