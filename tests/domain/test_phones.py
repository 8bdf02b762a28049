"""Phone numbers normalised to E.164 in the clinic's region, and their search digits."""

from __future__ import annotations

import pytest

from desk.domain.errors import ValidationError
from desk.domain.phones import (
    MAX_PHONE_LENGTH,
    format_phone,
    national_digits,
    normalise_phone,
    phone_digits,
)


@pytest.mark.parametrize(
    "typed",
    [
        "201-555-0123",
        "(201) 555-0123",
        "201.555.0123",
        "2015550123",
        "+1 201 555 0123",
        "1 (201) 555-0123",
        "  201 555 0123  ",
    ],
)
def test_us_numbers_in_any_punctuation_normalise_to_one_e164(typed: str) -> None:
    assert normalise_phone(typed, "US") == "+12015550123"


def test_number_with_plus_keeps_its_own_country() -> None:
    assert normalise_phone("+44 20 7946 0958", "US") == "+442079460958"


def test_number_without_plus_is_read_in_the_clinic_region() -> None:
    assert normalise_phone("020 7946 0958", "GB") == "+442079460958"


@pytest.mark.parametrize("typed", ["1-800-FLOWERS", "2O1-555-0123", "201-555-0123 ext 5"])
def test_letters_are_refused_with_a_clear_message(typed: str) -> None:
    with pytest.raises(ValidationError, match="only digits") as caught:
        normalise_phone(typed, "US", field="emergency_contact_phone")
    assert caught.value.field == "emergency_contact_phone"


@pytest.mark.parametrize("typed", ["201\n555 0123", "201\x00555-0123", "201\t5550123"])
def test_control_characters_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError, match="only digits"):
        normalise_phone(typed, "US")


@pytest.mark.parametrize("typed", ["555-0123", "123", "000-000-0000", "+", "()"])
def test_numbers_that_do_not_exist_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError, match="not a"):
        normalise_phone(typed, "US")


def test_empty_phone_is_refused_as_required() -> None:
    with pytest.raises(ValidationError, match="Phone is required"):
        normalise_phone("   ", "US")


def test_pasted_garbage_longer_than_the_cap_is_refused() -> None:
    with pytest.raises(ValidationError, match="too long"):
        normalise_phone("2" * (MAX_PHONE_LENGTH + 1), "US")


def test_phone_digits_are_the_e164_digits_without_plus() -> None:
    assert phone_digits("+12015550123") == "12015550123"


def test_national_digits_drop_the_country_code() -> None:
    assert national_digits("+12015550123") == "2015550123"
    assert national_digits("+442079460958") == "2079460958"


def test_format_phone_is_national_at_home_and_international_abroad() -> None:
    assert format_phone("+12015550123", "US") == "(201) 555-0123"
    assert format_phone("+442079460958", "US") == "+44 20 7946 0958"


def test_a_number_of_the_clinics_calling_code_is_written_the_national_way() -> None:
    # +44 7911 is a Guernsey range: still dialled as 07911 … from a UK clinic.
    assert format_phone("+447911123456", "GB") == "07911 123456"
