"""A receptionist's whole morning through the main window, by visible labels and shortcuts.

Friday 27 November 2026, 08:30 at the front desk: find patients, register one (an
over-long paste refused, then fixed), meet the duplicate warning, book a Mood Series from
the record over a closed weekend, check a patient in with the date-of-birth read-back,
ring Monday's patients from the call list (the weekend is skipped, and the ride tick is
the board's Transport), refuse a no-show for Monday and reinstate today's. Every save is
confirmed on the status bar.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desk.db.models import Candidacy
from desk.domain.booking import VisitType
from desk.domain.patients import PatientDraft
from desk.domain.roles import Role
from desk.domain.transport import PickupPlan, ResponsibleAdult
from desk.services import booking, patients, settings, transport
from desk.services.context import Desk
from desk.ui.datetime_fields import DayField
from desk.ui.mainwindow import MainWindow
from desk.ui.session import Session
from tests.helpers.fixtures import FakeClock, add_person
from tests.ui.conftest import button, field_for, screen_shows

FRIDAY = date(2026, 11, 27)
MONDAY = date(2026, 11, 30)
DOB = date(1980, 5, 17)
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local wall-clock time as the aware UTC instant the clock hands out."""
    return datetime.combine(day, time(hour, minute)).astimezone().astimezone(UTC)


def registered(desk: Desk, first: str, last: str, phone: str) -> int:
    """A patient registered the usual way (so search finds them), with screening done."""
    view = patients.register_patient(desk, PatientDraft(
        legal_first_name=first, legal_last_name=last, dob=DOB, phones=(phone,),
    ))
    with desk.write() as uow:
        uow.session.add(Candidacy(
            patient_id=view.id, indication="treatment_resistant_depression",
            diagnosis_confirmed_by="Dr Hale", diagnosis_confirmed_on=date(2026, 1, 5),
            provider_name="Dr Hale", consultation_on=date(2026, 1, 5),
            history_reviewed_by="Dr Hale", contraindication_flags="[]",
        ))
        uow.commit()
    return view.id


@pytest.fixture
def morning(sqlite_admin_desk: Desk, clock: FakeClock) -> Session:
    """The day's bookings made earlier in the week; rita signs in at 08:30 on Friday."""
    admin = sqlite_admin_desk
    clock.now = at(FRIDAY, 7)
    ana = registered(admin, "Ana", "Silva", "201-555-0188")
    ben = registered(admin, "Ben", "Cole", "201-555-0123")
    cy = registered(admin, "Cy", "Park", "201-555-0177")
    local = lambda day, hour: datetime.combine(day, time(hour))  # noqa: E731
    booking.book_visit(admin, ana, VisitType.CONSULTATION, local(FRIDAY, 9), None)
    booking.book_visit(admin, ben, VisitType.MOOD_INFUSION, local(FRIDAY, 8), "Chair 2")
    monday = booking.book_visit(admin, cy, VisitType.BOOSTER, local(MONDAY, 10), "Chair 3")
    rita = admin.as_actor(add_person(admin, "rita", Role.RECEPTIONIST))
    transport.record_transport(
        rita, monday.id, ResponsibleAdult("Jo Park", "+12015550166", "partner"),
        PickupPlan.FAMILY_DRIVES, None,
    )
    clock.now = at(FRIDAY, 8, 30)
    return Session(rita, settings.clinic_info(rita), "clinic.sqlite3")


def shown(kind: type[QWidget], title: str) -> QWidget:
    found = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, kind) and w.isVisible() and w.windowTitle() == title]
    assert len(found) == 1, f"expected one window {title!r} on screen"
    return found[0]


def wait_for(qtbot: QtBot, title: str, kind: type[QWidget] = QWidget) -> QWidget:
    qtbot.waitUntil(lambda: any(isinstance(w, kind) and w.isVisible() and w.windowTitle() == title
                                for w in QApplication.topLevelWidgets()), timeout=5000)
    return shown(kind, title)


def click(qtbot: QtBot, window: QWidget, text: str) -> None:
    qtbot.mouseClick(button(window, text), Qt.MouseButton.LeftButton)


def confirmed(qtbot: QtBot, window: MainWindow, words: str) -> None:
    """The status bar says what was just saved."""
    qtbot.waitUntil(lambda: words in window.saved_label.text(), timeout=5000)


def choose(combo: QWidget, label: str) -> None:
    assert isinstance(combo, QComboBox)
    index = combo.findText(label)
    assert index >= 0, f"no choice {label!r}"
    combo.setCurrentIndex(index)


def board_row(window: MainWindow, name: str) -> int:
    model = window.board.model
    for row in range(model.rowCount()):
        if model.row_at(row).patient_name.startswith(name):
            return row
    raise AssertionError(f"{name} is not on the board")


def cell(window: MainWindow, name: str, header: str) -> str:
    model = window.board.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return str(model.index(board_row(window, name), headers.index(header)).data())


def select_on_board(qtbot: QtBot, window: MainWindow, name: str) -> None:
    """Click the patient's row, back in the main window (shortcuts reach the active one)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    table = window.board.table
    qtbot.waitUntil(lambda: any(window.board.model.row_at(r).patient_name.startswith(name)
                                for r in range(window.board.model.rowCount())), timeout=5000)
    rect = table.visualRect(window.board.model.index(board_row(window, name), 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    table.setFocus()


def press(qtbot: QtBot, window: MainWindow, key: Qt.Key, modifiers: Qt.KeyboardModifier) -> None:
    """A shortcut typed on the board, with the main window in front as at a real desk."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.board.table.setFocus()
    QTest.keyClick(window.board.table, key, modifiers)


def search_finds(qtbot: QtBot, dialog: QWidget, typed: str, name: str) -> None:
    box = field_for(dialog, "Find patient:")
    assert isinstance(box, QLineEdit)
    box.selectAll()
    qtbot.keyClicks(box, typed)
    results = dialog.findChild(QTableView, "searchResults")
    assert results is not None

    def first_is_the_patient() -> bool:
        model = results.model()
        return model.rowCount() > 0 and str(model.index(0, 0).data()).startswith(name)

    qtbot.waitUntil(first_is_the_patient, timeout=5000)


def test_a_receptionists_morning(qtbot: QtBot, morning: Session, clock: FakeClock) -> None:
    window = MainWindow(morning, "front-desk-1")
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    # Find by name, by MRN, by the last four digits of the phone.
    QTest.keyClick(window, Qt.Key.Key_F, CTRL)
    find = wait_for(qtbot, "Find patient")
    search_finds(qtbot, find, "Silva", "Ana")
    mrn = str(find.findChild(QTableView, "searchResults").model().index(0, 3).data())
    search_finds(qtbot, find, mrn, "Ana")
    search_finds(qtbot, find, "0188", "Ana")

    # Register: a 500-character paste is refused beside its field, then fixed.
    click(qtbot, find, "New patient…")
    form = wait_for(qtbot, "New patient")
    field_for(form, "Legal first name").insert("Dora")
    field_for(form, "Legal last name").insert("L" * 500)
    qtbot.keyClicks(field_for(form, "Date of birth"), "02/14/1975")
    qtbot.keyClicks(field_for(form, "Phone"), "201 555 0147")
    click(qtbot, form, "Register")
    assert screen_shows("Legal last name is too long (at most 200 characters).")
    assert screen_shows("1 field needs correcting: see the red messages beside them.")
    last = field_for(form, "Legal last name")
    assert isinstance(last, QLineEdit) and len(last.text()) == 500  # kept, not cut short
    last.selectAll()
    qtbot.keyClicks(last, "Lind")
    click(qtbot, form, "Register")
    confirmed(qtbot, window, "Registered Dora Lind, MRN")

    # The duplicate warning: Ana Silva again, same date of birth; open the existing record.
    click(qtbot, find, "New patient…")
    form = wait_for(qtbot, "New patient")
    qtbot.keyClicks(field_for(form, "Legal first name"), "Ana")
    qtbot.keyClicks(field_for(form, "Legal last name"), "Silva")
    qtbot.keyClicks(field_for(form, "Date of birth"), "05/17/1980")
    click(qtbot, form, "Register")
    prompt = wait_for(qtbot, "Possible duplicate")
    assert screen_shows("same date of birth")
    click(qtbot, prompt, "Open existing")
    record = wait_for(qtbot, "Edit patient")

    # Book a Mood Series from the record: tomorrow is Saturday, so it starts Monday, said.
    click(qtbot, record, "Book a series…")
    series = wait_for(qtbot, "Book a series")
    assert screen_shows("The clinic is closed on Saturday 11/28/2026; showing the next "
                        "open day, Monday 11/30/2026.")
    start = field_for(series, "Start date")
    assert isinstance(start, DayField)
    start.setDate(start.date().addDays(-1))  # the receptionist asks for Sunday anyway
    click(qtbot, series, "Propose slots")
    table = series.findChild(QTableWidget, "seriesTable")
    assert table is not None and table.rowCount() == 6
    first_day = table.cellWidget(0, 1)
    assert isinstance(first_day, DayField) and first_day.date().dayOfWeek() == 1  # Monday
    assert "The clinic is closed on Sunday 11/29/2026." in table.item(0, 6).text()
    click(qtbot, series, "Book all")
    confirmed(qtbot, window, "Booked a Mood Series of 6 infusions")
    record.close()
    find.close()

    # Check Ana in for her consultation: her date of birth is read back.
    select_on_board(qtbot, window, "Ana")
    press(qtbot, window, Qt.Key.Key_I, CTRL)
    check_in = wait_for(qtbot, "Check in")  # titles carry no patient names; the header does
    assert any("Ana" in label.text() for label in check_in.findChildren(QLabel))
    qtbot.keyClicks(field_for(check_in, "Date of birth"), "05/17/1980")
    qtbot.keyClick(button(check_in, "Contact and emergency contact confirmed with the patient"),
                   Qt.Key.Key_Space)
    click(qtbot, check_in, "Check in")
    confirmed(qtbot, window, "Checked in Ana")
    qtbot.waitUntil(lambda: cell(window, "Ana", "Status") == "Arrived", timeout=5000)

    # Tomorrow's call list: Saturday is closed, so it lists Monday and says so.
    press(qtbot, window, Qt.Key.Key_L, CTRL | SHIFT)
    calls = wait_for(qtbot, "Call list")
    assert screen_shows("The clinic is closed on Saturday 11/28/2026")
    assert screen_shows("2 infusion patients; 2 still to confirm.")
    call_table = calls.findChild(QTableView, "callListTable")
    assert call_table is not None
    model = call_table.model()
    cy_row = next(r for r in range(model.rowCount()) if "Cy Park" in str(model.index(r, 1).data()))
    for column in (6, 7):  # Ride confirmed, then Prep explained
        model.setData(model.index(cy_row, column), Qt.CheckState.Checked.value,
                      Qt.ItemDataRole.CheckStateRole)
        qtbot.waitUntil(lambda c=column: model.index(cy_row, c).data(
            Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked, timeout=5000)
    confirmed(qtbot, window, "Call list: prep explained for MRN")
    assert screen_shows("2 infusion patients; 1 still to confirm.")
    calls.close()

    # The same tick is the board's Transport column on Monday.
    window.board.show_day(MONDAY)
    qtbot.waitUntil(lambda: not window.board.loading and window.board.model.rowCount() > 1)
    assert cell(window, "Cy", "Transport").endswith("Confirmed")
    assert "Not" not in cell(window, "Cy", "Transport")

    # A no-show for Monday is refused before any form is filled.
    select_on_board(qtbot, window, "Cy")
    press(qtbot, window, Qt.Key.Key_N, CTRL | SHIFT)
    refusal = wait_for(qtbot, "Not possible for this visit", QMessageBox)
    assert isinstance(refusal, QMessageBox)
    assert "only on its day or later" in refusal.text()
    refusal.close()

    # Today: Ben has not come for 08:00. No-show, confirmed; then he arrives: reinstated.
    click(qtbot, window.board, "Today")
    select_on_board(qtbot, window, "Ben")
    press(qtbot, window, Qt.Key.Key_N, CTRL | SHIFT)
    no_show = wait_for(qtbot, "Mark as no-show")
    choose(field_for(no_show, "Reason"), "Did not arrive")
    click(qtbot, no_show, "Mark no-show")
    assert screen_shows("Press Mark no-show again")
    click(qtbot, no_show, "Mark no-show")
    confirmed(qtbot, window, "Marked as no-show: Mood Series infusion")
    qtbot.waitUntil(lambda: cell(window, "Ben", "Status") == "No-show", timeout=5000)
    clock.now = at(FRIDAY, 8, 50)
    select_on_board(qtbot, window, "Ben")
    press(qtbot, window, Qt.Key.Key_E, CTRL | SHIFT)  # Reinstate visit
    again = wait_for(qtbot, "Reinstate visit")
    choose(field_for(again, "Reason"), "The patient arrived after all")
    click(qtbot, again, "Reinstate")
    confirmed(qtbot, window, "Reinstated: Mood Series infusion")
    qtbot.waitUntil(lambda: cell(window, "Ben", "Status") == "Scheduled", timeout=5000)
