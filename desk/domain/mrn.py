"""Medical record numbers: eight digits read as "4821-0937", the last a Damm check digit.

Digits only, so they are typed on a numeric keypad and read over the phone without the
O/0 and I/1 confusions of letters. The Damm check digit catches every single-digit typo
and every swap of two neighbouring digits. The seven-digit body is a scrambled (but
reversible) image of a sequence number, so consecutive registrations get MRNs that do not
look alike and the MRN does not reveal how many patients the clinic has.
"""

from __future__ import annotations

import re

from desk.domain.errors import ValidationError

_BODY_BASE = 1_000_000  # bodies never start with 0, so spreadsheets cannot eat a digit
_BODY_RANGE = 9_000_000
# Any multiplier coprime with 9 000 000 (no factor 2, 3 or 5) makes a bijection.
_MULTIPLIER = 7_654_321
_OFFSET = 3_141_592
_INVERSE = pow(_MULTIPLIER, -1, _BODY_RANGE)

#: How many MRNs the scheme can hand out: sequence numbers 0 .. MAX_SEQUENCE.
MAX_SEQUENCE = _BODY_RANGE - 1

# The Damm quasigroup of order 10 (weakly totally anti-symmetric).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

# What a typed MRN may look like: eight digits, optionally split 4-4 by a dash or space.
_TYPED = re.compile(r"(\d{4})[-\s]?(\d{4})")


def damm_check_digit(digits: str) -> int:
    """The Damm check digit of a string of decimal digits."""
    interim = 0
    for char in digits:
        interim = _DAMM[interim][int(char)]
    return interim


def mrn_for_sequence(sequence: int) -> str:
    """The MRN of sequence number ``sequence`` (0 ≤ sequence ≤ MAX_SEQUENCE), e.g. "4821-0937".

    Deterministic: the service derives it from a database counter or row id.
    """
    if not 0 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"MRN sequence {sequence} is outside 0..{MAX_SEQUENCE}")
    body = str(_BODY_BASE + (sequence * _MULTIPLIER + _OFFSET) % _BODY_RANGE)
    digits = body + str(damm_check_digit(body))
    return f"{digits[:4]}-{digits[4:]}"


def sequence_for_mrn(mrn: str) -> int:
    """The sequence number an MRN was made from; ValidationError if it is not a valid MRN."""
    canonical = validate_mrn(mrn)
    body = int(canonical.replace("-", "")[:7]) - _BODY_BASE
    return ((body - _OFFSET) * _INVERSE) % _BODY_RANGE


def parse_mrn(text: str) -> str | None:
    """The canonical "NNNN-NNNN" form of a typed MRN, or None if it is not a valid one.

    Accepts "48210937", "4821-0937" and "4821 0937" with surrounding spaces.
    """
    match = _TYPED.fullmatch(text.strip())
    if match is None:
        return None
    digits = match.group(1) + match.group(2)
    if digits[0] == "0" or damm_check_digit(digits) != 0:
        return None
    return f"{digits[:4]}-{digits[4:]}"


def validate_mrn(text: str, field: str = "mrn") -> str:
    """The canonical form of a typed MRN; ValidationError naming ``field`` if it is wrong."""
    canonical = parse_mrn(text)
    if canonical is None:
        raise ValidationError(
            "This is not a valid MRN: it has 8 digits like 4821-0937; check for a typo.",
            field,
        )
    return canonical
