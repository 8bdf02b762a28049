"""Duplicate warning on registration: existing patients who may be the person being saved.

The service fetches the candidates (same date of birth or a shared phone number) from the
database and calls ``find_duplicates``; this module only judges them. A match is a prompt
for the receptionist ("open the existing record instead?"), never a refusal: twins and
families sharing a phone are real.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from desk.domain.names import name_tokens


@dataclass(frozen=True)
class PersonFacts:
    """What duplicate matching looks at; ``phones`` are E.164 strings."""

    first_name: str
    last_name: str
    dob: date | None
    preferred_name: str | None = None
    phones: tuple[str, ...] = ()
    patient_id: int | None = None  # None for a new registration; set when editing
    mrn: str | None = None


class MatchStrength(IntEnum):
    """How sure the match is; higher sorts first."""

    SAME_PHONE = 1
    SIMILAR_NAME = 2
    SAME_NAME = 3


@dataclass(frozen=True)
class DuplicateMatch:
    """An existing patient who may be the same person, and why in words."""

    existing: PersonFacts
    strength: MatchStrength
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        """All reasons in one line: "same date of birth, similar name; same phone number"."""
        return "; ".join(self.reasons)


def damerau_levenshtein(a: str, b: str) -> int:
    """Edit distance counting insertions, deletions, substitutions and adjacent swaps.

    The optimal-string-alignment variant: enough for one typo in a name.
    """
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def _close(a: str, b: str) -> bool:
    """Folded tokens that are one typo apart; very short tokens must be equal."""
    if a == b:
        return True
    # "Al" and "Ed" are one substitution from many names: too weak to call similar.
    return min(len(a), len(b)) >= 3 and damerau_levenshtein(a, b) <= 1


def _forms(name: str) -> set[str]:
    """A name field as comparable forms: each word and all words run together."""
    tokens = name_tokens(name)
    return set(tokens) | ({"".join(tokens)} if tokens else set())


def _any_close(left: Iterable[str], right: Iterable[str]) -> bool:
    right_forms = list(right)
    return any(_close(a, b) for a in left for b in right_forms)


def _given(person: PersonFacts) -> set[str]:
    """The names a person answers to first: legal first name and preferred name."""
    return _forms(person.first_name) | _forms(person.preferred_name or "")


def _name_reason(new: PersonFacts, old: PersonFacts) -> tuple[MatchStrength, str] | None:
    """How the two names relate, strongest description first, or None if unrelated."""
    same_first = name_tokens(new.first_name) == name_tokens(old.first_name)
    if same_first and name_tokens(new.last_name) == name_tokens(old.last_name):
        return MatchStrength.SAME_NAME, "same name"
    new_last, old_last = _forms(new.last_name), _forms(old.last_name)
    if _any_close(new_last, old_last):
        if _any_close(_forms(new.first_name), _forms(old.first_name)):
            return MatchStrength.SIMILAR_NAME, "similar name"
        if _any_close(_given(new), _given(old)):
            return MatchStrength.SIMILAR_NAME, "similar name (preferred name matches)"
    if _any_close(_forms(new.first_name), old_last) and _any_close(
        new_last, _forms(old.first_name)
    ):
        return MatchStrength.SIMILAR_NAME, "first and last name swapped"
    return None


def match_one(new: PersonFacts, old: PersonFacts) -> DuplicateMatch | None:
    """Whether ``old`` may be the same person as ``new``, and why."""
    strength: MatchStrength | None = None
    reasons: list[str] = []
    if new.dob is not None and new.dob == old.dob:
        named = _name_reason(new, old)
        if named is not None:
            strength = named[0]
            reasons.append(f"same date of birth, {named[1]}")
    if set(new.phones) & set(old.phones):
        strength = strength or MatchStrength.SAME_PHONE
        reasons.append("same phone number")
    if strength is None:
        return None
    return DuplicateMatch(existing=old, strength=strength, reasons=tuple(reasons))


def find_duplicates(new: PersonFacts, candidates: Sequence[PersonFacts]) -> list[DuplicateMatch]:
    """The candidates that may be ``new``, most likely first.

    The record being edited (same ``patient_id``) is never its own duplicate.
    """
    matches = [
        match
        for old in candidates
        if new.patient_id is None or old.patient_id != new.patient_id
        if (match := match_one(new, old)) is not None
    ]
    return sorted(matches, key=lambda match: -match.strength)
