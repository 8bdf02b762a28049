"""Short typed entries of the drug record and the stock (lot numbers, reasons): checked once.

A lot number, supplier, IV site or waste method is one line: control characters, line
breaks and bidirectional overrides are refused (``names.validate_name``), and so is a
paste longer than the column. A reason may span lines.
"""

from __future__ import annotations

import unicodedata

from desk.domain.errors import ValidationError
from desk.domain.names import field_label, require_name


def one_line(value: str, field: str, limit: int) -> str:
    """``value`` stripped; ValidationError naming the field if empty, too long or unprintable."""
    if len(value.strip()) > limit:
        raise ValidationError(
            f"{field_label(field)} is too long (at most {limit} characters).", field
        )
    return require_name(value, field)


def reason_text(value: str, field: str, limit: int = 2000, *, required: bool = True) -> str:
    """A reason or note: line breaks and tabs allowed, other control characters refused."""
    text = value.strip()
    if required and not text:
        raise ValidationError(f"Give the {field_label(field).lower()}.", field)
    if len(text) > limit:
        raise ValidationError(
            f"{field_label(field)} is too long (at most {limit} characters).", field
        )
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        raise ValidationError(
            f"{field_label(field)} contains a control character; retype it.", field
        )
    return text
