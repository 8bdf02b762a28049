"""Reprints: the stored bytes with "COPY" laid over every page; the original is untouched.

A signed consent is never regenerated. A reprint reads the stored PDF, draws the stamp on
a transparent overlay and merges it onto each page of a new file; the stored bytes and
their SHA-256 stay exactly as they were.
"""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from desk.domain.errors import ValidationError
from desk.pdf.fonts import BOLD, REGULAR, register_fonts, safe_text
from desk.pdf.layout import fit_string

COPY_STAMP = "COPY"


def stamp_copy(pdf_bytes: bytes, label: str = COPY_STAMP, note: str = "") -> bytes:
    """A new PDF: ``pdf_bytes`` with ``label`` across every page and ``note`` along the top.

    ``note`` says what the reprint is, e.g. "Reprint of the stored original, 03/18/2025
    10:02, by J. Smith"; keep PHI out of it (the page already identifies the patient).
    """
    try:
        # Strict: a damaged stored file is an error to report, not something to repair.
        reader = PdfReader(io.BytesIO(pdf_bytes), strict=True)
        page_count = len(reader.pages)
    except Exception as err:  # pypdf raises several types for a damaged file
        raise ValidationError("The stored document is not a readable PDF.", "pdf") from err
    if page_count == 0:
        raise ValidationError("The stored document has no pages.", "pdf")
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        overlay = PdfReader(io.BytesIO(_overlay(width, height, label, note))).pages[0]
        page.merge_page(overlay, over=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _overlay(width: float, height: float, label: str, note: str) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=1, initialFontName=REGULAR)
    label = safe_text(label)
    canvas.saveState()
    canvas.setFillColor(colors.HexColor("#1f4e9a"))
    canvas.setFillAlpha(0.3)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(35)
    size = min(130.0, (width * 0.8) / max(stringWidth(label, BOLD, 1), 1))
    canvas.setFont(BOLD, size)
    canvas.drawCentredString(0, -size / 3, label)
    canvas.restoreState()
    # A plain-text banner too, so the copy is obvious even on a faint printer.
    banner = f"{label} — {safe_text(note)}" if note else label
    canvas.setFillColor(colors.HexColor("#1f4e9a"))
    fit_string(canvas, banner, BOLD, 8, 20, height - 18, width - 40)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
