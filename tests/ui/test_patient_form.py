"""Registering and editing through the real form: labels, inline messages, duplicate prompt."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from desk.domain.patients import PatientDraft
from desk.domain.roles import Role
from desk.services import patients
from desk.services.context import Desk
from desk.ui.patient_form import DuplicatePrompt, PatientForm
from desk.ui.session import Session
from tests.helpers.fixtures import add_person
from tests.ui.conftest import button, field_for


def line(form: QWidget, label: str) -> QLineEdit:
    field = field_for(form, label)
    assert isinstance(field, QLineEdit)
    return field


@pytest.fixture
def form(qtbot: QtBot, session: Session) -> PatientForm:
    dialog = PatientForm.register(session)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def fill_zoe(qtbot: QtBot, form: PatientForm, dob: str = "5/6/1980") -> None:
    line(form, "Legal first name").insert("Zoë")  # keyClicks types ASCII only
    qtbot.keyClicks(line(form, "Legal last name"), "O'Brien")
    qtbot.keyClicks(line(form, "Date of birth"), dob)
    qtbot.keyClicks(line(form, "Phone"), "201.555.0123")


def inline_error(form: QWidget, field: str) -> str:
    label = form.findChild(QLabel, f"error_{field}")
    assert label is not None
    return label.text() if label.isVisible() else ""


def prompt() -> DuplicatePrompt:
    found = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, DuplicatePrompt) and w.isVisible()]
    assert len(found) == 1
    return found[0]


def test_register_through_the_form(qtbot: QtBot, form: PatientForm) -> None:
    fill_zoe(qtbot, form)
    with qtbot.waitSignal(form.saved) as saved:
        qtbot.mouseClick(button(form, "Register"), Qt.MouseButton.LeftButton)
    view = saved.args[0]
    assert (view.legal_first_name, view.legal_last_name) == ("Zoë", "O'Brien")
    assert view.dob == date(1980, 5, 6) and view.phones == ("+12015550123",)
    assert not form.isVisible()


def test_future_dob_shows_an_inline_message_and_saves_nothing(
    qtbot: QtBot, form: PatientForm, session: Session
) -> None:
    fill_zoe(qtbot, form, dob="05/06/2030")
    qtbot.mouseClick(button(form, "Register"), Qt.MouseButton.LeftButton)
    assert inline_error(form, "dob") == "Date of birth cannot be in the future."
    assert inline_error(form, "legal_last_name") == ""
    assert form.isVisible()
    from desk.services.search import search_patients

    assert search_patients(session.desk, "zoe") == []


def test_unreadable_date_and_bad_phone_are_shown_next_to_their_fields(
    qtbot: QtBot, form: PatientForm
) -> None:
    fill_zoe(qtbot, form, dob="31/31/80")
    qtbot.keyClicks(line(form, "Second phone"), "12ab")
    qtbot.mouseClick(button(form, "Register"), Qt.MouseButton.LeftButton)
    assert inline_error(form, "dob") == "Type the date like 12/31/1980."
    assert "only digits" in inline_error(form, "phones[1]")


def test_leaving_a_phone_field_shows_it_normalised(qtbot: QtBot, form: PatientForm) -> None:
    phone = line(form, "Phone")
    qtbot.keyClicks(phone, "2015550123")
    phone.editingFinished.emit()
    assert phone.text() == "(201) 555-0123"


def test_duplicate_prompt_lists_the_reason_and_register_anyway_saves(
    qtbot: QtBot, form: PatientForm, session: Session
) -> None:
    existing = patients.register_patient(
        session.desk, PatientDraft("Zoe", "OBrien", date(1980, 5, 6))
    )
    fill_zoe(qtbot, form)
    qtbot.mouseClick(button(form, "Register"), Qt.MouseButton.LeftButton)
    shown = prompt()
    item = shown.list.item(0).text()
    assert existing.mrn in item and "why: same date of birth, same name" in item
    with qtbot.waitSignal(form.saved) as saved:
        qtbot.mouseClick(button(shown, "Register anyway"), Qt.MouseButton.LeftButton)
    assert saved.args[0].id != existing.id


def test_open_existing_from_the_duplicate_prompt(
    qtbot: QtBot, form: PatientForm, session: Session
) -> None:
    existing = patients.register_patient(
        session.desk, PatientDraft("Maria", "Lopez", date(1990, 1, 2), phones=("2015550123",))
    )
    fill_zoe(qtbot, form)
    qtbot.mouseClick(button(form, "Register"), Qt.MouseButton.LeftButton)
    assert "same phone number" in prompt().list.item(0).text()
    with qtbot.waitSignal(form.open_existing) as chosen:
        qtbot.mouseClick(button(prompt(), "Open existing"), Qt.MouseButton.LeftButton)
    assert chosen.args == [existing.id]


def test_stale_save_shows_who_changed_it_and_the_current_values(
    qtbot: QtBot, session: Session, sqlite_admin_desk: Desk
) -> None:
    view = patients.register_patient(session.desk, PatientDraft("Zoë", "O'Brien", date(1980, 5, 6)))
    form = PatientForm(session, view)
    qtbot.addWidget(form)
    form.show()
    nurse = Desk(sqlite_admin_desk.engine, workstation="infusion-room",
                 actor=add_person(sqlite_admin_desk, "nina", Role.NURSE))
    patients.update_patient(nurse, view.id, replace(view.draft(), email="z@example.com"),
                            view.version)
    qtbot.keyClicks(line(form, "Preferred name"), "Zo")
    qtbot.mouseClick(button(form, "Save"), Qt.MouseButton.LeftButton)
    assert form.banner.isVisible()
    assert "infusion-room" in form.banner.text() and "z@example.com" in form.banner.text()
    with qtbot.waitSignal(form.saved) as saved:  # a second Save is a deliberate overwrite
        qtbot.mouseClick(button(form, "Save"), Qt.MouseButton.LeftButton)
    assert saved.args[0].preferred_name == "Zo"


def saved_patient_form(qtbot: QtBot, session: Session) -> PatientForm:
    view = patients.register_patient(session.desk, PatientDraft("Zoë", "O'Brien", date(1980, 5, 6)))
    form = PatientForm(session, view)
    qtbot.addWidget(form)
    form.show()
    return form


def test_consent_button_opens_the_consent_dialog_for_that_patient(
    qtbot: QtBot, session: Session
) -> None:
    from desk.ui.consent import ConsentDialog

    form = saved_patient_form(qtbot, session)
    assert form.view is not None
    qtbot.mouseClick(button(form, "Consent…"), Qt.MouseButton.LeftButton)
    dialog = form.findChild(ConsentDialog)
    assert dialog is not None and dialog.isVisible()
    mrn = form.view.mrn
    qtbot.waitUntil(lambda: mrn in dialog.header.text() and "Brien" in dialog.header.text())


def test_book_visit_button_opens_booking_for_that_patient(
    qtbot: QtBot, session: Session
) -> None:
    from desk.ui.booking import BookVisitDialog

    form = saved_patient_form(qtbot, session)
    assert form.view is not None
    qtbot.mouseClick(button(form, "Book visit…"), Qt.MouseButton.LeftButton)
    dialog = form.findChild(BookVisitDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.patient_id == form.view.id
    assert button(dialog, "Book").isEnabled()


def test_a_new_patient_has_no_consent_or_booking_buttons(form: PatientForm) -> None:
    for text in ("Screening…", "Consent…", "Book visit…"):
        with pytest.raises(AssertionError):
            button(form, text)


def test_a_500_character_paste_is_refused_at_the_field_not_cut(
    qtbot: QtBot, form: PatientForm, session: Session
) -> None:
    fill_zoe(qtbot, form)
    first = line(form, "Legal first name")
    first.setText("A" * 500)  # a paste: no keystrokes, no truncation
    assert len(first.text()) == 500
    qtbot.mouseClick(button(form, "Register"), Qt.MouseButton.LeftButton)
    assert inline_error(form, "legal_first_name") == (
        "Legal first name is too long (at most 200 characters).")
    assert form.isVisible()
    first.setText("Zoë")
    with qtbot.waitSignal(form.saved):
        qtbot.mouseClick(button(form, "Register"), Qt.MouseButton.LeftButton)
