"""Issue 15: an admin's change of a signed-in person's access reaches their desk at the
next save: refused with a sentence, their forms closed, back to sign-in."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from desk.domain.roles import Role
from desk.services import settings, staff
from desk.services.context import Desk
from desk.services.database import location_text
from desk.ui.mainwindow import MainWindow
from desk.ui.session import Session
from desk.ui.staff_admin import AddPersonDialog, StaffDialog
from tests.helpers.fixtures import STAFF_PASSWORD, add_person
from tests.ui.conftest import button, field_for


def test_a_person_disabled_after_signing_in_is_sent_back_to_sign_in_at_the_next_save(
    qtbot: QtBot, sqlite_admin_desk: Desk
) -> None:
    boss = sqlite_admin_desk.as_actor(add_person(sqlite_admin_desk, "boss", Role.ADMIN))
    session = Session(boss, settings.clinic_info(boss), location_text(boss.engine))
    window = MainWindow(session, "front-desk-1")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    staff_dialog = window.open_staff()
    assert isinstance(staff_dialog, StaffDialog)
    qtbot.mouseClick(button(staff_dialog, "Add person…"), Qt.MouseButton.LeftButton)
    add = staff_dialog.findChild(AddPersonDialog)
    assert add is not None
    for label, text in [("User name", "eve"), ("Full name", "Eve Admin"),
                        ("Password", STAFF_PASSWORD), ("Confirm password", STAFF_PASSWORD)]:
        field = field_for(add, label)
        assert isinstance(field, QLineEdit)
        qtbot.keyClicks(field, text)
    add.role_boxes[Role.ADMIN].setChecked(True)

    staff.set_disabled(sqlite_admin_desk, "boss", True)  # at another desk, meanwhile
    qtbot.keyClick(field, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: window.is_locked)
    assert window.lock_screen.switch_page.isVisible()
    assert window.lock_screen.message.text() == "Your access has changed; sign in again."
    # Closed (and, being delete-on-close, possibly deleted already): the form is gone.
    qtbot.waitUntil(lambda: not shiboken6.isValid(staff_dialog) or not staff_dialog.isVisible())
    assert "eve" not in {s.username for s in staff.list_staff(sqlite_admin_desk)}
