"""The sign-in window, driven by its visible labels and the keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from desk.domain.roles import Role
from desk.services.context import Desk
from desk.ui.signin import SignInDialog
from tests.helpers.fixtures import ADMIN_PASSWORD, STAFF_PASSWORD, add_person
from tests.ui.conftest import field_for, screen_shows, set_policy

NOT_CORRECT = "The user name or password is not correct."


def _window(qtbot: QtBot, desk: Desk) -> SignInDialog:
    from desk.services.settings import clinic_info

    dialog = SignInDialog()
    qtbot.addWidget(dialog)
    info = clinic_info(desk)
    dialog.attach(desk, info.name, info.break_glass_enabled)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _type_and_enter(qtbot: QtBot, dialog: SignInDialog, username: str, password: str) -> None:
    user_field, password_field = field_for(dialog, "User name"), field_for(dialog, "Password")
    assert isinstance(user_field, QLineEdit) and isinstance(password_field, QLineEdit)
    user_field.clear()
    qtbot.keyClicks(user_field, username)
    qtbot.keyClick(user_field, Qt.Key.Key_Tab)
    qtbot.keyClicks(password_field, password)
    qtbot.keyClick(password_field, Qt.Key.Key_Return)


def _failure_message(qtbot: QtBot, dialog: SignInDialog, username: str, password: str) -> str:
    _type_and_enter(qtbot, dialog, username, password)
    qtbot.waitUntil(lambda: dialog.sign_in_button.isEnabled() and dialog.message.text() != "")
    return dialog.message.text()


def test_correct_password_and_enter_signs_in(qtbot: QtBot, sqlite_admin_desk: Desk) -> None:
    dialog = _window(qtbot, sqlite_admin_desk)
    with qtbot.waitSignal(dialog.signed_in) as signal:
        _type_and_enter(qtbot, dialog, "admin", ADMIN_PASSWORD)
    assert signal.args[0].username == "admin"
    assert signal.args[0].roles == {Role.ADMIN}
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_wrong_password_and_unknown_user_show_the_same_line(
    qtbot: QtBot, sqlite_admin_desk: Desk
) -> None:
    dialog = _window(qtbot, sqlite_admin_desk)
    assert _failure_message(qtbot, dialog, "admin", "not-the-password") == NOT_CORRECT
    assert _failure_message(qtbot, dialog, "nobody", ADMIN_PASSWORD) == NOT_CORRECT
    assert dialog.isVisible() and dialog.password.text() == ""
    assert dialog.password.hasFocus()


def test_empty_fields_ask_for_both(qtbot: QtBot, sqlite_admin_desk: Desk) -> None:
    dialog = _window(qtbot, sqlite_admin_desk)
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)
    assert dialog.message.text() == "Enter your user name and password."


def test_fifth_failure_shows_the_lockout_message(qtbot: QtBot, sqlite_admin_desk: Desk) -> None:
    add_person(sqlite_admin_desk, "rita", Role.RECEPTIONIST)
    dialog = _window(qtbot, sqlite_admin_desk)
    for _ in range(4):
        assert _failure_message(qtbot, dialog, "rita", "wrong-password") == NOT_CORRECT
    locked = _failure_message(qtbot, dialog, "rita", "wrong-password")
    assert "locked until" in locked and "admin" in locked
    # Even the right password is refused while locked, with the same explanation.
    assert "locked until" in _failure_message(qtbot, dialog, "rita", STAFF_PASSWORD)


def test_break_glass_option_shows_only_when_the_clinic_enables_it(
    qtbot: QtBot, sqlite_admin_desk: Desk
) -> None:
    assert not _window(qtbot, sqlite_admin_desk).break_glass.isVisible()
    set_policy(sqlite_admin_desk, break_glass=True)
    add_person(sqlite_admin_desk, "rita", Role.RECEPTIONIST)
    dialog = _window(qtbot, sqlite_admin_desk)
    assert dialog.break_glass.isVisible()
    dialog.break_glass.setChecked(True)
    with qtbot.waitSignal(dialog.signed_in) as signal:
        _type_and_enter(qtbot, dialog, "rita", STAFF_PASSWORD)
    assert signal.args[0].break_glass and Role.NURSE in signal.args[0].roles


def test_startup_error_is_one_sentence_with_try_again(qtbot: QtBot) -> None:
    dialog = SignInDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.username.isEnabled()
    dialog.show_startup_error("The database file /x cannot be opened.")
    assert dialog.message.text() == "The database file /x cannot be opened."
    assert dialog.retry_button.isVisible()
    with qtbot.waitSignal(dialog.retry_requested):
        qtbot.keyClick(dialog.retry_button, Qt.Key.Key_Space)


def test_a_demo_clinic_says_how_to_sign_in(qtbot: QtBot, sqlite_admin_desk: Desk) -> None:
    dialog = SignInDialog()
    qtbot.addWidget(dialog)
    dialog.attach(sqlite_admin_desk, "Demo Clinic", False,
                  "This is a demo clinic with made-up patients. Sign in as rita (receptionist).")
    dialog.show()
    qtbot.waitExposed(dialog)
    assert screen_shows("Sign in as rita (receptionist).")
    real = SignInDialog()
    qtbot.addWidget(real)
    real.attach(sqlite_admin_desk, "Harbour Clinic", False)
    real.show()
    assert not real.demo_hint.isVisible()
