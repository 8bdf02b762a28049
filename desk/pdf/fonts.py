"""The shipped Unicode fonts, registered once, and text made safe for them.

ReportLab draws a character the font lacks as an empty box and keeps no trace of the
problem, so every dynamic string goes through ``safe_text``: a character neither shipped
font has becomes U+FFFD (the visible "�"), one per missing glyph, instead of a crash or
a silent gap. DejaVu Sans covers Latin with diacritics, Greek and Cyrillic.
"""

from __future__ import annotations

import threading
import unicodedata
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from desk.resources import resource_path

REGULAR = "DeskSans"
BOLD = "DeskSans-Bold"
REPLACEMENT = "\ufffd"
FONT_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_lock = threading.Lock()


def register_fonts() -> None:
    """Register the shipped fonts with ReportLab (idempotent, thread-safe)."""
    with _lock:
        registered = set(pdfmetrics.getRegisteredFontNames())
        for name, file_name in FONT_FILES.items():
            if name not in registered:
                pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", file_name))))
        # Lets Paragraph markup <b> pick the bold face.
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, REGULAR)
        addMapping(REGULAR, 1, 1, BOLD)


@cache
def _covered() -> frozenset[int]:
    """Code points both faces can draw: any text may appear in regular or bold."""
    register_fonts()
    faces = [pdfmetrics.getFont(name) for name in FONT_FILES]
    maps = [frozenset(face.face.charToGlyph) for face in faces]
    return maps[0] & maps[1]


def has_glyph(char: str) -> bool:
    return ord(char) in _covered()


def safe_text(text: str) -> str:
    """``text`` composed (NFC), with line breaks as spaces and undrawable characters marked.

    Invisible formatting characters the font lacks (variation selectors, zero-width
    joiners inside emoji) are dropped rather than shown as "�".
    """
    covered = _covered()
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if char in "\r\n\t":
            out.append(" ")
        elif ord(char) in covered:
            out.append(char)
        elif not _is_invisible(char):
            out.append(REPLACEMENT)
    return "".join(out)


def _is_invisible(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) == "Cf" or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF
    )


def markup(text: str) -> str:
    """Safe text escaped for ReportLab Paragraph markup."""
    return escape(safe_text(text))
