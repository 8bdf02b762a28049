"""The idle lock: engages on schedule while the board refreshes, hides all patient data,
and gives back a half-filled form after unlock or switch user."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from desk.domain.policy import RANGES, Range
from desk.domain.roles import Role
from desk.services import settings
from desk.services.context import Desk
from desk.ui.mainwindow import MainWindow
from desk.ui.session import Session
from desk.ui.staff_admin import AddPersonDialog, StaffDialog
from tests.helpers.fixtures import ADMIN_PASSWORD, STAFF_PASSWORD, add_person
from tests.ui.conftest import add_visit, button, local, screen_shows, set_policy, today

IDLE_MINUTES = 0.02  # 1.2 seconds
LOCK_TIMEOUT_MS = 6000


@pytest.fixture(autouse=True)
def _idle_lock_in_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clinics may not go below a minute; these tests wait seconds, not minutes."""
    monkeypatch.setitem(RANGES, "idle_lock_minutes", Range(0.01, 60, "min"))


def _main_window(qtbot: QtBot, session: Session) -> MainWindow:
    window = MainWindow(session, "front-desk-1")
    qtbot.addWidget(window)
    window.board.refresh_timer.setInterval(50)  # refresh far more often than in real life
    window.show()
    qtbot.waitExposed(window)
    return window


def _locked_session(desk: Desk) -> Session:
    from desk.services.database import location_text

    set_policy(desk, idle_lock_minutes=IDLE_MINUTES)
    return Session(desk, settings.clinic_info(desk), location_text(desk.engine))


def _unlock(qtbot: QtBot, window: MainWindow, password: str) -> None:
    qtbot.keyClicks(window.lock_screen.password, password)
    qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=LOCK_TIMEOUT_MS)


def test_lock_engages_on_schedule_while_the_board_refreshes_and_hides_patients(
    qtbot: QtBot, sqlite_admin_desk: Desk
) -> None:
    desk = sqlite_admin_desk
    add_visit(desk, "Marigold", "Featherstone", local(today(desk), 10))
    window = _main_window(qtbot, _locked_session(desk))
    assert screen_shows("Marigold F.")
    refreshes: list[int] = []
    window.board.refresh_timer.timeout.connect(lambda: refreshes.append(1))
    reloads: list[int] = []
    window.board.model.rowsInserted.connect(lambda *_: reloads.append(1))
    # A change elsewhere: the board reloads itself while nobody touches anything.
    add_visit(desk, "Tobias", "Quill", local(today(desk), 11))
    set_policy(desk, idle_lock_minutes=IDLE_MINUTES, booking_step_minutes=10)

    qtbot.waitUntil(lambda: window.is_locked, timeout=LOCK_TIMEOUT_MS)

    assert len(refreshes) >= 5 and reloads, "the board kept refreshing until the lock"
    assert not screen_shows("Marigold") and not screen_shows("Tobias")
    assert window.lock_screen.isVisible() and not window.board.isVisible()
    assert window.board.model.rowCount() == 2  # data was loaded, just not shown


def test_typing_keeps_the_screen_unlocked(qtbot: QtBot, sqlite_admin_desk: Desk) -> None:
    window = _main_window(qtbot, _locked_session(sqlite_admin_desk))
    limit = window.idle.seconds
    import time

    end = time.monotonic() + limit * 2
    while time.monotonic() < end:
        qtbot.keyClick(window.board.table, Qt.Key.Key_Down)
        qtbot.wait(int(limit * 1000 / 6))
        assert not window.is_locked
    qtbot.waitUntil(lambda: window.is_locked, timeout=LOCK_TIMEOUT_MS)


def _half_filled_add_person(qtbot: QtBot, window: MainWindow) -> AddPersonDialog:
    staff = window.open_staff()
    assert isinstance(staff, StaffDialog)
    qtbot.waitExposed(staff)
    qtbot.mouseClick(button(staff, "Add person…"), Qt.MouseButton.LeftButton)
    dialog = staff.findChild(AddPersonDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.full_name, "Half Typed Name")
    return dialog


def test_unlock_with_own_password_gives_back_the_half_filled_form(
    qtbot: QtBot, sqlite_admin_desk: Desk
) -> None:
    window = _main_window(qtbot, _locked_session(sqlite_admin_desk))
    dialog = _half_filled_add_person(qtbot, window)

    qtbot.waitUntil(lambda: window.is_locked, timeout=LOCK_TIMEOUT_MS)
    assert not dialog.isVisible() and not screen_shows("Half Typed Name")

    _unlock(qtbot, window, ADMIN_PASSWORD)
    assert dialog.isVisible() and dialog.full_name.text() == "Half Typed Name"
    assert window.board.isVisible()


def test_wrong_unlock_password_stays_locked(qtbot: QtBot, sqlite_admin_desk: Desk) -> None:
    window = _main_window(qtbot, _locked_session(sqlite_admin_desk))
    window.lock()
    qtbot.keyClicks(window.lock_screen.password, "not-my-password")
    qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.lock_screen.message.text() != "")
    assert window.lock_screen.message.text() == "The user name or password is not correct."
    assert window.is_locked


def test_switch_user_changes_the_status_bar_and_keeps_the_form(
    qtbot: QtBot, sqlite_admin_desk: Desk
) -> None:
    add_person(sqlite_admin_desk, "nina", Role.NURSE, Role.ADMIN)
    window = _main_window(qtbot, _locked_session(sqlite_admin_desk))
    dialog = _half_filled_add_person(qtbot, window)
    qtbot.waitUntil(lambda: window.is_locked, timeout=LOCK_TIMEOUT_MS)

    qtbot.mouseClick(button(window.lock_screen, "Switch user…"), Qt.MouseButton.LeftButton)
    username = window.lock_screen.switch_username
    assert isinstance(username, QLineEdit)
    qtbot.waitUntil(username.hasFocus)
    qtbot.keyClicks(username, "nina")
    qtbot.keyClick(username, Qt.Key.Key_Return)
    qtbot.keyClicks(window.lock_screen.switch_password, STAFF_PASSWORD)
    qtbot.keyClick(window.lock_screen.switch_password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=LOCK_TIMEOUT_MS)

    assert window.person_label.text() == "Nina — Admin, Nurse"
    assert window.session.actor.username == "nina"
    assert dialog.isVisible() and dialog.full_name.text() == "Half Typed Name"


def test_switch_to_someone_without_admin_closes_admin_forms(
    qtbot: QtBot, sqlite_admin_desk: Desk
) -> None:
    add_person(sqlite_admin_desk, "rita", Role.RECEPTIONIST)
    window = _main_window(qtbot, _locked_session(sqlite_admin_desk))
    staff = window.open_staff()
    window.lock(switch=True)
    qtbot.keyClicks(window.lock_screen.switch_username, "rita")
    qtbot.keyClicks(window.lock_screen.switch_password, STAFF_PASSWORD)
    qtbot.keyClick(window.lock_screen.switch_password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=LOCK_TIMEOUT_MS)
    assert window.person_label.text() == "Rita — Receptionist"
    assert not window.admin_menu.menuAction().isVisible()
    qtbot.waitUntil(lambda: not screen_shows("Staff accounts"))
    del staff


def test_ctrl_l_locks_at_once(qtbot: QtBot, session: Session) -> None:
    window = _main_window(qtbot, session)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.board.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked
    qtbot.waitUntil(window.lock_screen.password.hasFocus)
