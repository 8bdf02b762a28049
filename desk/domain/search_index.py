"""What the patient search index stores for one patient: name keys and phone keys.

Each patient gets one row per key in ``patient_search_key``. Name keys are
``names.search_keys`` ("zoe", "obrien"). Phone keys start with a character no name key
contains: "#" national digits, "+" E.164 digits, "~" national digits reversed, so "the
last four digits" is a prefix lookup too. Every row also carries ``names``: the folded
"last first" words, then the patient's other name keys, space-separated; it orders the
results and lets a second query word be checked on the same index row.
"""

from __future__ import annotations

from collections.abc import Iterable

import phonenumbers

from desk.domain.names import name_tokens, search_keys
from desk.domain.phones import national_digits, phone_digits

NATIONAL, INTERNATIONAL, REVERSED = "#", "+", "~"
KEY_LENGTH, NAMES_LENGTH = 200, 400  # the column sizes


def names_text(first: str, last: str, keys: Iterable[str]) -> str:
    """Folded "last first" words, then every other name key, space-separated."""
    words = name_tokens(last) + name_tokens(first)
    words += [key for key in keys if key not in words]
    return " ".join(words)[:NAMES_LENGTH]


def phone_keys(e164: str) -> set[str]:
    """The index keys of one stored phone number."""
    digits = phone_digits(e164)
    keys = {INTERNATIONAL + digits} if digits else set()
    try:
        national = national_digits(e164)
    except phonenumbers.NumberParseException:  # stored outside the desk: index what we can
        return keys
    if national:
        keys |= {NATIONAL + national, REVERSED + national[::-1]}
    return keys


def index_entries(
    first: str, last: str, preferred: str | None, phones: Iterable[str]
) -> list[tuple[str, str]]:
    """The (key, names) rows to store for a patient; phones are E.164 ("" is skipped).

    Used on every save, by the migration that indexed existing patients, and by bulk
    generators, so every path indexes a patient the same way.
    """
    name_keys = [key[:KEY_LENGTH] for key in search_keys(first, last, preferred)]
    names = names_text(first, last, name_keys)
    keys = set(name_keys)
    for phone in phones:
        if phone:
            keys |= phone_keys(phone)
    return [(key, names) for key in sorted(keys)]
