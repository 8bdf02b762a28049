"""Registration rules: what a patient record must satisfy, as inline messages per field."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from desk.domain.errors import ValidationError
from desk.domain.names import require_name, validate_name
from desk.domain.phones import normalise_phone
from desk.domain.policy import ClinicPolicy

# Guards against pasted garbage, not clinical rules.
MAX_EMAIL_LENGTH = 254  # the SMTP limit on an address
MAX_ADDRESS_LENGTH = 500
MAX_NOTES_LENGTH = 10_000

# Deliberately simple: one "@", no spaces, a dotted domain with a final label of two or
# more letters. International (non-ASCII) addresses pass; the only real test of an
# address is mail reaching it, which is not the desk's job.
_EMAIL = re.compile(r"[^@\s]+@(?:[^@\s.]+\.)+[^@\s.\d]{2,}")


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    INTERSEX = "intersex"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return "Not recorded" if self is Sex.UNKNOWN else self.value.capitalize()


@dataclass(frozen=True)
class PatientDraft:
    """A patient record as the registration form holds it, before or after cleaning.

    Phones are as typed in a draft and E.164 after ``clean_patient``.
    """

    legal_first_name: str
    legal_last_name: str
    dob: date | None
    preferred_name: str = ""
    sex: Sex = Sex.UNKNOWN
    phones: tuple[str, ...] = ()
    email: str = ""
    address: str = ""
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    notes: str = ""


@dataclass(frozen=True)
class FieldError:
    field: str  # a PatientDraft attribute name; "phones[1]" for the second phone
    message: str


class PatientInvalid(ValidationError):
    """A registration with one or more field errors; ``errors`` lists them all."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__(errors[0].message, errors[0].field)


def age_on(dob: date, today: date) -> int:
    """Completed years on ``today``; someone born on 29 February turns a year on 1 March."""
    had_birthday = (today.month, today.day) >= (dob.month, dob.day)
    return today.year - dob.year - (0 if had_birthday else 1)


def check_dob(dob: date | None, policy: ClinicPolicy, today: date) -> None:
    """ValidationError unless ``dob`` is given, not in the future and old enough."""
    if dob is None:
        raise ValidationError("Date of birth is required.", "dob")
    if dob > today:
        raise ValidationError("Date of birth cannot be in the future.", "dob")
    if age_on(dob, today) < policy.minimum_age_years:
        raise ValidationError(
            f"Patients must be at least {policy.minimum_age_years} years old.", "dob"
        )


def normalise_email(text: str, field: str = "email") -> str:
    """The address without surrounding spaces, or "" if none; ValidationError if malformed."""
    email = text.strip()
    if not email:
        return ""
    if len(email) > MAX_EMAIL_LENGTH:
        raise ValidationError(
            f"Email address is too long (at most {MAX_EMAIL_LENGTH} characters).", field
        )
    if not _EMAIL.fullmatch(email):
        raise ValidationError("Email address is not valid, e.g. name@example.com.", field)
    return email


def _check_free_text(text: str, field: str, limit: int) -> str:
    """Multi-line text: line breaks and tabs allowed, other control characters refused."""
    if len(text) > limit:
        raise ValidationError(f"This is too long (at most {limit} characters).", field)
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        raise ValidationError("This contains a control character; retype it.", field)
    return text.strip()


def _cleaned(
    draft: PatientDraft, policy: ClinicPolicy, today: date
) -> tuple[PatientDraft, list[FieldError]]:
    """The draft with every field normalised, and the errors of those that could not be."""
    d, region = draft, policy.phone_region
    cleaners: dict[str, Callable[[], object]] = {
        "legal_first_name": lambda: require_name(d.legal_first_name, "legal_first_name"),
        "legal_last_name": lambda: require_name(d.legal_last_name, "legal_last_name"),
        "preferred_name": lambda: _optional_name(d.preferred_name, "preferred_name"),
        "dob": lambda: _checked_dob(d.dob, policy, today),
        "phones": lambda: _clean_phones(d.phones, region),
        "email": lambda: normalise_email(d.email),
        "address": lambda: _check_free_text(d.address, "address", MAX_ADDRESS_LENGTH),
        "emergency_contact_name": lambda: _optional_name(
            d.emergency_contact_name, "emergency_contact_name"
        ),
        "emergency_contact_phone": lambda: _clean_emergency_phone(d, region),
        "notes": lambda: _check_free_text(d.notes, "notes", MAX_NOTES_LENGTH),
    }
    errors: list[FieldError] = []
    values: dict[str, Any] = {}  # each value has its field's type; see cleaners
    for field, clean in cleaners.items():
        # Each field is cleaned on its own so the form can show every error at once.
        try:
            values[field] = clean()
        except ValidationError as error:
            errors.append(FieldError(error.field or field, str(error)))
    return replace(draft, **values), errors


def _optional_name(value: str, field: str) -> str:
    return validate_name(value, field, required=False) or ""


def _checked_dob(dob: date | None, policy: ClinicPolicy, today: date) -> date:
    check_dob(dob, policy, today)
    assert dob is not None  # check_dob refuses a missing date
    return dob


def _clean_phones(phones: tuple[str, ...], region: str) -> tuple[str, ...]:
    """Every typed phone as E.164, blanks dropped, repeats removed (first one kept)."""
    cleaned: list[str] = []
    for index, typed in enumerate(phones):
        if not typed.strip():
            continue
        e164 = normalise_phone(typed, region, field=f"phones[{index}]")
        if e164 not in cleaned:
            cleaned.append(e164)
    return tuple(cleaned)


def _clean_emergency_phone(draft: PatientDraft, region: str) -> str:
    if not draft.emergency_contact_phone.strip():
        if draft.emergency_contact_name.strip():
            raise ValidationError(
                "Add a phone number for the emergency contact.", "emergency_contact_phone"
            )
        return ""
    return normalise_phone(draft.emergency_contact_phone, region, field="emergency_contact_phone")


#: The fields without which a patient cannot be registered (the form marks them).
REQUIRED_FIELDS = frozenset({"legal_first_name", "legal_last_name", "dob"})


def validate_patient(draft: PatientDraft, policy: ClinicPolicy, today: date) -> list[FieldError]:
    """Every field error of the draft, in form order; empty when it can be saved."""
    return _cleaned(draft, policy, today)[1]


def clean_patient(draft: PatientDraft, policy: ClinicPolicy, today: date) -> PatientDraft:
    """The draft as it is stored: names trimmed, phones E.164; PatientInvalid otherwise."""
    cleaned, errors = _cleaned(draft, policy, today)
    if errors:
        raise PatientInvalid(errors)
    return cleaned
