"""Typed entries of the drug record and stock: one-line labels and multi-line reasons."""

from __future__ import annotations

import pytest

from desk.domain.entries import one_line, reason_text
from desk.domain.errors import ValidationError


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("  KX-2291/b ", "KX-2291/b"), ("Lote ñ 7", "Lote ñ 7"), ("Hikma 💊", "Hikma 💊")],
)
def test_a_lot_number_is_kept_as_typed(typed: str, kept: str) -> None:
    assert one_line(typed, "lot_number", 80) == kept


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Lot number is required"),
        ("KX\n2291", "control character"),
        ("KX\x002291", "control character"),
        ("KX\u202e2291", "control character"),
        ("K" * 81, "at most 80"),
        ("K" * 6000, "at most 80"),
    ],
)
def test_a_lot_number_that_cannot_be_printed_is_refused_naming_the_field(
    typed: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as refused:
        one_line(typed, "lot_number", 80)
    assert refused.value.field == "lot_number"


def test_a_reason_may_span_lines_but_not_hold_control_characters() -> None:
    assert reason_text("Vial dropped.\nGlass swept.", "reason") == "Vial dropped.\nGlass swept."
    with pytest.raises(ValidationError, match="control character"):
        reason_text("Vial\x07dropped", "reason")
    with pytest.raises(ValidationError, match="Give the reason"):
        reason_text("  ", "reason")
    assert reason_text("", "notes", required=False) == ""
