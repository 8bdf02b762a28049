"""The page every desk document shares: clinic header, footer, "Page x of y", metadata.

Output is reproducible: ReportLab runs in invariant mode and the creation date written
into the PDF is the one the caller gives, so the same inputs give the same bytes (and the
same SHA-256) on every workstation.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

import desk
from desk.domain.policy import ClinicPolicy
from desk.pdf.data import ClinicInfo, base_language
from desk.pdf.fonts import BOLD, REGULAR, register_fonts, safe_text

MARGIN = 0.7 * inch
HEADER_HEIGHT = 0.75 * inch
FOOTER_HEIGHT = 0.45 * inch
INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#9a9a9a")
STAMP_RED = colors.HexColor("#c0392b")

_PAGE_LABELS = {"en": ("Page {x} of {y}", "Document"), "es": ("Página {x} de {y}", "Documento")}


@dataclass(frozen=True)
class DocumentMeta:
    """What the page frame and the PDF metadata need. Keep PHI out of title and subject."""

    title: str
    subject: str
    document_id: str
    clinic: ClinicInfo
    language: str = "en"
    created_at: datetime | None = None
    # A line under the header on every page, e.g. the patient and MRN on a consent.
    running_header: str = ""
    # Printed next to the document id in the footer, e.g. the template version.
    footer_note: str = ""
    # Large diagonal text on every page, e.g. "PREVIEW".
    stamp: str = ""
    landscape: bool = False


def page_size(policy: ClinicPolicy, wide: bool = False) -> tuple[float, float]:
    size = A4 if policy.paper_size.lower() == "a4" else LETTER
    width, height = landscape(size) if wide else size
    return float(width), float(height)


def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of every document, all in the shipped Unicode font."""
    register_fonts()
    body = ParagraphStyle(
        "body",
        fontName=REGULAR,
        fontSize=9.5,
        leading=13,
        textColor=INK,
        alignment=TA_LEFT,
    )
    return {
        "body": body,
        "title": ParagraphStyle(
            "title", body, fontName=BOLD, fontSize=15, leading=19, spaceAfter=8
        ),
        "heading": ParagraphStyle(
            "heading",
            body,
            fontName=BOLD,
            fontSize=11,
            leading=14,
            spaceBefore=9,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "paragraph": ParagraphStyle("paragraph", body, spaceAfter=5),
        "bullet": ParagraphStyle(
            "bullet", body, leftIndent=14, bulletIndent=3, bulletFontName=REGULAR, spaceAfter=2
        ),
        "small": ParagraphStyle("small", body, fontSize=8, leading=10, textColor=MUTED),
        "label": ParagraphStyle("label", body, fontSize=8, leading=10, textColor=MUTED),
        "cell": ParagraphStyle("cell", body, fontSize=9, leading=11.5),
        "cell_bold": ParagraphStyle("cell_bold", body, fontName=BOLD, fontSize=9, leading=11.5),
        "big": ParagraphStyle("big", body, fontSize=11, leading=15, spaceAfter=4),
    }


def build_pdf(story: Sequence[Flowable], meta: DocumentMeta, policy: ClinicPolicy) -> bytes:
    """Lay ``story`` out on the shared page and return the PDF bytes."""
    register_fonts()
    width, height = page_size(policy, meta.landscape)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=(width, height),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_HEIGHT,
        bottomMargin=MARGIN + FOOTER_HEIGHT,
        title=safe_text(meta.title),
        author=safe_text(meta.clinic.name),
        subject=safe_text(meta.subject),
        keywords=meta.document_id,
        creator=f"Infusion Desk {desk.__version__}",
        lang=base_language(meta.language),
        invariant=1,
        # Not Helvetica: the PDF then references no font it does not embed.
        initialFontName=REGULAR,
    )
    # No frame padding: the body lines up with the header and footer rules.
    frame = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(list(story), canvasmaker=_canvas_class(meta, _decorator(meta)))
    return buffer.getvalue()


def pdf_date(moment: datetime) -> str:
    """A PDF date string; naive datetimes are written without a zone (local time)."""
    text = moment.strftime("D:%Y%m%d%H%M%S")
    offset = moment.utcoffset()
    if offset is None:
        return text
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{text}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


Decorator = Callable[[Canvas, int, int], None]


def _canvas_class(meta: DocumentMeta, decorate: Decorator) -> type[Canvas]:
    created = pdf_date(meta.created_at or datetime.now().astimezone())

    class _DeferredCanvas(Canvas):  # type: ignore[misc]
        """Holds pages back until the end, when the total page count is known."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict[str, Any]] = []
            # The creation date is the caller's, never the clock's: reproducible bytes.
            self.setDateFormatter(lambda *_parts: created)

        def showPage(self) -> None:
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved_pages)
            for number, state in enumerate(self._saved_pages, start=1):
                self.__dict__.update(state)
                decorate(self, number, total)
                super().showPage()
            super().save()

    return _DeferredCanvas


def _decorator(meta: DocumentMeta) -> Decorator:
    def decorate(canvas: Canvas, number: int, total: int) -> None:
        canvas.saveState()
        width, height = canvas._pagesize
        _draw_header(canvas, meta, width, height)
        _draw_footer(canvas, meta, width, number, total)
        if meta.stamp:
            _draw_stamp(canvas, meta.stamp, width, height)
        canvas.restoreState()

    return decorate


def _draw_header(canvas: Canvas, meta: DocumentMeta, width: float, height: float) -> None:
    top = height - MARGIN
    usable = width - 2 * MARGIN
    phone = safe_text(meta.clinic.phone)
    canvas.setFillColor(INK)
    phone_width = stringWidth(phone, REGULAR, 9)
    name_room = usable - phone_width - 12
    fit_string(canvas, safe_text(meta.clinic.name), BOLD, 12, MARGIN, top - 12, name_room)
    canvas.setFont(REGULAR, 9)
    canvas.drawRightString(width - MARGIN, top - 12, phone)
    canvas.setFillColor(MUTED)
    address = safe_text(meta.clinic.address)
    fit_string(canvas, address, REGULAR, 8, MARGIN, top - 24, usable)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, top - 30, width - MARGIN, top - 30)
    if meta.running_header:
        canvas.setFillColor(INK)
        fit_string(canvas, safe_text(meta.running_header), REGULAR, 8.5, MARGIN, top - 42, usable)


def _draw_footer(canvas: Canvas, meta: DocumentMeta, width: float, number: int, total: int) -> None:
    page_text, document_word = _PAGE_LABELS[base_language(meta.language)]
    y = MARGIN
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, y + 12, width - MARGIN, y + 12)
    canvas.setFillColor(MUTED)
    left = f"{document_word} {meta.document_id}"
    if meta.footer_note:
        left = f"{left}  ·  {safe_text(meta.footer_note)}"
    fit_string(canvas, left, REGULAR, 8, MARGIN, y, width - 2 * MARGIN - 90)
    canvas.setFont(REGULAR, 8)
    canvas.drawRightString(width - MARGIN, y, page_text.format(x=number, y=total))


def _draw_stamp(canvas: Canvas, text: str, width: float, height: float) -> None:
    canvas.setFillColor(STAMP_RED)
    canvas.setFillAlpha(0.18)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(35)
    size = min(110.0, (width * 0.9) / max(stringWidth(text, BOLD, 1), 1))
    canvas.setFont(BOLD, size)
    canvas.drawCentredString(0, -size / 3, safe_text(text))


def fit_string(
    canvas: Canvas, text: str, font: str, size: float, x: float, y: float, room: float
) -> None:
    """Draw one line that never runs past ``room``: shrink a little, then cut with "…"."""
    while size > 6.5 and stringWidth(text, font, size) > room:
        size -= 0.5
    if stringWidth(text, font, size) > room:
        while text and stringWidth(text + "…", font, size) > room:
            text = text[:-1]
        text += "…"
    canvas.setFont(font, size)
    canvas.drawString(x, y, text)
