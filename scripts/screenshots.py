"""`make screenshots`: the user guide's pictures, taken of the real windows.

Builds a throw-away demo clinic (SQLite in a temporary folder, a fixed Wednesday morning),
signs in as the demo receptionist, nurse and admin in turn, opens each screen the guides
describe at a 1366×768 desk, and saves what Qt paints into ``resources/guide/screens``.
Run offscreen; nothing of a real clinic is touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, Qt
from PySide6.QtWidgets import QApplication, QWidget

from desk.resources import resource_path
from desk.services import auth, demo, settings, setup
from desk.services.context import Desk
from desk.services.database import open_database
from desk.ui.session import Session
from desk.ui.tasks import wait_for_background_work

SCREENS = resource_path("guide", "screens")
SCREEN_SIZE = (1366, 768)
WIDTH = 860  # as wide as the guide's page shows a picture without scrolling
# A fixed Wednesday, 10:30 local: the same pictures on every run.
MORNING = datetime(2026, 11, 25, 10, 30).astimezone().astimezone(UTC)


def settle(until: Callable[[], bool] = lambda: True, msecs: int = 5000) -> None:
    """Let queued work and painting finish (and ``until`` hold) before a grab."""
    timer = QElapsedTimer()
    timer.start()
    while timer.elapsed() < msecs:
        wait_for_background_work()
        QApplication.processEvents()
        if until():
            break
    QApplication.processEvents()


def grab(widget: QWidget, name: str) -> None:
    widget.show()
    widget.raise_()
    settle()
    picture = widget.grab()
    if picture.width() > WIDTH:
        picture = picture.scaledToWidth(WIDTH, Qt.TransformationMode.SmoothTransformation)
    if not picture.save(str(SCREENS / f"{name}.png")):
        raise OSError(f"could not write {name}.png")
    print(f"  {name}.png")


def demo_clinic(folder: Path) -> Desk:
    engine = open_database(f"sqlite:///{folder / 'demo.sqlite3'}")
    desk = Desk(engine, workstation="front-desk-1", clock=lambda: MORNING)
    admin = setup.initialise(desk, clinic_name="Harbour Ketamine Clinic",
                             admin_username="admin", admin_full_name="Clinic Admin",
                             admin_password="guide-admin-password")
    demo.load_demo(desk.as_actor(admin), patients=300, seed=1)
    return desk


def signed_in(desk: Desk, username: str) -> Session:
    actor = auth.sign_in(desk, username, demo.DEMO_PASSWORD)
    person = desk.as_actor(actor)
    return Session(person, settings.clinic_info(person), "demo.sqlite3")


def reception(desk: Desk) -> None:
    from desk.ui.booking import SeriesBookingDialog
    from desk.ui.call_list import CallListDialog
    from desk.ui.checkin import open_check_in
    from desk.ui.mainwindow import MainWindow
    from desk.ui.patient_form import open_patient_record
    from desk.ui.search import PatientSearchDialog
    from desk.ui.signin import SignInDialog

    grab(SignInDialog(), "signin")
    session = signed_in(desk, "rita")
    window = MainWindow(session, "front-desk-1")
    window.resize(*SCREEN_SIZE)
    window.show()
    settle(lambda: not window.board.loading)
    grab(window, "board")
    first = window.board.model.rows()[0]
    find = PatientSearchDialog(session, window)
    find.show_search()
    find.search.box.setText(first.patient_name.split()[0])  # a first name, as often typed
    settle(lambda: find.search.model.rowCount() > 0)
    grab(find, "find")
    patient_id = first.patient_id
    find.close()
    record = open_patient_record(session, patient_id, window)
    assert record is not None
    grab(record, "record")
    record.close()
    series = SeriesBookingDialog(session, patient_id, parent=window)
    series.propose()
    grab(series, "series")
    series.close()
    scheduled = next(r for r in window.board.model.rows() if r.status == "scheduled")
    check_in = open_check_in(session, scheduled.visit_id, window)
    grab(check_in, "checkin")
    check_in.close()
    calls = CallListDialog(session, None, window)
    grab(calls, "call-list")
    calls.close()
    window.close()


def nursing(desk: Desk) -> None:
    from desk.ui.mainwindow import MainWindow

    session = signed_in(desk, "nina")
    window = MainWindow(session, "infusion-room")
    window.resize(*SCREEN_SIZE)
    window.show()
    window.show_nurse_station()
    settle()
    grab(window, "nurse-station")
    window.close()


def administration(desk: Desk) -> None:
    from desk.ui.clinic_settings import ClinicSettingsDialog
    from desk.ui.staff_admin import StaffDialog

    session = signed_in(desk, "olga")
    grab(StaffDialog(session), "staff")
    grab(ClinicSettingsDialog(session), "settings")


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    del app
    SCREENS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="desk-screens-") as folder:
        print(f"Taking the user guide's screenshots into {SCREENS}:")
        desk = demo_clinic(Path(folder))
        try:
            reception(desk)
            nursing(desk)
            administration(desk)
        finally:
            wait_for_background_work()
            desk.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
