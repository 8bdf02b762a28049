"""The main window shell: status bar, menus by role, About."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

import desk as desk_package
from desk.domain.roles import Role
from desk.services import settings
from desk.services.context import Desk
from desk.ui.mainwindow import MainWindow
from desk.ui.session import Session
from tests.helpers.fixtures import add_person


def _window(qtbot: QtBot, session: Session) -> MainWindow:
    window = MainWindow(session, "front-desk-1")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_status_bar_shows_person_role_database_and_workstation(
    qtbot: QtBot, session: Session, sqlite_url: str
) -> None:
    window = _window(qtbot, session)
    path = sqlite_url.removeprefix("sqlite:///")
    assert window.person_label.text() == "Ada Admin — Admin"
    assert window.database_label.text() == f"Database: {path}"
    assert window.workstation_label.text() == "Workstation: front-desk-1"
    assert window.windowTitle() == "Harbour Ketamine Clinic"


def test_status_bar_never_shows_a_database_password(
    qtbot: QtBot, sqlite_admin_desk: Desk
) -> None:
    from sqlalchemy import create_engine

    from desk.services.database import location_text

    engine = create_engine("postgresql+psycopg://desk:s3cret-pw@db.clinic.lan:5433/desk")
    location = location_text(engine)
    session = Session(sqlite_admin_desk, settings.clinic_info(sqlite_admin_desk), location)
    window = _window(qtbot, session)
    assert window.database_label.text() == "Database: db.clinic.lan:5433/desk"
    assert "s3cret" not in window.database_label.text()


def test_admin_menu_only_for_admins(qtbot: QtBot, sqlite_admin_desk: Desk) -> None:
    rita = add_person(sqlite_admin_desk, "rita", Role.RECEPTIONIST)
    desk = sqlite_admin_desk.as_actor(rita)
    session = Session(desk, settings.clinic_info(desk), "clinic.sqlite3")
    window = _window(qtbot, session)
    assert not window.admin_menu.menuAction().isVisible()
    assert window.person_label.text() == "Rita — Receptionist"


def test_about_shows_the_version(qtbot: QtBot, session: Session) -> None:
    window = _window(qtbot, session)
    window.about_action.trigger()
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1
    assert f"version {desk_package.__version__}" in boxes[0].text()
    assert boxes[0].windowTitle() == "About Infusion Desk"


def test_admin_dialogs_open_once_each(qtbot: QtBot, session: Session) -> None:
    window = _window(qtbot, session)
    first = window.open_staff()
    assert window.open_staff() is first
    assert window.open_clinic_settings().isVisible()
    assert window.open_audit().isVisible()


def _menu_action(window: MainWindow, menu_title: str, text: str) -> QAction:
    for menu_action in window.menuBar().actions():
        if menu_action.text() == menu_title:
            menu = menu_action.menu()
            assert menu is not None
            for action in menu.actions():
                if action.text() == text:
                    return action
    raise AssertionError(f"no {menu_title} → {text} in the menus")


def test_every_screen_is_reachable_from_the_menus_with_its_shortcut(
    qtbot: QtBot, session: Session
) -> None:
    window = _window(qtbot, session)
    expected = {
        ("&Patient", "&Find patient…"): "Ctrl+F",
        ("&Patient", "&New patient…"): "Ctrl+N",
        ("&Patient", "&Consent and documents…"): "Ctrl+Shift+C",
        ("&Nurse", "&Prep checklist…"): "Ctrl+P",
        ("&Nurse", "&Infusion and recovery…"): "Ctrl+Shift+I",
        ("&Nurse", "&Way home (transport)…"): "Ctrl+T",
        ("Vie&w", "&Nurse station"): "Ctrl+2",
        ("&Controlled substance", "Infusion &order…"): "Ctrl+Shift+M",
        ("&Controlled substance", "&Drug record (vial, rate, waste)…"): "Ctrl+Shift+D",
        ("&Controlled substance", "&Stock and log…"): "Ctrl+Shift+V",
    }
    for (menu, text), shortcut in expected.items():
        action = _menu_action(window, menu, text)
        assert action.shortcut().toString() == shortcut
    assert _menu_action(window, "&Admin", "Consent &templates…")
    shortcuts = [
        a.shortcut().toString()
        for m in window.menuBar().actions()
        if m.menu() is not None
        for a in m.menu().actions()
        if not a.shortcut().isEmpty()
    ]
    assert len(shortcuts) == len(set(shortcuts)), "two menu actions share a shortcut"


def _active_window(qtbot: QtBot, session: Session) -> MainWindow:
    """Shortcuts reach only the active window, as on a real desk."""
    window = _window(qtbot, session)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def test_ctrl_f_opens_the_patient_search(qtbot: QtBot, session: Session) -> None:
    from desk.ui.search import PatientSearchDialog

    window = _active_window(qtbot, session)
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: any(
            isinstance(w, PatientSearchDialog) and w.isVisible()
            for w in QApplication.topLevelWidgets()
        )
    )


def test_ctrl_2_shows_the_nurse_station_and_ctrl_1_the_board(
    qtbot: QtBot, session: Session
) -> None:
    window = _active_window(qtbot, session)
    QTest.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.nurse_station is not None
    assert window.pages.currentWidget() is window.nurse_station
    QTest.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.board


def test_visit_actions_without_a_selection_say_what_to_do(
    qtbot: QtBot, session: Session
) -> None:
    window = _window(qtbot, session)
    window.open_prep()
    assert "Select a visit" in window.statusBar().currentMessage()


def test_lock_on_the_nurse_station_comes_back_to_it(qtbot: QtBot, session: Session) -> None:
    window = _window(qtbot, session)
    window.show_nurse_station()
    window.lock()
    assert window.pages.currentWidget() is window.lock_screen
    window._signed_in_while_locked(session.actor)
    assert window.pages.currentWidget() is window.nurse_station


def test_file_database_connection_opens_the_dialog_on_the_saved_server(
    qtbot: QtBot, session: Session
) -> None:
    from desk import config
    from desk.ui.connect import ConnectDialog

    config.write_config(
        "database",
        {"url": "postgresql+psycopg://desk@clinic-server:5433/clinic?sslmode=require",
         "password": "keyring"},
    )
    window = _window(qtbot, session)
    _menu_action(window, "&File", "&Database connection…").trigger()
    dialog = next(d for d in window.findChildren(ConnectDialog) if d.isVisible())
    assert (dialog.host.text(), dialog.port.value(), dialog.database.text()) == (
        "clinic-server", 5433, "clinic"
    )
    assert dialog.password.text() == "" and dialog.test_button.isDefault()
    dialog.reject()


def _as(qtbot: QtBot, desk: Desk, username: str, role: Role) -> MainWindow:
    person = desk.as_actor(add_person(desk, username, role))
    return _window(qtbot, Session(person, settings.clinic_info(person), "clinic.sqlite3"))


def test_a_receptionist_is_told_the_nurse_forms_open_read_only(
    qtbot: QtBot, sqlite_admin_desk: Desk
) -> None:
    window = _as(qtbot, sqlite_admin_desk, "rita", Role.RECEPTIONIST)
    prep = _menu_action(window, "&Nurse", "&Prep checklist…")
    assert prep.isEnabled() and prep.toolTip() == "Opens read-only: only a nurse can save it."
    assert _menu_action(window, "&Nurse", "&Way home (transport)…").isEnabled()
    assert _menu_action(window, "&Visit", "Book a &series…").isEnabled()


def test_a_nurse_cannot_start_a_booking_from_the_menu(
    qtbot: QtBot, sqlite_admin_desk: Desk
) -> None:
    window = _as(qtbot, sqlite_admin_desk, "nina", Role.NURSE)
    series = _menu_action(window, "&Visit", "Book a &series…")
    assert not series.isEnabled()
    assert series.toolTip() == "Only a receptionist or an admin can do this."
    assert _menu_action(window, "&Visit", "Mark &no-show…").isEnabled()


def test_a_form_the_person_may_not_save_opens_read_only_saying_who_can(
    qtbot: QtBot, sqlite_admin_desk: Desk
) -> None:
    from PySide6.QtWidgets import QLabel, QLineEdit

    from tests.ui.conftest import add_visit, local, today

    add_visit(sqlite_admin_desk, "Ana", "Silva", local(today(sqlite_admin_desk), 15),
              status="arrived")
    window = _as(qtbot, sqlite_admin_desk, "rita", Role.RECEPTIONIST)
    window.board.table.selectRow(0)
    window.open_prep()
    from desk.ui.prep import PrepDialog

    prep = next(w for w in QApplication.topLevelWidgets()
                if isinstance(w, PrepDialog) and w.isVisible())
    notice = prep.findChild(QLabel, "readOnlyNotice")
    assert notice is not None and notice.text() == (
        "Read only: only a nurse can save this form."
    )
    assert all(edit.isReadOnly() for edit in prep.findChildren(QLineEdit))


def test_booking_with_no_visit_selected_opens_find_patient(
    qtbot: QtBot, session: Session
) -> None:
    from desk.ui.search import PatientSearchDialog

    window = _window(qtbot, session)
    window.board.series_action.trigger()
    qtbot.waitUntil(lambda: any(isinstance(w, PatientSearchDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))


def test_a_save_is_said_on_the_status_bar_for_a_few_seconds(
    qtbot: QtBot, session: Session
) -> None:
    from desk.ui.mainwindow import SAVED_MESSAGE_MS

    window = _window(qtbot, session)
    session.announce("Registered Ana Silva, MRN 1234-5678.")
    assert window.saved_label.text() == "✔ Registered Ana Silva, MRN 1234-5678."
    assert window.saved_label.isVisible()
    assert 3000 <= SAVED_MESSAGE_MS <= 10_000
