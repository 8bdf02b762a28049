"""Classifying the one search box: name prefixes, MRN, phone digits, date of birth."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.domain.mrn import mrn_for_sequence
from desk.domain.policy import ClinicPolicy
from desk.domain.search_query import (
    MAX_QUERY_LENGTH,
    QueryKind,
    SearchQuery,
    parse_search,
    parse_typed_date,
    prefix_upper_bound,
)

US = ClinicPolicy()
EUROPE = ClinicPolicy(date_format="%d.%m.%Y")
TODAY = date(2026, 5, 1)


def parse(text: str, policy: ClinicPolicy = US) -> SearchQuery:
    return parse_search(text, policy=policy, today=TODAY)


@pytest.mark.parametrize(
    ("typed", "prefixes"),
    [
        ("zoe", ("zoe",)),
        ("Zo", ("zo",)),
        ("ZOË", ("zoe",)),
        ("smith john", ("smith", "john")),
        ("O'Bri", ("obri",)),
        ("Jean-Luc Pic", ("jean", "luc", "pic")),
        ("  дми ", ("дми",)),
        ("a b c d e", ("a", "b", "c")),
    ],
)
def test_words_are_folded_name_prefixes(typed: str, prefixes: tuple[str, ...]) -> None:
    query = parse(typed)
    assert query.kind is QueryKind.NAME
    assert query.name_prefixes == prefixes


@pytest.mark.parametrize("typed", ["", "   ", "!!!", "--"])
def test_nothing_searchable_is_empty(typed: str) -> None:
    assert parse(typed).kind is QueryKind.EMPTY


def test_valid_mrn_is_an_mrn_query_that_may_also_be_phone_digits() -> None:
    mrn = mrn_for_sequence(12)
    query = parse(mrn.replace("-", ""))
    assert query.kind is QueryKind.MRN
    assert query.mrn == mrn
    assert query.phone_digits == mrn.replace("-", "")


def test_eight_digits_failing_the_check_digit_are_phone_digits_only() -> None:
    mrn = mrn_for_sequence(12)
    typo = mrn[:-1] + str((int(mrn[-1]) + 1) % 10)
    query = parse(typo)
    assert query.kind is QueryKind.PHONE
    assert query.mrn is None


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("0123", "0123"),
        ("201-555-0123", "2015550123"),
        ("(201) 555", "201555"),
        ("+1 201 555 0123", "12015550123"),
    ],
)
def test_four_or_more_digits_with_phone_punctuation_are_phone_digits(
    typed: str, digits: str
) -> None:
    query = parse(typed)
    assert query.kind is QueryKind.PHONE
    assert query.phone_digits == digits


def test_three_digits_are_incomplete_with_a_hint() -> None:
    query = parse("555")
    assert query.kind is QueryKind.INCOMPLETE
    assert "4 digits" in query.hint


@pytest.mark.parametrize(
    ("typed", "dob"),
    [
        ("03/04/1985", date(1985, 3, 4)),
        ("3/4/1985", date(1985, 3, 4)),
        ("3-4-1985", date(1985, 3, 4)),
        ("1985-03-04", date(1985, 3, 4)),
        ("3/4/85", date(1985, 3, 4)),
        ("3/4/07", date(2007, 3, 4)),
        ("5/1/26", date(2026, 5, 1)),
        ("5/2/26", date(1926, 5, 2)),
    ],
)
def test_dates_typed_the_clinic_way_iso_or_two_digit_year_are_dob(typed: str, dob: date) -> None:
    query = parse(typed)
    assert query.kind is QueryKind.DOB
    assert query.dob == dob


def test_day_first_clinic_format_reads_day_before_month() -> None:
    assert parse("03.04.1985", EUROPE).dob == date(1985, 4, 3)
    assert parse("1985-04-03", EUROPE).dob == date(1985, 4, 3)


@pytest.mark.parametrize("typed", ["03/04", "03/04/", "03/04/198", "3/"])
def test_half_typed_date_is_incomplete_not_phone_digits(typed: str) -> None:
    query = parse(typed)
    assert query.kind is QueryKind.INCOMPLETE
    assert query.phone_digits is None


def test_impossible_date_says_so() -> None:
    query = parse("02/30/1985")
    assert query.kind is QueryKind.INCOMPLETE
    assert query.hint == "02/30/1985 is not a date."


def test_month_name_format_still_understands_iso() -> None:
    policy = ClinicPolicy(date_format="%d %b %Y")
    assert parse_typed_date("1985-03-04", policy, TODAY) == date(1985, 3, 4)
    assert parse_typed_date("04/03/1985", policy, TODAY) is None


def test_hostile_paste_is_cut_to_the_cap() -> None:
    query = parse("a" * 100_000)
    assert len(query.text) == MAX_QUERY_LENGTH


@given(st.text(max_size=300))
def test_any_input_classifies_without_error_within_the_cap(text: str) -> None:
    query = parse(text)
    assert len(query.text) <= MAX_QUERY_LENGTH
    if query.kind is QueryKind.NAME:
        assert 1 <= len(query.name_prefixes) <= 3


@pytest.mark.parametrize(("prefix", "bound"), [("zo", "zp"), ("a", "b"), ("σοφ", "σοχ")])
def test_prefix_upper_bound_is_the_next_string_after_all_with_the_prefix(
    prefix: str, bound: str
) -> None:
    assert prefix_upper_bound(prefix) == bound


@given(st.text(min_size=1, max_size=5), st.text(max_size=5))
def test_every_string_with_the_prefix_sorts_inside_the_range(prefix: str, rest: str) -> None:
    key = prefix + rest
    assert prefix <= key < prefix_upper_bound(prefix)


def test_prefix_ending_in_the_last_code_point_bounds_its_shorter_stem() -> None:
    assert prefix_upper_bound("a\U0010ffff") == "b"
