"""Start the GUI: the sign-in window first, then the database (migrations) behind it.

The window appears before SQLAlchemy and the services are even imported; the database is
opened on a worker thread right after, and a new clinic gets the setup wizard instead.
No database file is created until the person chooses "New clinic" at the first start.
A refused database password opens the connection dialog (never the staff sign-in), and
a shared database that needs a schema upgrade waits for an admin's confirmation.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QMessageLogContext,
    QObject,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from desk.domain.errors import DeskError
from desk.ui.messages import GENERIC, error_text, log_unexpected, show_message
from desk.ui.signin import SignInDialog
from desk.ui.tasks import run_in_background, wait_for_background_work

if TYPE_CHECKING:
    from desk.services.context import Actor, Desk
    from desk.services.settings import ClinicInfo
    from desk.ui.connect import ConnectDialog
    from desk.ui.mainwindow import MainWindow
    from desk.ui.upgrade import UpgradeDialog
    from desk.ui.wizard import SetupResult, SetupWizard

log = logging.getLogger(__name__)

# The start-up benchmark (bench/startup.py) sets this: print SHOWN_MARKER and quit once
# the sign-in window has painted, so "process start to window shown" can be timed.
EXIT_ON_SHOWN = "DESK_BENCH_EXIT_ON_SHOWN"
SHOWN_MARKER = "desk-bench: window shown"


@dataclass(frozen=True)
class OpenedDatabase:
    desk: Desk | None  # None: no database file yet (created only for "New clinic")
    clinic: ClinicInfo | None  # None: no clinic yet, run the setup wizard
    location: str
    demo_hint: str = ""  # how to sign in, when the clinic is a demo


def open_clinic_database(url: str, *, log_start: bool = False) -> OpenedDatabase:
    """Runs on a worker thread: import the heavy parts, migrate, look for a clinic."""
    from desk.config import remember_working_password, workstation_name
    from desk.diagnostics import startup_lines
    from desk.services.auth import demo_sign_in_hint

    if log_start:  # here, not before the window: describing the server imports SQLAlchemy
        for line in startup_lines(url):
            log.info("%s", line)
    from desk.services.context import Desk
    from desk.services.database import (
        database_exists,
        is_initialised,
        location_text,
        open_database,
    )
    from desk.services.settings import clinic_info
    from desk.services.witness import witness_for

    if not database_exists(url):
        return OpenedDatabase(None, None, url)
    engine = open_database(url)
    remember_working_password(url)
    desk = Desk(engine, workstation=workstation_name(), witness=witness_for(engine.url))
    clinic = clinic_info(desk) if is_initialised(engine) else None
    hint = demo_sign_in_hint(desk) if clinic else ""
    return OpenedDatabase(desk, clinic, location_text(engine), hint)


def open_clinic_database_created(url: str) -> OpenedDatabase:
    """"New clinic" on a worker thread: create and migrate the database file, then open it."""
    from desk.services.database import make_database_folder, open_database

    make_database_folder(url)  # chosen here on purpose, unlike a mistyped --db
    open_database(url).dispose()
    return open_clinic_database(url)


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
        self._start_logged = False
        self.main_window: MainWindow | None = None
        self.wizard: SetupWizard | None = None
        self.first_start_box: QMessageBox | None = None
        self.connect_dialog: ConnectDialog | None = None
        self.upgrade_dialog: UpgradeDialog | None = None
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
        url, first = self._url, not self._start_logged
        self._start_logged = True
        run_in_background(
            self.sign_in,
            lambda: open_clinic_database(url, log_start=first),
            self._opened_database,
            self._failed,
        )

    def _failed(self, error: BaseException) -> None:
        from desk.domain.errors import DatabaseLoginRefused, UpgradeNeedsConfirmation

        if isinstance(error, DatabaseLoginRefused):
            self._reconnect(str(error))
        elif isinstance(error, UpgradeNeedsConfirmation):
            self._confirm_upgrade(str(error))
        else:
            self.sign_in.show_startup_error(error_text(error))

    def _reconnect(self, problem: str) -> None:
        """The stored server password was refused: the connection dialog, saying so."""
        from desk.ui.connect import ConnectDialog

        self.connect_dialog = ConnectDialog(
            self.sign_in,
            problem=f"{problem} Enter the database password again, then test and save.",
            current_url=self._url,
        )
        dialog = self.connect_dialog
        dialog.password.setFocus()

        def finished(code: int) -> None:
            self.connect_dialog = None
            if code == QDialog.DialogCode.Accepted and dialog.database_url:
                self._url = dialog.database_url
                self.sign_in.set_opening()
                self._open_database()
            else:
                self.sign_in.show_startup_error(problem)

        dialog.finished.connect(finished)
        dialog.open()

    def _confirm_upgrade(self, reason: str) -> None:
        from desk.ui.upgrade import UpgradeDialog

        self.upgrade_dialog = UpgradeDialog(self._url, reason, self.sign_in)
        dialog = self.upgrade_dialog

        def finished(code: int) -> None:
            self.upgrade_dialog = None
            if code == QDialog.DialogCode.Accepted:
                self.sign_in.set_opening()
                self._open_database()
            else:
                self.sign_in.show_startup_error(reason)

        dialog.finished.connect(finished)
        dialog.open()

    def _opened_database(self, opened: OpenedDatabase) -> None:
        self._opened = opened
        if opened.clinic is None:
            self._first_start(opened)
        else:
            assert opened.desk is not None
            self.sign_in.attach(
                opened.desk, opened.clinic.name, opened.clinic.break_glass_enabled,
                opened.demo_hint,
            )

    def _first_start(self, opened: OpenedDatabase) -> None:
        """No clinic here yet: set up a new clinic, or join the clinic's shared database."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "First start",
            "This computer is not connected to a clinic yet.\n\n"
            "Set up a new clinic here, or connect this workstation to the clinic's "
            "shared database.",
            parent=self.sign_in,
        )
        new = box.addButton("&New clinic", QMessageBox.ButtonRole.ActionRole)
        join = box.addButton(
            "&Connect to the clinic's database", QMessageBox.ButtonRole.AcceptRole
        )
        box.addButton(QMessageBox.StandardButton.Cancel)
        # Enter opens the connection dialog, which changes nothing until a test succeeds;
        # a new clinic (a database on this PC) is chosen only by name.
        box.setDefaultButton(join)
        self.first_start_box = box

        def chosen() -> None:
            clicked = box.clickedButton()
            self.first_start_box = None
            if clicked is new:
                self._create_clinic_database(opened)
            elif clicked is join:
                self._connect_workstation(opened)
            else:
                QApplication.quit()

        # open(), not exec(): no nested event loop while the worker threads finish.
        box.finished.connect(lambda _code: chosen())
        box.open()

    def _connect_workstation(self, opened: OpenedDatabase) -> None:
        from desk.ui.connect import ConnectDialog

        self.connect_dialog = ConnectDialog(self.sign_in)
        dialog = self.connect_dialog

        def finished(code: int) -> None:
            self.connect_dialog = None
            if code == QDialog.DialogCode.Accepted and dialog.database_url:
                if opened.desk is not None:
                    opened.desk.engine.dispose()
                self._url = dialog.database_url
                self._open_database()  # the clinic's database, then sign-in
            else:
                self._first_start(opened)

        dialog.finished.connect(finished)
        dialog.open()

    def _create_clinic_database(self, opened: OpenedDatabase) -> None:
        """"New clinic" chosen: only now is the local database file created."""
        if opened.desk is not None:
            self._start_wizard(opened)
            return
        url = self._url
        run_in_background(
            self.sign_in,
            lambda: open_clinic_database_created(url),
            self._created,
            self._failed,
        )

    def _created(self, opened: OpenedDatabase) -> None:
        self._opened = opened
        self._start_wizard(opened)

    def _start_wizard(self, opened: OpenedDatabase) -> None:
        from desk.ui.wizard import SetupWizard

        assert opened.desk is not None
        self.wizard = SetupWizard(opened.desk)
        self.wizard.completed.connect(self._setup_completed)
        # Cancelling the wizard goes back to the choice, not out of the program.
        self.wizard.rejected.connect(lambda: self._wizard_cancelled(opened))
        self.wizard.show()
        self.sign_in.hide()

    def _wizard_cancelled(self, opened: OpenedDatabase) -> None:
        self.wizard = None
        self.sign_in.show()
        self._first_start(opened)

    def _setup_completed(self, result: SetupResult) -> None:
        window = self._signed_in(result.actor)
        if result.demo_problem:
            show_message(window, result.demo_problem, icon=QMessageBox.Icon.Warning)

    def _signed_in(self, actor: Actor) -> MainWindow:
        from desk.services.settings import clinic_info
        from desk.ui.mainwindow import MainWindow
        from desk.ui.session import Session

        assert self._opened is not None and self._opened.desk is not None
        desk = self._opened.desk.as_actor(actor)
        session = Session(desk, clinic_info(desk), self._opened.location)
        self.main_window = MainWindow(session, desk.workstation)
        self.main_window.show()
        log.info("signed in: staff id %s", actor.staff_id)
        return self.main_window

    def shut_down(self) -> None:
        """After the event loop: workers first, then every window, then the database.

        Nothing is left for the interpreter to tear down in whatever order it likes: a
        widget or a queued signal outliving its QApplication is how desks died on exit.
        """
        wait_for_background_work()
        for widget in QApplication.topLevelWidgets():
            widget.close()
            widget.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.main_window = self.wizard = self.first_start_box = None
        self.connect_dialog = self.upgrade_dialog = None
        if self._opened is not None and self._opened.desk is not None:
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


def identify(app: QApplication) -> None:
    """Name the application and give every window the desk's icon (taskbar, title bar)."""
    from desk.resources import resource_path

    app.setApplicationName("Infusion Desk")
    app.setApplicationDisplayName("Infusion Desk")
    app.setWindowIcon(QIcon(str(resource_path("icons", "desk.png"))))


NO_WINDOW = (
    "desk: cannot open a window on this display: Qt could not start its display plugin "
    "(a system library may be missing; see “What a Linux PC needs” in the installer guide)"
)


def _fatal_display_error(mode: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's own fatal start-up message advises reinstalling: say what it means, log it."""
    if mode != QtMsgType.QtFatalMsg:  # Qt's notes on the way (which plugin it tried): IT's log
        log.info("Qt while opening the display: %s", message)
        return
    from desk import __version__

    log.error(
        "Infusion Desk %s: no window could be opened: %s",
        __version__,
        message.splitlines()[0] if message else "",
    )
    sys.stderr.write(f"{NO_WINDOW}\n")
    logging.shutdown()
    os._exit(1)  # Qt would abort() right after this handler returns


def run(database_url: str) -> int:
    """Run the desktop application on ``database_url``; the exit code for the process."""
    from desk.logs import setup_logging

    owned = QApplication.instance() is None
    setup_logging()
    previous = qInstallMessageHandler(_fatal_display_error)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    qInstallMessageHandler(previous)
    assert isinstance(app, QApplication)
    identify(app)
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
    if owned:  # destroyed here, in order, not by the interpreter at exit
        del desk_app
        app.shutdown()
    return code
