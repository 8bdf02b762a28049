"""Name folding for search, search keys, and validation that keeps names as typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.domain.errors import ValidationError
from desk.domain.names import (
    MAX_NAME_LENGTH,
    fold,
    name_tokens,
    require_name,
    search_keys,
    validate_name,
)


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Zoë", "zoe"),
        ("ZOË", "zoe"),
        ("Nguyễn", "nguyen"),
        ("François", "francois"),
        ("Straße", "strasse"),
        ("Łukasz", "lukasz"),
        ("Søren", "soren"),
        ("Æsa", "aesa"),
        ("Đorđe", "dorde"),
        ("Þór", "thor"),
        ("Œdipe", "oedipe"),
        ("İlkay", "ilkay"),
        ("ﬁona", "fiona"),
        ("Σοφία", "σοφια"),
        ("ΣΟΦΊΑ", "σοφια"),
        ("Дмитрий", "дмитрий"),
        ("ДМИТРИЙ", "дмитрий"),
        ("Ёлкин", "ёлкин"),
        ("がく", "がく"),
    ],
)
def test_fold_drops_latin_and_greek_accents_and_only_lowercases_other_scripts(
    typed: str, folded: str
) -> None:
    assert fold(typed) == folded


def test_zoe_typed_plainly_matches_zoe_with_diaeresis() -> None:
    assert fold("zoe") == fold("Zoë")
    assert any(key.startswith(fold("zo")) for key in search_keys("Zoë", "Smith"))


def test_cyrillic_short_i_stays_a_distinct_letter() -> None:
    # й and и are different letters; folding them together would be transliteration.
    assert fold("й") != fold("и")


@given(st.text(max_size=40))
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text(max_size=40))
def test_fold_is_case_insensitive(text: str) -> None:
    assert fold(text.upper()) == fold(fold(text).upper())


@pytest.mark.parametrize(
    ("typed", "tokens"),
    [
        ("O'Brien", ["obrien"]),
        ("O’Brien", ["obrien"]),
        ("Jean-Luc", ["jean", "luc"]),
        ("  Mary   Ann ", ["mary", "ann"]),
        ("St. John", ["st", "john"]),
        ("'quoted'", ["quoted"]),
        ("- -", []),
    ],
)
def test_name_tokens_split_on_spaces_and_hyphens_and_join_apostrophes(
    typed: str, tokens: list[str]
) -> None:
    assert name_tokens(typed) == tokens


def test_search_keys_index_each_part_of_every_name_field() -> None:
    keys = search_keys("Jean-Luc", "D'Angelo", "JL")
    assert keys == ["angelo", "dangelo", "jean", "jeanluc", "jl", "luc"]


def test_search_keys_join_multi_word_surnames() -> None:
    assert "delacruz" in search_keys("Ana", "de la Cruz")


def test_search_keys_without_preferred_name() -> None:
    assert search_keys("Σοφία", "Παπαδοπούλου") == ["παπαδοπουλου", "σοφια"]


@pytest.mark.parametrize(
    "name", ["O'Brien", "Jean-Luc", "Nguyễn", "Σοφία", "Дмитрий", "Zoë", "Mary Ann", "أحمد"]
)
def test_validate_name_keeps_every_character_exactly_as_typed(name: str) -> None:
    assert validate_name(name, "legal_first_name") == name


def test_validate_name_trims_only_surrounding_whitespace() -> None:
    assert validate_name("  Mary  Ann ", "legal_first_name") == "Mary  Ann"


def test_validate_name_keeps_zero_width_joiner_used_in_persian_names() -> None:
    assert validate_name("می\u200cخواهم", "legal_last_name") == "می\u200cخواهم"


@pytest.mark.parametrize("name", ["", "   ", "\t"])
def test_required_name_refuses_empty_or_whitespace_and_names_the_field(name: str) -> None:
    with pytest.raises(ValidationError, match="Legal last name is required") as caught:
        validate_name(name, "legal_last_name")
    assert caught.value.field == "legal_last_name"


def test_optional_name_may_be_empty() -> None:
    assert validate_name("  ", "preferred_name", required=False) is None


@pytest.mark.parametrize(
    "name", ["Ann\nSmith", "Ann\x00", "Ann\x1b[31m", "Ann\u2028Smith", "\u202eAnn", "Ann\x7f"]
)
def test_validate_name_refuses_control_characters_and_bidi_overrides(name: str) -> None:
    with pytest.raises(ValidationError, match="control character") as caught:
        validate_name(name, "legal_first_name")
    assert caught.value.field == "legal_first_name"


def test_name_of_exactly_the_maximum_length_is_accepted() -> None:
    assert require_name("a" * MAX_NAME_LENGTH, "legal_first_name") == "a" * MAX_NAME_LENGTH


def test_name_one_character_over_the_maximum_is_refused() -> None:
    with pytest.raises(ValidationError, match="too long"):
        require_name("a" * (MAX_NAME_LENGTH + 1), "legal_first_name")


BLNS = json.loads((Path(__file__).parents[1] / "data" / "blns.json").read_text("utf-8"))["strings"]
# Every code point, lone surrogates included: text pasted from a broken clipboard gets here.
ANY_CODE_POINT = st.text(st.characters(codec=None, categories=None), max_size=40)


@pytest.mark.parametrize("text", ["\u0301Ana", "ﾟ", "\u0301", "\u0301\u0301e", " \u0301x"])
def test_fold_keeps_a_mark_with_no_letter_before_it(text: str) -> None:
    assert "\u0301" in fold(text) or "\u309a" in fold(text)
    assert search_keys(text, text) == search_keys(fold(text), fold(text))


@pytest.mark.parametrize("text", [*BLNS, "\ud800", "a\udfffb", "\U0010ffff"])
def test_every_naughty_string_folds_and_indexes(text: str) -> None:
    fold(text)
    name_tokens(text)
    search_keys(text, text, text)


@given(ANY_CODE_POINT)
def test_fold_tokens_and_keys_are_total_over_every_code_point(text: str) -> None:
    assert isinstance(fold(text), str)
    assert isinstance(name_tokens(text), list)
    assert isinstance(search_keys(text, text, text), list)
    try:
        validate_name(text, "first_name", required=False)
    except ValidationError as error:
        assert "First name" in str(error)
