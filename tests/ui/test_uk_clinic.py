"""A clinic set up in the United Kingdom writes and reads 14/03/1990 and +44 numbers on
every screen and printed sheet, never the US way."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desk.domain.booking import VisitType
from desk.domain.consent import TreatmentType
from desk.domain.locale import for_country
from desk.services import booking, call_list, consent, patients, settings
from desk.ui.checkin import open_check_in
from desk.ui.patient_form import PatientForm
from desk.ui.search import PatientSearch
from desk.ui.session import Session
from tests.ui.conftest import button, field_for, set_policy

TOMORROW = date(2026, 11, 26)


@pytest.fixture
def uk(session: Session) -> Session:
    uk_policy = for_country(session.policy, "GB")
    set_policy(session.desk, phone_region=uk_policy.phone_region,
               date_format=uk_policy.date_format, time_format=uk_policy.time_format)
    session.reload_clinic()
    return session


def pdf_text(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text() or "" for page in pages).split())


def register_through_the_form(qtbot: QtBot, session: Session) -> int:
    form = PatientForm.register(session)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(field_for(form, "Legal first name"), "Imogen")
    qtbot.keyClicks(field_for(form, "Legal last name"), "Pryce")
    qtbot.keyClicks(field_for(form, "Date of birth"), "14/03/1990")
    qtbot.keyClicks(field_for(form, "Phone"), "07911 123456")
    with qtbot.waitSignal(form.saved, timeout=5000) as saved:
        qtbot.mouseClick(button(form, "Register"), Qt.MouseButton.LeftButton)
    view = saved.args[0]
    assert view.dob == date(1990, 3, 14)
    assert view.phones == ("+447911123456",)
    return int(view.id)


def test_a_uk_clinic_registers_shows_and_finds_day_first_dates_and_uk_phones(
    qtbot: QtBot, uk: Session
) -> None:
    patient_id = register_through_the_form(qtbot, uk)
    edit = PatientForm(uk, patients.get_patient(uk.desk, patient_id))
    qtbot.addWidget(edit)
    assert edit.header.facts_label.text().count("DOB 14/03/1990") == 1
    assert field_for(edit, "Date of birth").text() == "14/03/1990"  # type: ignore[attr-defined]
    assert field_for(edit, "Phone").text() == "07911 123456"  # type: ignore[attr-defined]
    search = PatientSearch(uk)
    qtbot.addWidget(search)
    search.show()
    qtbot.keyClicks(search.box, "14/03/1990")
    qtbot.waitUntil(lambda: search.model.rowCount() == 1, timeout=5000)
    row = [search.model.index(0, c).data() for c in range(search.model.columnCount())]
    assert "14/03/1990" in row and "07911 123456" in row


def test_a_uk_check_in_accepts_the_date_of_birth_read_back_day_first(
    qtbot: QtBot, uk: Session
) -> None:
    patient_id = register_through_the_form(qtbot, uk)
    start = datetime.combine(uk.desk.now().astimezone().date(), time(16)).astimezone()
    visit = booking.book_visit(uk.desk, patient_id, VisitType.CONSULTATION, start, None)
    dialog = open_check_in(uk, visit.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(field_for(dialog, "Date of birth"), "14/03/1990")
    dialog.contact_ok.setChecked(True)
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        qtbot.mouseClick(button(dialog, "Check in"), Qt.MouseButton.LeftButton)


def test_uk_printed_sheets_carry_day_first_dates_and_uk_phones(
    qtbot: QtBot, uk: Session
) -> None:
    patient_id = register_through_the_form(qtbot, uk)
    booking.book_visit(uk.desk, patient_id, VisitType.MOOD_INFUSION,
                       datetime.combine(TOMORROW, time(10)).astimezone(), "Chair 1",
                       screening_override_reason="Screening on paper, entered later")
    sheet = pdf_text(call_list.call_list_pdf(uk.desk, TOMORROW))
    assert "26/11/2026" in sheet and "07911 123456" in sheet
    assert "11/26/2026" not in sheet
    template = consent.list_templates(uk.desk)[0]
    form = consent.print_paper_form(uk.desk, patient_id, TreatmentType.MOOD_SERIES, template.id)
    assert "14/03/1990" in pdf_text(form.pdf)
    assert "03/14/1990" not in pdf_text(form.pdf)
    assert settings.clinic_info(uk.desk).policy.date_format == "%d/%m/%Y"
