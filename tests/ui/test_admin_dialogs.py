"""Admin dialogs: staff accounts, audit trail, clinic settings."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.services import auth, settings, staff
from desk.ui.audit_view import AuditDialog
from desk.ui.clinic_settings import SECTIONS, ClinicSettingsDialog
from desk.ui.session import Session
from desk.ui.staff_admin import AddPersonDialog, StaffDialog
from tests.helpers.fixtures import add_person
from tests.ui.conftest import button, field_for, set_policy

NEW_PASSWORD = "nurse-password-1"


def _shown(qtbot: QtBot, dialog: StaffDialog | AuditDialog | ClinicSettingsDialog) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)


def _usernames(dialog: StaffDialog) -> list[str]:
    return [p.username for p in dialog.model.rows()]


def test_staff_dialog_adds_a_person(qtbot: QtBot, session: Session) -> None:
    dialog = StaffDialog(session)
    _shown(qtbot, dialog)
    assert _usernames(dialog) == ["admin"]
    qtbot.mouseClick(button(dialog, "Add person…"), Qt.MouseButton.LeftButton)
    add = dialog.findChild(AddPersonDialog)
    assert add is not None
    for label, text in [("User name", "nina"), ("Full name", "Nina Nurse"),
                        ("Password", NEW_PASSWORD), ("Confirm password", NEW_PASSWORD)]:
        field = field_for(add, label)
        assert isinstance(field, QLineEdit)
        qtbot.keyClicks(field, text)
    add.role_boxes[Role.NURSE].setChecked(True)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "nina" in _usernames(dialog))
    assert dialog.selected() is not None and dialog.selected().full_name == "Nina Nurse"
    assert auth.sign_in(session.desk.as_actor(None), "nina", NEW_PASSWORD).roles == {Role.NURSE}


def test_add_person_shows_the_service_refusal_inline(qtbot: QtBot, session: Session) -> None:
    add = AddPersonDialog(session)
    qtbot.addWidget(add)
    add.show()
    qtbot.keyClicks(add.username, "nina")
    qtbot.keyClicks(add.full_name, "Nina Nurse")
    qtbot.keyClicks(add.password, "short")
    qtbot.keyClicks(add.confirm, "short")
    qtbot.mouseClick(button(add, "OK"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: add.error.text() != "")
    assert add.error.text() in (
        "Give the person at least one role.",
        "The password must be at least 10 characters long.",
    )
    assert add.isVisible()


def test_staff_dialog_disables_and_changes_roles(qtbot: QtBot, session: Session) -> None:
    add_person(session.desk, "rita", Role.RECEPTIONIST)
    dialog = StaffDialog(session)
    _shown(qtbot, dialog)
    dialog.table.selectRow(_usernames(dialog).index("rita"))
    qtbot.mouseClick(button(dialog, "Disable"), Qt.MouseButton.LeftButton)
    assert dialog.selected() is not None and dialog.selected().disabled
    assert button(dialog, "Enable")
    dialog.role_boxes[Role.NURSE].setChecked(True)
    qtbot.mouseClick(button(dialog, "Save roles"), Qt.MouseButton.LeftButton)
    rita = next(p for p in staff.list_staff(session.desk) if p.username == "rita")
    assert rita.roles == {Role.RECEPTIONIST, Role.NURSE} and rita.disabled


def test_audit_dialog_lists_newest_first_filters_and_verifies(
    qtbot: QtBot, session: Session
) -> None:
    add_person(session.desk, "rita", Role.RECEPTIONIST)
    dialog = AuditDialog(session)
    _shown(qtbot, dialog)
    actions = [r.action for r in dialog.model.rows()]
    assert actions[0] == "staff.add" and "clinic.setup" in actions
    seqs = [r.seq for r in dialog.model.rows()]
    assert seqs == sorted(seqs, reverse=True)

    qtbot.keyClicks(dialog.action.lineEdit(), "clinic")
    qtbot.mouseClick(dialog.search_button, Qt.MouseButton.LeftButton)
    assert [r.action for r in dialog.model.rows()] == ["clinic.setup"]

    qtbot.mouseClick(button(dialog, "Verify chain"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "intact" in dialog.verify_result.text())
    assert dialog.verify_result.text() == "The audit trail is intact: 3 entries checked."


def test_clinic_settings_save_policy_numbers(qtbot: QtBot, session: Session) -> None:
    dialog = ClinicSettingsDialog(session)
    _shown(qtbot, dialog)
    idle = dialog.editors["idle_lock_minutes"].widget
    assert isinstance(idle, QDoubleSpinBox) and idle.value() == 5.0
    idle.setValue(3.5)
    weekdays = dialog.editors["clinic_weekdays"].widget.findChildren(QCheckBox)
    weekdays[5].setChecked(True)  # open on Saturdays too
    with qtbot.waitSignal(session.clinic_changed):
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    policy = settings.clinic_info(session.desk).policy
    assert policy.idle_lock_minutes == 3.5 and policy.clinic_weekdays == (0, 1, 2, 3, 4, 5)
    assert session.policy.idle_lock_minutes == 3.5
    assert not dialog.isVisible()


def test_clinic_settings_stale_edit_shows_who_changed_it(qtbot: QtBot, session: Session) -> None:
    dialog = ClinicSettingsDialog(session)
    _shown(qtbot, dialog)
    set_policy(session.desk, lockout_minutes=20)  # another workstation saves first
    dialog.editors["idle_lock_minutes"].set(2.0)
    qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    boxes = [b for b in dialog.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and "was changed at front-desk-1 by admin" in boxes[0].text()
    assert dialog.editors["lockout_minutes"].get() == 20  # the current values are shown
    assert dialog.isVisible()


def test_clinic_settings_empty_name_is_refused(qtbot: QtBot, session: Session) -> None:
    dialog = ClinicSettingsDialog(session)
    _shown(qtbot, dialog)
    dialog.name.clear()
    qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "Enter the clinic's name."


def test_clinic_settings_show_regional_formats_as_examples_and_save_a_choice(
    qtbot: QtBot, session: Session
) -> None:
    dialog = ClinicSettingsDialog(session)
    _shown(qtbot, dialog)
    dates = field_for(dialog, "Dates are written")
    assert isinstance(dates, QComboBox)
    shown = [dates.itemText(i) for i in range(dates.count())]
    assert all("%" not in text for text in shown)
    day_first = next(i for i, text in enumerate(shown) if "(day/month/year)" in text)
    assert shown[day_first].startswith(date.today().strftime("%d/%m/%Y"))
    dates.setCurrentIndex(day_first)
    clock = field_for(dialog, "Times are written")
    assert isinstance(clock, QComboBox)
    assert [clock.itemText(i) for i in range(clock.count())] == [
        "14:30  (24-hour clock)", "2:30 PM  (12-hour clock)"]
    region = field_for(dialog, "Phone numbers without a country code are from")
    assert isinstance(region, QComboBox)
    region.setCurrentIndex(region.findText("United Kingdom"))
    with qtbot.waitSignal(session.clinic_changed):
        qtbot.mouseClick(button(dialog, "Save"), Qt.MouseButton.LeftButton)
    policy = settings.clinic_info(session.desk).policy
    assert (policy.date_format, policy.phone_region) == ("%d/%m/%Y", "GB")


def test_every_clinic_setting_has_a_label_written_by_a_person(
    qtbot: QtBot, session: Session
) -> None:
    dialog = ClinicSettingsDialog(session)
    _shown(qtbot, dialog)
    assert set(dialog.editors) == set(ClinicPolicy.field_names())
    labels = [label for _tab, rows in SECTIONS for _name, label, _suffix in rows]
    assert not [label for label in labels if "_" in label or label.lower().startswith("vitals ")]
