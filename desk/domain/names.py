"""Person names: validation that keeps them exactly as typed, and folded search keys."""

from __future__ import annotations

import unicodedata

from desk.domain.errors import ValidationError

# A guard against pasted garbage (a whole document in a name field), not a naming rule.
MAX_NAME_LENGTH = 200

# Letters that NFKD does not decompose, spelled the way people type them without the key.
_SPECIAL_LETTERS = str.maketrans(
    {
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
        "ƀ": "b",
        "ǥ": "g",
        "ɨ": "i",
        "ĸ": "k",
        "ʉ": "u",
    }
)

# Every way an apostrophe reaches a name field: keyboard, word processors, Hawaiian ʻokina.
_APOSTROPHES = frozenset("'’‘ʼʻ`´")

# Bidirectional overrides can make a name display differently from how it sorts and
# matches (a spoofing trick); joiners (ZWJ/ZWNJ) stay allowed because Persian and Indic
# names need them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Zl", "Zp"})


def _strips_marks(base: str) -> bool:
    """Whether accents on ``base`` are dropped when folding.

    Latin and Greek accents are decorations people leave out when typing ("zoe" for Zoë,
    "σοφια" for Σοφία). Elsewhere a mark often makes a different letter (Cyrillic й,
    Japanese が, Devanagari virama), so other scripts fold case only.
    """
    # A mark with no letter before it (a name pasted starting with an accent, halfwidth
    # "ﾟ") has nothing to decorate: it is kept, never looked up.
    if len(base) != 1:
        return False
    return unicodedata.name(base, "").startswith(("LATIN", "GREEK"))


def fold(text: str) -> str:
    """The accent- and case-insensitive search form of ``text``; idempotent.

    Latin and Greek lose their accents, letters like ß/æ/ø/ł/đ are spelled out, every
    script is case-folded, and nothing is transliterated into another script.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept: list[str] = []
    base = ""
    for char in decomposed:
        if unicodedata.combining(char):
            if not _strips_marks(base):
                kept.append(char)
            continue
        base = char
        kept.append(char)
    folded = "".join(kept).translate(_SPECIAL_LETTERS)
    # Recompose the marks we kept (Cyrillic й, Hangul syllables) into their usual form.
    return unicodedata.normalize("NFC", folded).casefold()


def _split_words(folded: str) -> list[str]:
    """Words of a folded text: letters, marks and digits; apostrophes join, all else splits."""
    words: list[str] = []
    current: list[str] = []
    for char in folded:
        if char in _APOSTROPHES:
            current.append("'")
        elif unicodedata.category(char)[0] in "LMN":
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return [w for w in (word.strip("'") for word in words) if w]


def name_tokens(text: str) -> list[str]:
    """The folded words of a name or a typed query, in order.

    Spaces, hyphens and other punctuation separate words ("Jean-Luc" → jean, luc);
    apostrophes are dropped inside a word ("O'Brien" → obrien), as people type it.
    """
    return [word.replace("'", "") for word in _split_words(fold(text))]


def _part_keys(part: str) -> set[str]:
    """Index keys of one name field: each word, the joined words, and apostrophe tails."""
    words = _split_words(fold(part))
    keys = {word.replace("'", "") for word in words}
    for word in words:
        # "D'Angelo" is searched as "dangelo" and as "angelo".
        keys.update(tail for tail in word.split("'")[1:] if len(tail) > 1)
    if len(words) > 1:
        # "de la Cruz" and "Jean-Luc" are also typed run together: "delacruz", "jeanluc".
        keys.add("".join(word.replace("'", "") for word in words))
    return keys


def search_keys(first: str, last: str, preferred: str | None = None) -> list[str]:
    """The folded tokens to index for prefix search over first, last and preferred name.

    Sorted and without repeats; a query word matches a patient when it is a prefix of any
    of these keys.
    """
    keys: set[str] = set()
    for part in (first, last, preferred or ""):
        keys |= _part_keys(part)
    keys.discard("")
    return sorted(keys)


def validate_name(value: str, field: str, *, required: bool = True) -> str | None:
    """``value`` with surrounding whitespace removed, every other character kept as typed.

    Refuses control characters, line breaks and bidirectional overrides, names longer than
    ``MAX_NAME_LENGTH``, and an empty name when ``required`` (otherwise returns None).
    Raises ValidationError naming ``field``.
    """
    label = field_label(field)
    name = value.strip()
    if not name:
        if required:
            raise ValidationError(f"{label} is required.", field)
        return None
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(f"{label} is too long (at most {MAX_NAME_LENGTH} characters).", field)
    if any(_is_refused(char) for char in name):
        raise ValidationError(
            f"{label} contains a control character or line break; type it on one line.",
            field,
        )
    return name


def require_name(value: str, field: str) -> str:
    """Like ``validate_name`` for a required name, typed as always returning a string."""
    name = validate_name(value, field, required=True)
    assert name is not None  # validate_name raises instead of returning None here
    return name


def _is_refused(char: str) -> bool:
    return char in _BIDI_CONTROLS or unicodedata.category(char) in _REFUSED_CATEGORIES


def field_label(field: str) -> str:
    """A field name as a person reads it: "legal_first_name" → "Legal first name"."""
    words = field.replace("_", " ").strip()
    return words[:1].upper() + words[1:]
