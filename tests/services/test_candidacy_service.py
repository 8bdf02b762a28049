"""Recording candidacy screening: roles, versions, audit and the header, on SQLite and PG."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from desk.domain.candidacy import (
    Candidacy,
    CandidacyState,
    Contraindication,
    Indication,
    MedicationFlag,
)
from desk.domain.errors import NotPermitted, StaleEdit, ValidationError
from desk.domain.patients import PatientDraft
from desk.domain.roles import Role
from desk.services import audit, candidacy, patients
from desk.services.context import Desk
from tests.helpers.fixtures import add_person

COMPLETE = Candidacy(
    indication=Indication.PTSD,
    diagnosis_confirmed_by="Dr Amara Okafor",
    diagnosis_confirmed_on=date(2026, 10, 1),
    provider_name="Dr Amara Okafor",
    provider_practice="Harbour Psychiatry",
    provider_phone="201 555 0100",
    consultation_date=date(2026, 11, 2),
    history_reviewed_by="Nina Nurse",
)


@pytest.fixture
def patient_id(admin_desk: Desk) -> int:
    return patients.register_patient(
        admin_desk, PatientDraft("Zoë", "O'Brien", date(1980, 5, 6))
    ).id


def test_unscreened_patient_is_screening_incomplete(admin_desk: Desk, patient_id: int) -> None:
    view = candidacy.get_candidacy(admin_desk, patient_id)
    assert view.version == 0
    assert view.status.state is CandidacyState.SCREENING_INCOMPLETE
    assert view.status.header == (
        "screening incomplete, missing: indication, diagnosis confirmed, treating provider"
        " and 2 more"
    )


def test_complete_screening_makes_a_candidate(nurse_desk: Desk, patient_id: int) -> None:
    view = candidacy.update_candidacy(
        nurse_desk,
        patient_id,
        COMPLETE,
        history_reviewed_on=date(2026, 11, 3),
        expected_version=0,
    )
    assert view.status.header == "candidate" and view.version == 1
    again = candidacy.get_candidacy(nurse_desk, patient_id)
    assert again.candidacy.provider_phone == "+12015550100"
    assert again.history_reviewed_on == date(2026, 11, 3)
    assert patients.get_patient(nurse_desk, patient_id).candidacy.header == "candidate"


def test_flags_with_details_make_the_patient_flagged(nurse_desk: Desk, patient_id: int) -> None:
    flagged = replace(
        COMPLETE,
        contraindications=frozenset({Contraindication.UNCONTROLLED_HYPERTENSION}),
        medications=frozenset({MedicationFlag.LAMOTRIGINE}),
        flag_details={"lamotrigine": "200 mg daily", "opioids": "not flagged: dropped"},
    )
    candidacy.update_candidacy(nurse_desk, patient_id, flagged, expected_version=0)
    view = candidacy.get_candidacy(nurse_desk, patient_id)
    assert view.status.header == "flagged: Uncontrolled hypertension, Lamotrigine"
    assert dict(view.candidacy.flag_details) == {"lamotrigine": "200 mg daily"}
    assert candidacy.candidacy_status(nurse_desk, patient_id).state is CandidacyState.FLAGGED


def test_reception_may_record_provider_and_consultation_only(
    reception_desk: Desk, patient_id: int
) -> None:
    provider = Candidacy(
        provider_name="Dr Amara Okafor",
        provider_practice="Harbour Psychiatry",
        consultation_date=date(2026, 11, 2),
    )
    view = candidacy.update_candidacy(reception_desk, patient_id, provider, expected_version=0)
    assert view.candidacy.provider_name == "Dr Amara Okafor"
    with pytest.raises(NotPermitted, match="indication"):
        candidacy.update_candidacy(
            reception_desk,
            patient_id,
            replace(provider, indication=Indication.OCD),
            expected_version=view.version,
        )


def test_future_dates_and_bad_phone_are_refused(nurse_desk: Desk, patient_id: int) -> None:
    with pytest.raises(ValidationError, match="future") as caught:
        candidacy.update_candidacy(
            nurse_desk,
            patient_id,
            replace(COMPLETE, consultation_date=date(2027, 1, 1)),
            expected_version=0,
        )
    assert caught.value.field == "consultation_date"
    with pytest.raises(ValidationError) as bad_phone:
        candidacy.update_candidacy(
            nurse_desk, patient_id, replace(COMPLETE, provider_phone="12ab"), expected_version=0
        )
    assert bad_phone.value.field == "provider_phone"


def test_stale_save_names_the_other_workstation(admin_desk: Desk, patient_id: int) -> None:
    room = Desk(
        admin_desk.engine,
        workstation="infusion-room",
        clock=admin_desk.clock,
        actor=add_person(admin_desk, "nina", Role.NURSE),
    )
    candidacy.update_candidacy(room, patient_id, COMPLETE, expected_version=0)
    with pytest.raises(StaleEdit) as caught:
        candidacy.update_candidacy(
            admin_desk,
            patient_id,
            replace(COMPLETE, indication=Indication.OCD),
            expected_version=0,
        )
    assert caught.value.workstation == "infusion-room" and caught.value.changed_by == "nina"
    assert caught.value.current["Indication"] == "PTSD"


def test_one_audit_entry_per_save_with_field_names_only(
    admin_desk: Desk, nurse_desk: Desk, patient_id: int
) -> None:
    view = candidacy.update_candidacy(nurse_desk, patient_id, COMPLETE, expected_version=0)
    candidacy.update_candidacy(nurse_desk, patient_id, COMPLETE, expected_version=view.version)
    flagged = replace(
        COMPLETE,
        medications=frozenset({MedicationFlag.OPIOIDS}),
        flag_details={"opioids": "oxycodone after surgery"},
    )
    candidacy.update_candidacy(nurse_desk, patient_id, flagged, expected_version=view.version)
    found = audit.browse(admin_desk, audit.AuditFilter(action="candidacy."))
    assert [e.action for e in found] == ["candidacy.update", "candidacy.update"]
    assert found[0].summary == "flag_details, medications"
    text = " ".join(e.summary for e in found)
    for phi in ("Okafor", "oxycodone", "PTSD", "ptsd", "opioids", "555"):
        assert phi not in text


def test_unknown_patient_and_anonymous_are_refused(admin_desk: Desk) -> None:
    from desk.domain.errors import NotFound

    with pytest.raises(NotFound):
        candidacy.get_candidacy(admin_desk, 999)
    with pytest.raises(NotPermitted):
        candidacy.get_candidacy(admin_desk.as_actor(None), 1)
