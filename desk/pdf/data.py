"""Plain inputs shared by every document: clinic, patient identity, signatures, ids, dates."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from desk.domain.consent import TreatmentType
from desk.domain.locale import format_date
from desk.domain.policy import ClinicPolicy

# Crockford base32 without I, L, O, U: a document id read aloud over the phone survives.
_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ID_RE = re.compile(r"^[A-Z]{3}-[0-9]{8}-[0-9A-Z]{6}$")


class DocumentKind(StrEnum):
    """The prefix of a document id says what the document is."""

    CONSENT = "CNS"
    PREP = "PRP"
    DISCHARGE = "DSC"
    CALL_LIST = "CAL"
    PROGRESS_LETTER = "PRG"
    CS_LOG = "CSL"
    INVENTORY = "INV"
    DAY_REPORT = "DAY"


@dataclass(frozen=True)
class ClinicInfo:
    name: str
    phone: str
    address: str = ""
    # Shown in the consent's "Costs and insurance" section; a clinic setting.
    costs_text: str = ""


@dataclass(frozen=True)
class PatientIdentity:
    legal_name: str
    date_of_birth: date
    mrn: str


@dataclass(frozen=True)
class SignatureCapture:
    """An on-screen signature: the PNG from the pad, who signed and when."""

    png: bytes
    signer_name: str
    signed_at: datetime


@dataclass(frozen=True)
class PrepTimes:
    stop_food_at: datetime
    clear_fluids_until: datetime


def prep_times(starts_at: datetime, policy: ClinicPolicy) -> PrepTimes:
    """When a patient must stop eating and stop clear fluids for an infusion at ``starts_at``.

    The same limits as ``desk.domain.fasting.check_fasting`` judges at the desk: a patient
    who follows the sheet is plainly OK there, not "caution".
    """
    return PrepTimes(
        stop_food_at=starts_at - timedelta(hours=policy.fasting_food_hours),
        clear_fluids_until=starts_at - timedelta(minutes=clear_fluids_stop_minutes(policy)),
    )


def clear_fluids_stop_minutes(policy: ClinicPolicy) -> int:
    """Minutes before the start to stop clear fluids: the caution limit, never less than
    the not-ready limit (as the fasting check reads a misconfigured pair)."""
    return max(policy.clear_fluids_caution_minutes, policy.clear_fluids_not_ready_minutes)


def new_document_id(kind: DocumentKind, on: date, token: str | None = None) -> str:
    """``CNS-20250314-7KQ2MX``: kind, date, six random characters (no PHI).

    Pass ``token`` only in tests, for reproducible ids.
    """
    if token is None:
        token = "".join(secrets.choice(_ID_ALPHABET) for _ in range(6))
    return f"{kind.value}-{on:%Y%m%d}-{token}"


def is_document_id(text: str) -> bool:
    return bool(_ID_RE.match(text))


def default_filename(document_id: str) -> str:
    """A file name made from the document id only, so no PHI lands in a file name."""
    safe = re.sub(r"[^0-9A-Za-z-]", "_", document_id)
    return f"{safe or 'document'}.pdf"


_TREATMENT_LABELS: dict[str, dict[TreatmentType, str]] = {
    "en": {
        TreatmentType.MOOD_SERIES: "Mood Series infusions",
        TreatmentType.PAIN_SERIES: "Pain Series infusions",
        TreatmentType.BOOSTER: "booster infusions",
        TreatmentType.MAINTENANCE: "maintenance infusions",
    },
    "es": {
        TreatmentType.MOOD_SERIES: "infusiones de la serie para el estado de ánimo",
        TreatmentType.PAIN_SERIES: "infusiones de la serie para el dolor",
        TreatmentType.BOOSTER: "infusiones de refuerzo",
        TreatmentType.MAINTENANCE: "infusiones de mantenimiento",
    },
}

_WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}


def base_language(language: str) -> str:
    """``es-MX`` → ``es``; languages without our own wording fall back to English."""
    code = language.split("-")[0].lower()
    return code if code in _TREATMENT_LABELS else "en"


def treatment_label(treatment: TreatmentType, language: str) -> str:
    return _TREATMENT_LABELS[base_language(language)][treatment]


def format_day(day: date, policy: ClinicPolicy, language: str) -> str:
    """``Tuesday 03/18/2025``: the weekday spelt out (without locale settings) and the date."""
    weekday = _WEEKDAYS[base_language(language)][day.weekday()]
    return f"{weekday} {format_date(day, policy)}"


def format_number(value: float, language: str) -> str:
    """4.0 → ``4``; 1.5 → ``1.5`` (``1,5`` in Spanish)."""
    text = f"{value:g}"
    return text.replace(".", ",") if base_language(language) == "es" else text
