"""Duplicate candidates on registration: same DOB with a similar name, or a shared phone."""

from __future__ import annotations

from datetime import date

import pytest

from desk.domain.duplicates import (
    DuplicateMatch,
    MatchStrength,
    PersonFacts,
    damerau_levenshtein,
    find_duplicates,
)

DOB = date(1985, 3, 4)


def person(
    first: str,
    last: str,
    dob: date | None = DOB,
    *,
    preferred: str | None = None,
    phones: tuple[str, ...] = (),
    patient_id: int | None = None,
) -> PersonFacts:
    return PersonFacts(first, last, dob, preferred, phones, patient_id, None)


def only_match(new: PersonFacts, old: PersonFacts) -> DuplicateMatch | None:
    matches = find_duplicates(new, [old])
    return matches[0] if matches else None


@pytest.mark.parametrize(
    ("new", "old", "reason"),
    [
        (person("Zoe", "Smith"), person("Zoë", "Smith"), "same date of birth, same name"),
        (person("ZOE", "SMITH"), person("zoë", "smith"), "same date of birth, same name"),
        (
            person("Jean Luc", "Picard"),
            person("Jean-Luc", "Picard"),
            "same date of birth, same name",
        ),
        (person("Jon", "Smith"), person("John", "Smith"), "same date of birth, similar name"),
        (person("Jonh", "Smith"), person("John", "Smith"), "same date of birth, similar name"),
        (person("John", "Smtih"), person("John", "Smith"), "same date of birth, similar name"),
        (person("Ann", "Nguyen"), person("Anne", "Nguyễn"), "same date of birth, similar name"),
        (
            person("Smith", "John"),
            person("John", "Smith"),
            "same date of birth, first and last name swapped",
        ),
        (
            person("Bob", "Jones"),
            person("Robert", "Jones", preferred="Bob"),
            "same date of birth, similar name (preferred name matches)",
        ),
        (
            person("Robert", "Jones", preferred="Bob"),
            person("Bob", "Jones"),
            "same date of birth, similar name (preferred name matches)",
        ),
        (
            person("Maria", "Garcia-Lopez"),
            person("Maria", "Garcia"),
            "same date of birth, similar name",
        ),
    ],
)
def test_same_dob_with_similar_name_is_a_candidate_with_a_human_reason(
    new: PersonFacts, old: PersonFacts, reason: str
) -> None:
    match = only_match(new, old)
    assert match is not None
    assert match.reason == reason


@pytest.mark.parametrize(
    ("new", "old"),
    [
        (person("John", "Smith", date(1985, 3, 5)), person("John", "Smith")),
        (person("John", "Smith", None), person("John", "Smith")),
        (person("Mary", "Smith"), person("John", "Smith")),
        (person("John", "Brown"), person("John", "Smith")),
        (person("Jo", "Li"), person("Bo", "Li")),
        (person("Jon", "Smith"), person("Jane", "Smith")),
        (person("Johan", "Smith"), person("Jonah", "Smith")),
    ],
)
def test_different_dob_or_clearly_different_name_is_not_a_candidate(
    new: PersonFacts, old: PersonFacts
) -> None:
    assert only_match(new, old) is None


def test_same_phone_is_a_candidate_even_with_another_name_and_dob() -> None:
    new = person("Mary", "Brown", date(1990, 1, 1), phones=("+12015550123",))
    old = person("Peter", "Brown", phones=("+12125550199", "+12015550123"))
    match = only_match(new, old)
    assert match is not None
    assert match.strength is MatchStrength.SAME_PHONE
    assert match.reason == "same phone number"


def test_same_dob_same_name_and_same_phone_gives_both_reasons() -> None:
    phones = ("+12015550123",)
    match = only_match(person("Zoe", "Smith", phones=phones), person("Zoë", "Smith", phones=phones))
    assert match is not None
    assert match.reason == "same date of birth, same name; same phone number"


def test_record_being_edited_is_not_its_own_duplicate() -> None:
    me = person("John", "Smith", patient_id=7)
    assert find_duplicates(me, [person("John", "Smith", patient_id=7)]) == []


def test_matches_are_sorted_most_likely_first() -> None:
    new = person("John", "Smith", phones=("+12015550123",))
    phone_only = person("Mary", "Brown", date(1970, 1, 1), phones=("+12015550123",), patient_id=1)
    similar = person("Jon", "Smith", patient_id=2)
    same = person("John", "Smith", patient_id=3)
    matches = find_duplicates(new, [phone_only, similar, same])
    assert [m.existing.patient_id for m in matches] == [3, 2, 1]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("abc", "abc", 0),
        ("abc", "acb", 1),
        ("abc", "ab", 1),
        ("abc", "abd", 1),
        ("", "abc", 3),
        ("ca", "abc", 3),
        ("smith", "smyth", 1),
        ("kitten", "sitting", 3),
    ],
)
def test_damerau_levenshtein_counts_one_edit_per_typo_and_swap(
    a: str, b: str, distance: int
) -> None:
    assert damerau_levenshtein(a, b) == distance
    assert damerau_levenshtein(b, a) == distance
