"""Booking dialogs driven by their labels and the keyboard: a series, one visit, a cancel."""

from __future__ import annotations

from datetime import date, datetime, time

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QComboBox, QDialog
from pytestqt.qtbot import QtBot

from desk.domain.booking import VisitType
from desk.domain.visit_states import VisitState
from desk.services import booking, visits
from desk.ui.booking import BookVisitDialog, SeriesBookingDialog
from desk.ui.datetime_fields import DayField
from desk.ui.session import Session
from desk.ui.visit_actions import VisitActionDialog
from tests.helpers.fixtures import FakeClock
from tests.helpers.visits import add_patient
from tests.ui.conftest import button, field_for, screen_shows

TOMORROW = date(2026, 11, 26)


def shown(qtbot: QtBot, dialog: QDialog) -> QDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def cell(dialog: SeriesBookingDialog, row: int, column: int) -> str:
    item = dialog.table.item(row, column)
    return item.text() if item else ""


def test_series_booking_proposes_six_slots_and_books_them_all(
    qtbot: QtBot, session: Session
) -> None:
    patient = add_patient(session.desk)
    dialog = SeriesBookingDialog(session, patient, start=TOMORROW)
    shown(qtbot, dialog)
    qtbot.mouseClick(button(dialog, "Pain Series"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button(dialog, "Propose slots"), Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 6
    assert [cell(dialog, r, 0) for r in range(6)] == [f"{i} of 6" for i in range(1, 7)]
    assert {cell(dialog, r, 5) for r in range(6)} == {"OK"}
    assert cell(dialog, 0, 3) == "12:00"  # a Pain Series infusion lasts three hours
    with qtbot.waitSignal(dialog.saved, timeout=5000) as saved:
        qtbot.mouseClick(button(dialog, "Book all"), Qt.MouseButton.LeftButton)
    visits = saved.args[0]
    assert [v.series_position for v in visits] == [f"{i} of 6" for i in range(1, 7)]
    assert visits[0].visit_type is VisitType.PAIN_INFUSION
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_moving_a_slot_onto_another_shows_the_clash_in_its_row(
    qtbot: QtBot, session: Session
) -> None:
    patient = add_patient(session.desk)
    dialog = SeriesBookingDialog(session, patient, start=TOMORROW)
    shown(qtbot, dialog)
    qtbot.mouseClick(button(dialog, "Propose slots"), Qt.MouseButton.LeftButton)
    second_date = dialog.table.cellWidget(1, 1)
    assert isinstance(second_date, DayField)
    second_date.setFocus()
    second_date.setDate(dialog.table.cellWidget(0, 1).date())  # type: ignore[union-attr]
    assert "The patient already has infusion 1 of this series" in cell(dialog, 1, 5)
    assert "The patient already has infusion 2 of this series" in cell(dialog, 0, 5)


def test_series_running_past_its_window_is_warned(qtbot: QtBot, session: Session) -> None:
    patient = add_patient(session.desk)
    dialog = SeriesBookingDialog(session, patient, start=TOMORROW)
    shown(qtbot, dialog)
    qtbot.mouseClick(button(dialog, "Propose slots"), Qt.MouseButton.LeftButton)
    last = dialog.table.cellWidget(5, 1)
    assert isinstance(last, DayField)
    last.setDate(last.date().addDays(21))
    assert "past its 21-day window" in dialog.notice.text()


def test_unscreened_patient_series_asks_for_an_override_reason(
    qtbot: QtBot, session: Session
) -> None:
    patient = add_patient(session.desk, screened=False)
    dialog = SeriesBookingDialog(session, patient, start=TOMORROW)
    shown(qtbot, dialog)
    qtbot.mouseClick(button(dialog, "Propose slots"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button(dialog, "Book all"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.override.isVisible(), timeout=5000)
    assert "screening incomplete" in dialog.override.message.text()
    qtbot.keyClicks(field_for(dialog, "Override reason"), "Referral letter seen by Dr Hale")
    with qtbot.waitSignal(dialog.saved, timeout=5000) as saved:
        qtbot.mouseClick(button(dialog, "Book all"), Qt.MouseButton.LeftButton)
    assert all(v.screening_override_by == "admin" for v in saved.args[0])


def test_book_visit_refusal_names_the_visit_in_the_way(qtbot: QtBot, session: Session) -> None:
    first = add_patient(session.desk, "Ana", "Silva")
    second = add_patient(session.desk, "Ben", "Cole")
    booking.book_visit(session.desk, first, VisitType.MOOD_INFUSION,
                       datetime.combine(TOMORROW, time(8)), "Chair 1")
    dialog = BookVisitDialog(session, second, day=TOMORROW)
    shown(qtbot, dialog)
    qtbot.keyClick(field_for(dialog, "Visit type"), Qt.Key.Key_Down)
    assert dialog.visit_type.currentText() == "Mood Series infusion"
    assert field_for(dialog, "Chair").property("currentText") == "Chair 1"
    qtbot.mouseClick(button(dialog, "Book"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Chair 1 is already booked" in dialog.error.text(), timeout=5000)
    chair = field_for(dialog, "Chair")
    assert isinstance(chair, QComboBox)
    qtbot.keyClick(chair, Qt.Key.Key_Down)
    with qtbot.waitSignal(dialog.saved, timeout=5000) as saved:
        qtbot.mouseClick(button(dialog, "Book"), Qt.MouseButton.LeftButton)
    assert saved.args[0].chair == "Chair 2"


def test_consultation_offers_no_chair(qtbot: QtBot, session: Session) -> None:
    patient = add_patient(session.desk, screened=False)
    dialog = BookVisitDialog(session, patient, day=TOMORROW)
    shown(qtbot, dialog)
    visit_type = field_for(dialog, "Visit type")
    assert isinstance(visit_type, QComboBox)
    visit_type.setCurrentText("Consultation")
    assert dialog.chair.currentText() == "No chair (office)"
    assert dialog.minutes.value() == 60
    with qtbot.waitSignal(dialog.saved, timeout=5000) as saved:
        qtbot.mouseClick(button(dialog, "Book"), Qt.MouseButton.LeftButton)
    assert saved.args[0].chair is None


def test_cancel_dialog_needs_a_reason_then_cancels(qtbot: QtBot, session: Session) -> None:
    patient = add_patient(session.desk)
    view = booking.book_visit(session.desk, patient, VisitType.MOOD_INFUSION,
                              datetime.combine(TOMORROW, time(9)), "Chair 1")
    dialog = VisitActionDialog(session, view, "cancel")
    shown(qtbot, dialog)
    qtbot.mouseClick(button(dialog, "Cancel visit"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.text() == "Choose a reason from the list.", timeout=5000)
    reason = field_for(dialog, "Reason")
    qtbot.keyClick(reason, Qt.Key.Key_Down)
    assert reason.property("currentText") == "Patient asked to cancel"
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        qtbot.mouseClick(button(dialog, "Cancel visit"), Qt.MouseButton.LeftButton)
    assert booking.get_visit(session.desk, view.id).status is VisitState.CANCELLED


def test_second_desk_saving_a_stale_visit_sees_who_changed_it(
    qtbot: QtBot, session: Session
) -> None:
    patient = add_patient(session.desk)
    view = booking.book_visit(session.desk, patient, VisitType.MOOD_INFUSION,
                              datetime.combine(TOMORROW, time(9)), "Chair 1")
    dialog = VisitActionDialog(session, view, "reschedule")
    shown(qtbot, dialog)
    from dataclasses import replace

    other = replace(session.desk, workstation="front-desk-2")
    visits.cancel_visit(other, view.id, visits.VisitReason("patient_unwell"),
                        expected_version=view.version)
    dialog.time_edit.setTime(dialog.time_edit.time().addSecs(3600))
    qtbot.keyClick(field_for(dialog, "Reason"), Qt.Key.Key_Down)
    qtbot.mouseClick(button(dialog, "Move visit"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "changed at front-desk-2 by admin" in dialog.error.text(),
                    timeout=5000)
    assert "Now status: Cancelled" in dialog.error.text()
    assert dialog.isVisible()
    assert booking.get_visit(session.desk, view.id).start == datetime.combine(TOMORROW, time(9))



def test_on_a_friday_booking_starts_on_monday_and_says_why(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 11, 27, 9, 0).astimezone()  # Friday: tomorrow is Saturday
    patient = add_patient(session.desk)
    for dialog in (BookVisitDialog(session, patient), SeriesBookingDialog(session, patient)):
        shown(qtbot, dialog)
        label = "Date" if isinstance(dialog, BookVisitDialog) else "Start date"
        start = field_for(dialog, label)
        assert isinstance(start, DayField) and start.date().toPython() == date(2026, 11, 30)
        assert screen_shows("The clinic is closed on Saturday 11/28/2026; showing the next "
                            "open day, Monday 11/30/2026.")
        dialog.close()


def test_the_board_on_a_closed_day_shows_the_next_open_day_and_says_so(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    from desk.ui.board import DayBoard

    clock.now = datetime(2026, 11, 28, 9, 0).astimezone()  # a Saturday
    board = DayBoard(session)
    qtbot.addWidget(board)
    board.show()
    assert board.day == date(2026, 11, 30)
    assert board.title.text().startswith("Monday, November 30, 2026")  # the US clinic's way
    assert screen_shows("The clinic is closed today (Saturday); showing the next open day.")
    assert not board.today_button.isEnabled()


def test_a_booking_date_and_time_are_typed_in_the_clinics_format(
    qtbot: QtBot, session: Session
) -> None:
    patient = add_patient(session.desk)
    dialog = BookVisitDialog(session, patient)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    day, start = dialog.date_edit, dialog.time_edit
    day.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: day.edit.selectedText() == day.edit.text())
    qtbot.keyClicks(day.edit, "12/15/2026")
    qtbot.keyClick(day.edit, Qt.Key.Key_Tab)
    assert day.date() == QDate(2026, 12, 15)
    assert screen_shows("Tuesday")
    qtbot.keyClick(day.edit, Qt.Key.Key_Up)  # a day, not a week
    assert day.date() == QDate(2026, 12, 16)
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClicks(start, "10:00")
    qtbot.keyClick(start, Qt.Key.Key_Tab)
    assert start.text() == "10:00" and start.time() == QTime(10, 0)
    day.edit.setText("31/02/2026")
    assert day.date() == QDate(2026, 12, 16)
    assert "“31/02/2026” is not a date" in day.problem
