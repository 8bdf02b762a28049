"""The main window shell: status bar, menus by role, About."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox
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
    assert window.windowTitle() == "Infusion Desk — Harbour Ketamine Clinic"


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
