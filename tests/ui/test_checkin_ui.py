"""The check-in dialog by its labels and keyboard: DOB read-back, lateness, the override."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from desk.domain.booking import VisitType
from desk.domain.roles import Role
from desk.domain.visit_states import VisitState
from desk.services import booking
from desk.services.booking import VisitView
from desk.ui.checkin import CheckInDialog, open_check_in
from desk.ui.session import Session
from tests.helpers.fixtures import FakeClock, add_person
from tests.helpers.visits import add_patient
from tests.ui.conftest import button, field_for, screen_shows

TODAY = date(2026, 11, 25)


def book_at_two(session: Session, clock: FakeClock, *, screened: bool = True) -> VisitView:
    clock.now = datetime.combine(TODAY, time(8)).astimezone(UTC)
    patient = add_patient(session.desk, screened=screened)
    return booking.book_visit(
        session.desk, patient, VisitType.MOOD_INFUSION, datetime.combine(TODAY, time(14)),
        "Chair 2", screening_override_reason=None if screened else "letter on its way",
    )


def opened(qtbot: QtBot, session: Session, visit_id: int) -> CheckInDialog:
    dialog = open_check_in(session, visit_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def focus(qtbot: QtBot, field: QWidget) -> None:
    """Focus as a person's Tab or click does: the window active, the field focused."""
    window = field.window()
    window.activateWindow()
    qtbot.waitActive(window)
    field.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(field.hasFocus)


def test_check_in_reads_the_date_of_birth_back_and_marks_late(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    view = book_at_two(session, clock)
    clock.now = datetime.combine(TODAY, time(14, 10)).astimezone(UTC)
    dialog = opened(qtbot, session, view.id)
    assert screen_shows("(201) 555-0123") and screen_shows("Kim O'Neill (sister)")
    assert dialog.late.text() == "LATE — the slot started at 14:00"
    dob = field_for(dialog, "Date of birth")
    qtbot.keyClicks(dob, "07/15/1980")
    qtbot.keyClick(dob, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Confirm the phone number" in dialog.error.text(), timeout=5000)
    qtbot.keyClick(button(dialog, "Contact and emergency contact confirmed with the patient"),
                   Qt.Key.Key_Space)
    qtbot.keyClick(dob, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "date of birth does not match" in dialog.error.text(), timeout=5000)
    dob.clear()  # type: ignore[attr-defined]
    qtbot.keyClicks(dob, "05/17/1980")
    with qtbot.waitSignal(dialog.saved, timeout=5000) as saved:
        qtbot.keyClick(dob, Qt.Key.Key_Return)
    assert saved.args[0].status is VisitState.ARRIVED and saved.args[0].late
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_arrival_time_typed_before_the_slot_is_on_time(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    view = book_at_two(session, clock)
    clock.now = datetime.combine(TODAY, time(14, 10)).astimezone(UTC)
    dialog = opened(qtbot, session, view.id)
    arrival = field_for(dialog, "Arrived at")
    focus(qtbot, arrival)  # selects the time, so typing replaces it
    qtbot.keyClicks(arrival, "13:50")
    qtbot.keyClick(arrival, Qt.Key.Key_Tab)
    assert arrival.text() == "13:50"
    assert dialog.late.text() == "On time"
    qtbot.keyClicks(field_for(dialog, "Date of birth"), "05/17/1980")
    dialog.contact_ok.setChecked(True)
    with qtbot.waitSignal(dialog.saved, timeout=5000) as saved:
        qtbot.mouseClick(button(dialog, "Check in"), Qt.MouseButton.LeftButton)
    assert not saved.args[0].late


def test_arrival_time_steps_with_the_arrow_keys(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    view = book_at_two(session, clock)
    clock.now = datetime.combine(TODAY, time(14, 10)).astimezone(UTC)
    dialog = opened(qtbot, session, view.id)
    arrival = field_for(dialog, "Arrived at")
    for _ in range(11):
        qtbot.keyClick(arrival, Qt.Key.Key_Down)
    assert arrival.text() == "13:59"
    assert dialog.late.text() == "On time"


def test_an_arrival_that_is_not_a_time_is_said_and_the_time_kept(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    view = book_at_two(session, clock)
    clock.now = datetime.combine(TODAY, time(14, 10)).astimezone(UTC)
    dialog = opened(qtbot, session, view.id)
    arrival = field_for(dialog, "Arrived at")
    focus(qtbot, arrival)
    qtbot.keyClicks(arrival, "25:00")
    qtbot.keyClick(arrival, Qt.Key.Key_Tab)
    assert arrival.text() == "14:10"
    assert "“25:00” is not a time" in arrival.problem


def test_badly_typed_date_of_birth_says_how_to_type_it(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    view = book_at_two(session, clock)
    dialog = opened(qtbot, session, view.id)
    qtbot.keyClicks(field_for(dialog, "Date of birth"), "17 May 80")
    qtbot.mouseClick(button(dialog, "Check in"), Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "Type the date of birth as MM/DD/YYYY."


def test_nurse_overrides_incomplete_screening_with_a_reason(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    view = book_at_two(session, clock, screened=False)
    clock.now = datetime.combine(TODAY, time(13, 50)).astimezone(UTC)
    dialog = opened(qtbot, session, view.id)  # the admin may override
    assert screen_shows("Missing: indication")
    qtbot.keyClicks(field_for(dialog, "Date of birth"), "05/17/1980")
    dialog.contact_ok.setChecked(True)
    qtbot.mouseClick(button(dialog, "Check in"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "screening is not complete" in dialog.error.text(), timeout=5000)
    qtbot.keyClicks(field_for(dialog, "Override reason"), "Dr Hale confirmed by phone")
    with qtbot.waitSignal(dialog.saved, timeout=5000) as saved:
        qtbot.mouseClick(button(dialog, "Check in"), Qt.MouseButton.LeftButton)
    assert saved.args[0].screening_override_by == "admin"


def test_receptionist_is_told_to_fetch_a_nurse_for_the_override(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    view = book_at_two(session, clock, screened=False)
    session.switch_to(add_person(session.desk, "rita", Role.RECEPTIONIST))
    dialog = opened(qtbot, session, view.id)
    assert screen_shows("A nurse or admin must override")
    assert not dialog.override.isVisible()
