"""Candidacy: what screening is missing, which flags are raised, and the header line."""

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
    MissingItem,
    assess,
)
from desk.domain.policy import ClinicPolicy

POLICY = ClinicPolicy()
COMPLETE = Candidacy(
    indication=Indication.TREATMENT_RESISTANT_DEPRESSION,
    diagnosis_confirmed_by="Dr. Ruiz",
    diagnosis_confirmed_on=date(2026, 1, 10),
    provider_name="Dr. Okafor",
    provider_practice="Riverside Psychiatry",
    consultation_date=date(2026, 2, 1),
    history_reviewed_by="Nurse Kim",
)


def test_complete_screening_without_flags_is_a_candidate() -> None:
    status = assess(COMPLETE, POLICY)
    assert status.state is CandidacyState.CANDIDATE
    assert status.is_candidate
    assert status.header == "candidate"
    assert status.missing == ()


def test_empty_record_misses_every_step_in_panel_order() -> None:
    status = assess(Candidacy(), POLICY)
    assert status.state is CandidacyState.SCREENING_INCOMPLETE
    assert status.missing == (
        MissingItem.INDICATION,
        MissingItem.DIAGNOSIS_CONFIRMED,
        MissingItem.TREATING_PROVIDER,
        MissingItem.CONSULTATION_DATE,
        MissingItem.HISTORY_REVIEWED,
    )
    assert status.header == (
        "screening incomplete, missing: indication, diagnosis confirmed, treating provider"
        " and 2 more"
    )


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        ({"indication": None}, MissingItem.INDICATION),
        ({"diagnosis_confirmed_by": "  "}, MissingItem.DIAGNOSIS_CONFIRMED),
        ({"diagnosis_confirmed_on": None}, MissingItem.DIAGNOSIS_CONFIRMED),
        ({"provider_name": ""}, MissingItem.TREATING_PROVIDER),
        ({"consultation_date": None}, MissingItem.CONSULTATION_DATE),
        ({"history_reviewed_by": ""}, MissingItem.HISTORY_REVIEWED),
    ],
)
def test_each_missing_step_alone_makes_screening_incomplete(
    change: dict[str, object], missing: MissingItem
) -> None:
    status = assess(replace(COMPLETE, **change), POLICY)  # type: ignore[arg-type]
    assert status.state is CandidacyState.SCREENING_INCOMPLETE
    assert status.missing == (missing,)
    assert status.header == f"screening incomplete, missing: {missing.label}"


def test_pregnancy_test_is_missing_only_when_the_clinic_requires_it() -> None:
    requiring = ClinicPolicy(pregnancy_test_required=True)
    assert assess(COMPLETE, POLICY).is_candidate
    assert assess(COMPLETE, requiring).missing == (MissingItem.PREGNANCY_TEST,)
    tested = replace(COMPLETE, pregnancy_test_negative_on=date(2026, 2, 1))
    assert assess(tested, requiring).is_candidate


def test_pregnancy_test_marked_not_applicable_is_not_missing() -> None:
    requiring = ClinicPolicy(pregnancy_test_required=True)
    assert assess(replace(COMPLETE, pregnancy_test_applies=False), requiring).is_candidate


def test_any_flag_makes_the_patient_flagged_naming_the_flags() -> None:
    flagged = replace(
        COMPLETE,
        contraindications=frozenset({Contraindication.KETAMINE_ALLERGY}),
        medications=frozenset({MedicationFlag.MAOIS, MedicationFlag.BENZODIAZEPINES}),
    )
    status = assess(flagged, POLICY)
    assert status.state is CandidacyState.FLAGGED
    assert not status.is_candidate
    assert status.header == "flagged: Ketamine allergy, Benzodiazepines, MAOIs"


def test_flags_win_over_missing_steps_but_the_details_list_both() -> None:
    status = assess(
        Candidacy(medications=frozenset({MedicationFlag.LAMOTRIGINE})),
        POLICY,
    )
    assert status.state is CandidacyState.FLAGGED
    assert status.header == "flagged: Lamotrigine"
    assert "Missing: consultation date" in status.details
    assert "Flag: Lamotrigine" in status.details


def test_every_flag_and_indication_has_a_human_label() -> None:
    for enum in (Indication, Contraindication, MedicationFlag, MissingItem):
        for member in enum:
            assert member.label and "_" not in member.label


def test_indication_list_is_the_one_in_the_design() -> None:
    assert len(Indication) == 9
    pain = {i for i in Indication if i.is_chronic_pain}
    assert pain == {Indication.CRPS, Indication.FIBROMYALGIA, Indication.MIGRAINE}
    assert Indication.CRPS.label == "Chronic pain: CRPS"
