"""Medical record numbers: generation from a sequence, check digit, typed input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.domain.errors import ValidationError
from desk.domain.mrn import (
    MAX_SEQUENCE,
    damm_check_digit,
    mrn_for_sequence,
    parse_mrn,
    sequence_for_mrn,
    validate_mrn,
)

sequences = st.integers(min_value=0, max_value=MAX_SEQUENCE)


@given(sequences)
def test_mrn_round_trips_to_its_sequence_number(sequence: int) -> None:
    assert sequence_for_mrn(mrn_for_sequence(sequence)) == sequence


@given(sequences)
def test_generated_mrn_is_eight_digits_split_four_four_and_valid(sequence: int) -> None:
    mrn = mrn_for_sequence(sequence)
    assert len(mrn) == 9 and mrn[4] == "-"
    assert mrn.replace("-", "").isdigit()
    assert mrn[0] != "0"
    assert parse_mrn(mrn) == mrn


def test_generation_is_deterministic() -> None:
    assert mrn_for_sequence(42) == mrn_for_sequence(42)


def test_consecutive_sequence_numbers_give_unlike_mrns() -> None:
    first, second = mrn_for_sequence(1000), mrn_for_sequence(1001)
    assert first[:4] != second[:4]


def test_distinct_sequences_give_distinct_mrns() -> None:
    mrns = {mrn_for_sequence(n) for n in range(20_000)}
    assert len(mrns) == 20_000


@pytest.mark.parametrize("sequence", [-1, MAX_SEQUENCE + 1])
def test_sequence_outside_the_range_is_refused(sequence: int) -> None:
    with pytest.raises(ValueError, match="outside"):
        mrn_for_sequence(sequence)


@given(sequences, st.integers(min_value=0, max_value=7), st.integers(min_value=1, max_value=9))
def test_check_digit_catches_every_single_digit_typo(sequence: int, pos: int, delta: int) -> None:
    digits = mrn_for_sequence(sequence).replace("-", "")
    typo = digits[:pos] + str((int(digits[pos]) + delta) % 10) + digits[pos + 1 :]
    assert parse_mrn(typo) is None


@given(sequences, st.integers(min_value=0, max_value=6))
def test_check_digit_catches_swapped_neighbouring_digits(sequence: int, pos: int) -> None:
    digits = mrn_for_sequence(sequence).replace("-", "")
    swapped = digits[:pos] + digits[pos + 1] + digits[pos] + digits[pos + 2 :]
    if swapped != digits:
        assert parse_mrn(swapped) is None


def test_damm_check_digit_of_the_textbook_example() -> None:
    assert damm_check_digit("572") == 4


@pytest.mark.parametrize("layout", ["{a}-{b}", "{a}{b}", "{a} {b}", "  {a}-{b} "])
def test_typed_mrn_is_accepted_with_or_without_separator(layout: str) -> None:
    mrn = mrn_for_sequence(7)
    typed = layout.format(a=mrn[:4], b=mrn[5:])
    assert validate_mrn(typed) == mrn


@pytest.mark.parametrize("typed", ["", "1234", "123-45678", "1234--5678", "abcd-efgh", "0000-0000"])
def test_malformed_mrn_is_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(ValidationError, match="not a valid MRN") as caught:
        validate_mrn(typed)
    assert caught.value.field == "mrn"
