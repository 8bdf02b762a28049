"""Figure: a signed consent PDF vs a bare ReportLab document of the same length.

The desk's side is ``render_consent`` for the shipped English template with a patient and
a witness signature (a 600×200 PNG like the pad's). The baseline is a plain
``SimpleDocTemplate`` in the same fonts (DejaVu Sans regular and bold, embedded), the
template's own text as paragraphs, and the same image twice, padded with more text until
it has the same number of pages; both are built in the same process.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from xml.sax.saxutils import escape

from PIL import Image as PilImage
from PIL import ImageDraw
from pypdf import PdfReader
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate

from bench.harness import Figure, Scale, median, sample_ms, summary_ms
from desk.domain.consent import ConsentTemplate, TreatmentType, parse_template
from desk.pdf import ClinicInfo, ConsentForm, PatientIdentity, SignatureCapture, render_consent
from desk.resources import resource_path

TARGET_RATIO = 3.0
REPEATS = 30
_BARE_REGULAR, _BARE_BOLD = "BenchSans", "BenchSans-Bold"


def signature_png() -> bytes:
    image = PilImage.new("RGBA", (600, 200), (255, 255, 255, 0))
    points = [(20 + 90 * i, 150 - (i % 3) * 50) for i in range(6)]
    ImageDraw.Draw(image).line(points, fill=(0, 0, 90, 255), width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def consent_form(png: bytes) -> ConsentForm:
    signed = datetime(2026, 3, 14, 9, 41)
    return ConsentForm(
        clinic=ClinicInfo("Bench Ketamine Clinic", "(555) 123-4567", "200 River Road"),
        patient=PatientIdentity("Zoë O'Brien-Łukasiewicz", date(1985, 2, 28), "4211-0042"),
        treatment=TreatmentType.MOOD_SERIES,
        document_id="CNS-20260314-7KQ2MX",
        created_at=datetime(2026, 3, 14, 9, 30),
        patient_signature=SignatureCapture(png, "Zoë O'Brien-Łukasiewicz", signed),
        witness_signature=SignatureCapture(png, "Maria Gómez, RN", signed),
    )


def template() -> ConsentTemplate:
    return parse_template(resource_path("consent", "ketamine-iv-en-1.0.txt").read_text("utf-8"))


def _register_bare_fonts() -> None:
    # The same font files under names of their own, registered once like the desk's.
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, file_name in ((_BARE_REGULAR, "DejaVuSans.ttf"), (_BARE_BOLD, "DejaVuSans-Bold.ttf")):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", file_name))))


def template_paragraphs() -> list[tuple[bool, str]]:
    """(is heading, text) of the template body: blank-line separated, lines joined."""
    text = resource_path("consent", "ketamine-iv-en-1.0.txt").read_text("utf-8")
    body = text.split("\n---\n", 1)[-1]
    out = []
    for block in body.split("\n\n"):
        for chunk in block.strip().split("\n## "):
            if chunk.strip():
                heading = chunk.startswith("## ") or ("\n" not in chunk and len(chunk) < 60)
                out.append((heading, " ".join(chunk.lstrip("# ").split())))
    return out


def bare_document(png: bytes, paragraphs: int) -> bytes:
    """``paragraphs`` of the template's text (cycled), headings bold, the image twice."""
    body = ParagraphStyle("body", fontName=_BARE_REGULAR, fontSize=9.5, leading=13)
    heading = ParagraphStyle("heading", fontName=_BARE_BOLD, fontSize=11, leading=15)
    source = template_paragraphs()
    story: list[Flowable] = []
    for number in range(paragraphs):
        is_heading, text = source[number % len(source)]
        story.append(Paragraph(escape(text), heading if is_heading else body))
    for _ in range(2):
        story.append(Image(io.BytesIO(png), width=2.9 * inch, height=2.9 * inch / 3))
    out = io.BytesIO()
    SimpleDocTemplate(out).build(story)
    return out.getvalue()


def same_length(png: bytes, target_pages: int) -> int:
    """The fewest paragraphs that give the bare document ``target_pages`` pages."""
    count = 1
    while pages(bare_document(png, count)) < target_pages and count < 2000:
        count += 5
    return count


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def measure(scale: Scale) -> Figure:
    png, parsed = signature_png(), template()
    form = consent_form(png)
    _register_bare_fonts()
    target_pages = pages(render_consent(parsed, form))
    copies = same_length(png, target_pages)
    repeats = scale.repeats(REPEATS)
    desk_ms = sample_ms(lambda: render_consent(parsed, form), repeats)
    bare_ms = sample_ms(lambda: bare_document(png, copies), repeats)
    value, baseline = median(desk_ms), median(bare_ms)
    return Figure(
        name="consent_pdf",
        unit="ms",
        value=value,
        baseline=baseline,
        target=f"ratio <= {TARGET_RATIO:g}",
        passed=baseline > 0 and value / baseline <= TARGET_RATIO,
        notes={
            "pages": target_pages,
            "bare_pages": pages(bare_document(png, copies)),
            "bare_paragraphs": copies,
            "consent_ms": summary_ms(desk_ms),
            "bare_ms": summary_ms(bare_ms),
            "how": "median of builds; fonts registered once before timing in both",
        },
    )
