"""Phone numbers: normalised to E.164 in the clinic's region, and their search digits."""

from __future__ import annotations

import re

import phonenumbers

from desk.domain.errors import ValidationError
from desk.domain.names import field_label

# A guard against pasted garbage; the longest real number with punctuation is far shorter.
MAX_PHONE_LENGTH = 40

# What people put around the digits of a phone number; letters are refused so that a
# typo like "2O1" (letter O) is caught instead of being read as a vanity number.
_ALLOWED = re.compile(r"[0-9+\-().\s/]*")


def normalise_phone(text: str, region: str, *, field: str = "phone") -> str:
    """``text`` as an E.164 number ("+12015550123"), read in ``region`` when it has no "+".

    Raises ValidationError naming ``field`` for letters, control characters, a number
    too long to be real, or a number that does not exist in its country's numbering plan.
    """
    label = field_label(field)
    typed = text.strip()
    if not typed:
        raise ValidationError(f"{label} is required.", field)
    if len(typed) > MAX_PHONE_LENGTH:
        raise ValidationError(f"{label} is too long to be a phone number.", field)
    if not _ALLOWED.fullmatch(typed) or any(c in typed for c in "\n\r\t\v\f"):
        raise ValidationError(
            f"{label} may contain only digits, spaces, +, -, ( ) and dots.", field
        )
    try:
        number = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(f"{label} is not a phone number.", field) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            f"{label} is not a valid number; check the digits and the area code.", field
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str, region: str) -> str:
    """An E.164 number as people read it: national format at home, international abroad.

    "At home" is the country calling code, not the region: a UK clinic dials +44 7911…
    (a Guernsey range) as 07911… like any other +44 number.
    """
    number = phonenumbers.parse(e164, None)
    if number.country_code == phonenumbers.country_code_for_region(region):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_digits(e164: str) -> str:
    """The digits of an E.164 number without the "+": "+12015550123" → "12015550123"."""
    return "".join(char for char in e164 if char.isdigit())


def national_digits(e164: str) -> str:
    """The digits a person dials at home, without the country code: "2015550123"."""
    number = phonenumbers.parse(e164, None)
    return phonenumbers.national_significant_number(number)
