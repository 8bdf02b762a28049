"""The candidacy panel: live status line, flags with details, roles, and the patient header."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from desk.domain.candidacy import CandidacyState, Indication
from desk.domain.patients import PatientDraft
from desk.domain.policy import DEFAULT_POLICY
from desk.domain.roles import Role
from desk.services import candidacy, patients
from desk.ui.candidacy_panel import CandidacyPanel
from desk.ui.patient_header import PatientHeader
from desk.ui.session import Session
from tests.helpers.fixtures import add_person
from tests.ui.conftest import button, field_for


@pytest.fixture
def patient_id(session: Session) -> int:
    draft = PatientDraft("Zoë", "O'Brien", date(1980, 5, 6), preferred_name="Zo")
    return patients.register_patient(session.desk, draft).id


def open_panel(qtbot: QtBot, session: Session, patient_id: int) -> CandidacyPanel:
    panel = CandidacyPanel.for_patient(session, patient_id)
    assert panel is not None
    qtbot.addWidget(panel)
    panel.show()
    return panel


def type_into(qtbot: QtBot, panel: CandidacyPanel, label: str, text: str) -> None:
    field = field_for(panel, label)
    assert isinstance(field, QLineEdit)
    qtbot.keyClicks(field, text)


def test_nurse_records_complete_screening_and_status_follows(
    qtbot: QtBot, session: Session, patient_id: int
) -> None:
    panel = open_panel(qtbot, session, patient_id)
    assert panel.status.text().startswith("… screening incomplete, missing: indication")
    indication = field_for(panel, "Indication")
    assert isinstance(indication, QComboBox)
    indication.setCurrentIndex(indication.findData(Indication.PTSD))
    type_into(qtbot, panel, "Diagnosis confirmed by", "Dr Okafor")
    type_into(qtbot, panel, "Diagnosis confirmed on", "10/01/2026")
    type_into(qtbot, panel, "Treating provider", "Dr Okafor")
    type_into(qtbot, panel, "Consultation date", "11/02/2026")
    type_into(qtbot, panel, "History reviewed by", "Ada Admin")
    assert panel.status.text() == "✓ candidate"
    with qtbot.waitSignal(panel.saved):
        qtbot.mouseClick(button(panel, "Save"), Qt.MouseButton.LeftButton)
    assert candidacy.candidacy_status(session.desk, patient_id).is_candidate


def test_ticking_a_flag_enables_its_detail_and_flags_the_patient(
    qtbot: QtBot, session: Session, patient_id: int
) -> None:
    panel = open_panel(qtbot, session, patient_id)
    allergy = panel.findChild(QCheckBox, "flag_ketamine_allergy")
    detail = panel.findChild(QLineEdit, "detail_ketamine_allergy")
    assert allergy is not None and detail is not None and not detail.isEnabled()
    allergy.setFocus()
    qtbot.keyClick(allergy, Qt.Key.Key_Space)
    assert allergy.isChecked() and detail.isEnabled()
    qtbot.keyClicks(detail, "rash in 2019")
    assert panel.status.text() == "⚠ flagged: Ketamine allergy"
    with qtbot.waitSignal(panel.saved):
        qtbot.mouseClick(button(panel, "Save"), Qt.MouseButton.LeftButton)
    view = candidacy.get_candidacy(session.desk, patient_id)
    assert view.status.state is CandidacyState.FLAGGED
    assert view.candidacy.flag_details == {"ketamine_allergy": "rash in 2019"}


def test_reception_sees_clinical_fields_disabled_but_records_the_provider(
    qtbot: QtBot, session: Session, patient_id: int
) -> None:
    session.switch_to(add_person(session.desk, "rita", Role.RECEPTIONIST))
    panel = open_panel(qtbot, session, patient_id)
    assert not field_for(panel, "Indication").isEnabled()
    assert not field_for(panel, "History reviewed by").isEnabled()
    assert "A nurse or admin records the clinical screening" in panel.role_note.text()
    type_into(qtbot, panel, "Treating provider", "Dr Okafor")
    type_into(qtbot, panel, "Provider's phone", "2015550100")
    with qtbot.waitSignal(panel.saved):
        qtbot.mouseClick(button(panel, "Save"), Qt.MouseButton.LeftButton)
    saved = candidacy.get_candidacy(session.desk, patient_id).candidacy
    assert saved.provider_name == "Dr Okafor" and saved.provider_phone == "+12015550100"


def test_future_consultation_date_is_refused_with_a_sentence(
    qtbot: QtBot, session: Session, patient_id: int
) -> None:
    panel = open_panel(qtbot, session, patient_id)
    type_into(qtbot, panel, "Consultation date", "01/01/2099")
    qtbot.mouseClick(button(panel, "Save"), Qt.MouseButton.LeftButton)
    assert panel.error.text() == "Consultation date cannot be in the future."
    assert panel.isVisible()


def test_patient_header_shows_name_mrn_age_and_status(
    qtbot: QtBot, session: Session, patient_id: int
) -> None:
    header = PatientHeader(DEFAULT_POLICY)
    qtbot.addWidget(header)
    view = patients.get_patient(session.desk, patient_id)
    header.show_patient(view, today=date(2026, 11, 25))
    assert header.name_label.text() == "Zo O'Brien (legal: Zoë O'Brien)"
    assert header.facts_label.text() == f"MRN {view.mrn}   ·   DOB 05/06/1980   ·   age 46"
    assert "screening incomplete" in header.status_label.text()
    assert "Missing: indication" in header.status_label.toolTip()
    header.clear()
    assert header.name_label.text() == "" and header.status_label.isHidden()
