"""What a person typed into the one search box: name prefixes, an MRN, phone digits or a DOB.

``parse_search`` only classifies and normalises; the service turns the result into
indexed lookups (see ``SearchQuery`` for which column each field is meant for).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from desk.domain.mrn import parse_mrn
from desk.domain.names import name_tokens
from desk.domain.policy import ClinicPolicy

# A hostile or accidental paste must not turn every keystroke into a huge query.
MAX_QUERY_LENGTH = 200
# "Mary Ann Smith", "Jean-Luc Picard": more words than this only narrow by chance.
MAX_NAME_WORDS = 3
MIN_PHONE_DIGITS = 4

_NUMBER_LIKE = re.compile(r"[0-9\s\-().+]+")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DATE_PARTS = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})")
_DIRECTIVES = re.compile(r"%([dmYy])")


class QueryKind(StrEnum):
    EMPTY = "empty"  # nothing to search for: show nothing (or recent patients)
    INCOMPLETE = "incomplete"  # half a date or too few digits: keep typing, see ``hint``
    NAME = "name"
    MRN = "mrn"
    PHONE = "phone"
    DOB = "dob"


@dataclass(frozen=True)
class SearchQuery:
    """One classified search-box input.

    - ``name_prefixes``: folded words; a patient matches when every word is a prefix of
      one of the patient's ``names.search_keys``.
    - ``mrn``: canonical MRN for an exact lookup (kind MRN).
    - ``phone_digits``: digits only; match the prefix of the national number or of the
      full E.164 digits, or the end of the number (kind PHONE, and with kind MRN too,
      because eight digits can be either).
    - ``dob``: exact date of birth (kind DOB).
    """

    kind: QueryKind
    text: str
    name_prefixes: tuple[str, ...] = ()
    mrn: str | None = None
    phone_digits: str | None = None
    dob: date | None = None
    hint: str = ""


def parse_search(text: str, *, policy: ClinicPolicy, today: date) -> SearchQuery:
    """Classify ``text`` as typed into the search box on ``today``."""
    typed = text[:MAX_QUERY_LENGTH].strip()
    if not typed:
        return SearchQuery(QueryKind.EMPTY, typed)
    if any(char.isdigit() for char in typed):
        dated = _date_query(typed, policy, today)
        if dated is not None:
            return dated
        if _NUMBER_LIKE.fullmatch(typed):
            return _number_query(typed)
    words = tuple(name_tokens(typed)[:MAX_NAME_WORDS])
    if not words:
        return SearchQuery(QueryKind.EMPTY, typed)
    return SearchQuery(QueryKind.NAME, typed, name_prefixes=words)


def _number_query(typed: str) -> SearchQuery:
    digits = "".join(char for char in typed if char.isdigit())
    phone = digits if len(digits) >= MIN_PHONE_DIGITS else None
    mrn = parse_mrn(typed)
    if mrn is not None:
        return SearchQuery(QueryKind.MRN, typed, mrn=mrn, phone_digits=phone)
    if phone is None:
        hint = f"Type at least {MIN_PHONE_DIGITS} digits of a phone number."
        return SearchQuery(QueryKind.INCOMPLETE, typed, hint=hint)
    return SearchQuery(QueryKind.PHONE, typed, phone_digits=phone)


def _date_query(typed: str, policy: ClinicPolicy, today: date) -> SearchQuery | None:
    """A DOB query, INCOMPLETE for a date being typed, or None when it is not a date.

    A slash or a dot means a date: "03/04" is half a DOB, never phone digits. With dashes
    only a complete date counts, because "201-555-0123" is a phone number.
    """
    parsed = parse_typed_date(typed, policy, today)
    if parsed is not None:
        return SearchQuery(QueryKind.DOB, typed, dob=parsed)
    if re.fullmatch(r"[\d\s]*[/.][\d\s/.]*", typed):
        if _DATE_PARTS.fullmatch(typed) and len(re.split(r"[/.]", typed)[-1]) == 4:
            hint = f"{typed} is not a date."
        else:
            example = date(1980, 12, 31).strftime(policy.date_format)
            hint = f"Type the whole date of birth, like {example}."
        return SearchQuery(QueryKind.INCOMPLETE, typed, hint=hint)
    return None


def parse_typed_date(text: str, policy: ClinicPolicy, today: date) -> date | None:
    """A past-or-present date typed the clinic's way, as ISO, or with a two-digit year.

    Day and month may lack their leading zero and "/", "." or "-" may separate the parts.
    A two-digit year means the most recent such year not after ``today`` ("85" is 1985,
    "07" is 2007), because the dates typed here are dates of birth.
    """
    typed = text.strip()
    iso = _ISO_DATE.fullmatch(typed)
    if iso is not None:
        return _make_date(int(iso[1]), int(iso[2]), int(iso[3]))
    match = _DATE_PARTS.fullmatch(typed)
    order = _field_order(policy.date_format)
    if match is None or order is None:
        return None
    values = dict(zip(order, match.groups(), strict=True))
    year_text, month, day = values["y"], int(values["m"]), int(values["d"])
    if len(values["d"]) > 2 or len(values["m"]) > 2 or len(year_text) not in (2, 4):
        return None
    if len(year_text) == 4:
        return _make_date(int(year_text), month, day)
    year = today.year // 100 * 100 + int(year_text)
    candidate = _make_date(year, month, day)
    if candidate is None or candidate <= today:
        return candidate
    return _make_date(year - 100, month, day)


def _field_order(date_format: str) -> tuple[str, str, str] | None:
    """The order of day, month and year in a strftime format, e.g. ("m", "d", "y")."""
    letters = [d.lower() for d in _DIRECTIVES.findall(date_format)]
    if sorted(letters) != ["d", "m", "y"]:
        return None  # a format with month names: only ISO is understood then
    return letters[0], letters[1], letters[2]


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``.

    ``key >= prefix AND key < prefix_upper_bound(prefix)`` is a prefix match that a B-tree
    index answers directly (binary collation: SQLite's default, ``COLLATE "C"`` in
    PostgreSQL), without LIKE and its escaping and case rules.
    """
    stem = prefix.rstrip("\U0010ffff")  # the last code point has no successor: shorten
    if not stem:
        raise ValueError("this prefix has no upper bound")
    prefix = stem
    following = ord(prefix[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:
        following = 0xE000  # surrogates cannot be stored; the next storable code point
    return prefix[:-1] + chr(following)
