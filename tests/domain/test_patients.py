"""Registration validation: every field error at once, as inline messages."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from desk.domain.errors import ValidationError
from desk.domain.patients import (
    FieldError,
    PatientDraft,
    PatientInvalid,
    age_on,
    clean_patient,
    normalise_email,
    validate_patient,
)
from desk.domain.policy import ClinicPolicy

POLICY = ClinicPolicy()
TODAY = date(2026, 5, 1)
GOOD = PatientDraft(
    legal_first_name="Zoë",
    legal_last_name="O'Brien",
    dob=date(1985, 3, 4),
    preferred_name=" Zo ",
    phones=("(201) 555-0123", "", "201-555-0123", "+44 20 7946 0958"),
    email=" zoe@example.com ",
    emergency_contact_name="Jean-Luc O'Brien",
    emergency_contact_phone="212 555 0199",
    notes="Prefers the window chair.\nNeedle-shy.",
)


def errors(draft: PatientDraft, policy: ClinicPolicy = POLICY) -> dict[str, str]:
    return {e.field: e.message for e in validate_patient(draft, policy, TODAY)}


def test_good_draft_has_no_errors_and_cleans_to_stored_form() -> None:
    assert validate_patient(GOOD, POLICY, TODAY) == []
    cleaned = clean_patient(GOOD, POLICY, TODAY)
    assert cleaned.legal_first_name == "Zoë"
    assert cleaned.legal_last_name == "O'Brien"
    assert cleaned.preferred_name == "Zo"
    assert cleaned.phones == ("+12015550123", "+442079460958")
    assert cleaned.email == "zoe@example.com"
    assert cleaned.emergency_contact_phone == "+12125550199"


def test_every_field_error_is_reported_at_once_in_form_order() -> None:
    bad = replace(
        GOOD,
        legal_first_name=" ",
        dob=date(2026, 5, 2),
        phones=("201-555-0123", "call me"),
        email="zoe@",
    )
    assert list(errors(bad)) == ["legal_first_name", "dob", "phones[1]", "email"]
    assert errors(bad)["dob"] == "Date of birth cannot be in the future."


def test_clean_patient_raises_with_all_errors() -> None:
    with pytest.raises(PatientInvalid) as caught:
        clean_patient(replace(GOOD, legal_last_name="", dob=None), POLICY, TODAY)
    assert caught.value.errors == [
        FieldError("legal_last_name", "Legal last name is required."),
        FieldError("dob", "Date of birth is required."),
    ]
    assert isinstance(caught.value, ValidationError)


@pytest.mark.parametrize(
    ("dob", "ok"),
    [
        (date(2008, 5, 1), True),  # eighteenth birthday today
        (date(2008, 5, 2), False),  # eighteen tomorrow
        (date(1900, 1, 1), True),
        (TODAY, False),
    ],
)
def test_minimum_age_boundary(dob: date, ok: bool) -> None:
    assert ("dob" not in errors(replace(GOOD, dob=dob))) is ok


def test_minimum_age_comes_from_policy() -> None:
    young = replace(GOOD, dob=date(2010, 1, 1))
    assert errors(young)["dob"] == "Patients must be at least 18 years old."
    assert errors(young, ClinicPolicy(minimum_age_years=16)) == {}


@pytest.mark.parametrize(
    ("dob", "today", "age"),
    [
        (date(2000, 2, 29), date(2018, 2, 28), 17),
        (date(2000, 2, 29), date(2018, 3, 1), 18),
        (date(2000, 2, 29), date(2020, 2, 29), 20),
        (date(1985, 12, 31), date(2026, 1, 1), 40),
    ],
)
def test_age_counts_completed_years_and_leap_day_birthdays(
    dob: date, today: date, age: int
) -> None:
    assert age_on(dob, today) == age


@pytest.mark.parametrize(
    "email", ["a@b.co", "first.last+tag@example.co.uk", "zoë@exämple.de", "o'brien@example.org"]
)
def test_plausible_emails_are_accepted(email: str) -> None:
    assert normalise_email(email) == email


@pytest.mark.parametrize(
    "email",
    [
        "zoe",
        "zoe@",
        "@example.com",
        "zoe@example",
        "zoe@@example.com",
        "zo e@example.com",
        "zoe@example.c",
        "zoe@example..com",
        "zoe@example.123",
        "a@b.co\n",
    ],
)
def test_malformed_emails_are_refused(email: str) -> None:
    with pytest.raises(ValidationError, match="Email address is not valid"):
        normalise_email(email.replace("\n", "\nx"))


def test_empty_email_is_allowed() -> None:
    assert errors(replace(GOOD, email="  ")) == {}


def test_emergency_contact_name_without_phone_asks_for_the_phone() -> None:
    assert errors(replace(GOOD, emergency_contact_phone="")) == {
        "emergency_contact_phone": "Add a phone number for the emergency contact."
    }


def test_notes_keep_line_breaks_but_refuse_other_control_characters() -> None:
    assert errors(replace(GOOD, notes="line one\nline two\ttabbed")) == {}
    assert "notes" in errors(replace(GOOD, notes="bell\x07"))


def test_name_with_control_character_names_the_field() -> None:
    assert "control character" in errors(replace(GOOD, preferred_name="Zo\x00"))["preferred_name"]


def test_an_email_too_long_says_so() -> None:
    with pytest.raises(ValidationError, match="Email address is too long"):
        normalise_email("x" * 250 + "@b.co")
