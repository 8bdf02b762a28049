"""Candidacy for ketamine infusions: indications, screening flags and the header status."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from desk.domain.policy import ClinicPolicy

# The header is one line next to the patient's name; the tooltip lists everything.
_HEADER_ITEMS = 3


class Indication(StrEnum):
    TREATMENT_RESISTANT_DEPRESSION = "treatment_resistant_depression"
    ANXIETY_DISORDER = "anxiety_disorder"
    PTSD = "ptsd"
    OCD = "ocd"
    BIPOLAR_DEPRESSION = "bipolar_depression"
    POSTPARTUM_DEPRESSION = "postpartum_depression"
    CRPS = "crps"
    FIBROMYALGIA = "fibromyalgia"
    MIGRAINE = "migraine"

    @property
    def label(self) -> str:
        return _INDICATION_LABELS[self]

    @property
    def is_chronic_pain(self) -> bool:
        """Pain indications are treated with the Pain Series, the others with the Mood Series."""
        return self in (Indication.CRPS, Indication.FIBROMYALGIA, Indication.MIGRAINE)


_INDICATION_LABELS = {
    Indication.TREATMENT_RESISTANT_DEPRESSION: "Treatment-resistant depression",
    Indication.ANXIETY_DISORDER: "Anxiety disorder",
    Indication.PTSD: "PTSD",
    Indication.OCD: "OCD",
    Indication.BIPOLAR_DEPRESSION: "Bipolar depression",
    Indication.POSTPARTUM_DEPRESSION: "Postpartum depression",
    Indication.CRPS: "Chronic pain: CRPS",
    Indication.FIBROMYALGIA: "Chronic pain: fibromyalgia",
    Indication.MIGRAINE: "Chronic pain: migraine",
}


class Contraindication(StrEnum):
    UNCONTROLLED_HYPERTENSION = "uncontrolled_hypertension"
    VASCULAR_ANEURYSM_AVM = "vascular_aneurysm_avm"
    INTRACEREBRAL_HAEMORRHAGE = "intracerebral_haemorrhage"
    PSYCHOSIS_OR_MANIA = "psychosis_or_mania"
    PREGNANCY_OR_BREASTFEEDING = "pregnancy_or_breastfeeding"
    KETAMINE_ALLERGY = "ketamine_allergy"
    ACTIVE_SUBSTANCE_MISUSE = "active_substance_misuse"
    RAISED_INTRACRANIAL_OR_INTRAOCULAR_PRESSURE = "raised_intracranial_or_intraocular_pressure"
    SEVERE_LIVER_IMPAIRMENT = "severe_liver_impairment"
    KETAMINE_CYSTITIS = "ketamine_cystitis"

    @property
    def label(self) -> str:
        return _CONTRAINDICATION_LABELS[self]


_CONTRAINDICATION_LABELS = {
    Contraindication.UNCONTROLLED_HYPERTENSION: "Uncontrolled hypertension",
    Contraindication.VASCULAR_ANEURYSM_AVM: "Aneurysmal vascular disease / AVM",
    Contraindication.INTRACEREBRAL_HAEMORRHAGE: "Intracerebral haemorrhage",
    Contraindication.PSYCHOSIS_OR_MANIA: "Psychosis or mania",
    Contraindication.PREGNANCY_OR_BREASTFEEDING: "Pregnancy or breastfeeding",
    Contraindication.KETAMINE_ALLERGY: "Ketamine allergy",
    Contraindication.ACTIVE_SUBSTANCE_MISUSE: "Active substance misuse",
    Contraindication.RAISED_INTRACRANIAL_OR_INTRAOCULAR_PRESSURE: (
        "Raised intracranial or intraocular pressure"
    ),
    Contraindication.SEVERE_LIVER_IMPAIRMENT: "Severe liver impairment",
    Contraindication.KETAMINE_CYSTITIS: "Ketamine cystitis",
}


class MedicationFlag(StrEnum):
    BENZODIAZEPINES = "benzodiazepines"
    LAMOTRIGINE = "lamotrigine"
    OPIOIDS = "opioids"
    STIMULANTS = "stimulants"
    MAOIS = "maois"

    @property
    def label(self) -> str:
        return "MAOIs" if self is MedicationFlag.MAOIS else self.value.capitalize()


class MissingItem(StrEnum):
    """Screening steps that must be recorded before the first infusion."""

    INDICATION = "indication"
    DIAGNOSIS_CONFIRMED = "diagnosis_confirmed"
    TREATING_PROVIDER = "treating_provider"
    CONSULTATION_DATE = "consultation_date"
    HISTORY_REVIEWED = "history_reviewed"
    PREGNANCY_TEST = "pregnancy_test"

    @property
    def label(self) -> str:
        return _MISSING_LABELS[self]


_MISSING_LABELS = {
    MissingItem.INDICATION: "indication",
    MissingItem.DIAGNOSIS_CONFIRMED: "diagnosis confirmed",
    MissingItem.TREATING_PROVIDER: "treating provider",
    MissingItem.CONSULTATION_DATE: "consultation date",
    MissingItem.HISTORY_REVIEWED: "medical history reviewed",
    MissingItem.PREGNANCY_TEST: "pregnancy test",
}


@dataclass(frozen=True)
class Candidacy:
    """The screening record of one patient, as the candidacy panel edits it.

    ``flag_details`` holds free text per flag, keyed by the flag's value. A positive
    pregnancy test is recorded as the PREGNANCY_OR_BREASTFEEDING flag; the test date here
    is the last negative one. ``pregnancy_test_applies`` is cleared by a clinician when a
    test makes no sense for this patient.
    """

    indication: Indication | None = None
    diagnosis_confirmed_by: str = ""
    diagnosis_confirmed_on: date | None = None
    provider_name: str = ""
    provider_practice: str = ""
    provider_phone: str = ""
    provider_address: str = ""  # where the progress letter goes
    consultation_date: date | None = None
    history_reviewed_by: str = ""
    pregnancy_test_applies: bool = True
    pregnancy_test_negative_on: date | None = None
    contraindications: frozenset[Contraindication] = frozenset()
    medications: frozenset[MedicationFlag] = frozenset()
    flag_details: Mapping[str, str] = field(default_factory=dict, hash=False)


class CandidacyState(StrEnum):
    CANDIDATE = "candidate"
    SCREENING_INCOMPLETE = "screening_incomplete"
    FLAGGED = "flagged"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class CandidacyStatus:
    """The verdict shown wherever the patient appears.

    FLAGGED wins over SCREENING_INCOMPLETE (a flag needs a clinician whatever else is
    missing), but both lists are always filled so a tooltip can show everything.
    """

    state: CandidacyState
    missing: tuple[MissingItem, ...] = ()
    contraindications: tuple[Contraindication, ...] = ()
    medications: tuple[MedicationFlag, ...] = ()

    @property
    def is_candidate(self) -> bool:
        """Clear to book and check in an infusion without anybody's override."""
        return self.state is CandidacyState.CANDIDATE

    @property
    def flag_labels(self) -> tuple[str, ...]:
        return tuple(f.label for f in self.contraindications) + tuple(
            m.label for m in self.medications
        )

    @property
    def header(self) -> str:
        """One short line: "candidate", "screening incomplete, missing: …" or "flagged: …".

        "missing" is spelt out: "screening incomplete: diagnosis confirmed" read as done.
        """
        if self.state is CandidacyState.FLAGGED:
            return f"flagged: {_shortened(self.flag_labels)}"
        if self.state is CandidacyState.SCREENING_INCOMPLETE:
            return f"screening incomplete, missing: {_shortened([m.label for m in self.missing])}"
        return "candidate"

    @property
    def details(self) -> str:
        """Everything, for a tooltip: flags and missing steps, one per line."""
        lines = [f"Flag: {label}" for label in self.flag_labels]
        lines += [f"Missing: {item.label}" for item in self.missing]
        return "\n".join(lines) or "Screening complete, no flags."


def _shortened(items: tuple[str, ...] | list[str]) -> str:
    if len(items) <= _HEADER_ITEMS:
        return ", ".join(items)
    shown = ", ".join(items[:_HEADER_ITEMS])
    return f"{shown} and {len(items) - _HEADER_ITEMS} more"


def missing_items(candidacy: Candidacy, policy: ClinicPolicy) -> tuple[MissingItem, ...]:
    """The screening steps not yet recorded, in the order the panel shows them."""
    c = candidacy
    checks = (
        (MissingItem.INDICATION, c.indication is not None),
        (
            MissingItem.DIAGNOSIS_CONFIRMED,
            bool(c.diagnosis_confirmed_by.strip()) and c.diagnosis_confirmed_on is not None,
        ),
        (MissingItem.TREATING_PROVIDER, bool(c.provider_name.strip())),
        (MissingItem.CONSULTATION_DATE, c.consultation_date is not None),
        (MissingItem.HISTORY_REVIEWED, bool(c.history_reviewed_by.strip())),
        (
            MissingItem.PREGNANCY_TEST,
            not (policy.pregnancy_test_required and c.pregnancy_test_applies)
            or c.pregnancy_test_negative_on is not None,
        ),
    )
    return tuple(item for item, done in checks if not done)


def assess(candidacy: Candidacy, policy: ClinicPolicy) -> CandidacyStatus:
    """Whether the patient is a candidate, still being screened, or flagged."""
    missing = missing_items(candidacy, policy)
    contraindications = tuple(c for c in Contraindication if c in candidacy.contraindications)
    medications = tuple(m for m in MedicationFlag if m in candidacy.medications)
    if contraindications or medications:
        state = CandidacyState.FLAGGED
    elif missing:
        state = CandidacyState.SCREENING_INCOMPLETE
    else:
        state = CandidacyState.CANDIDATE
    return CandidacyStatus(state, missing, contraindications, medications)
