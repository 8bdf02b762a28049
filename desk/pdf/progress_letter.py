"""The progress letter to the referring provider: series dates, scores with a chart per
questionnaire, response and remission, side effects and the plan, signed by the clinician."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from desk.domain.locale import format_date
from desk.domain.policy import ClinicPolicy
from desk.pdf.data import ClinicInfo, PatientIdentity
from desk.pdf.fonts import BOLD, REGULAR, markup
from desk.pdf.layout import RULE, DocumentMeta, build_pdf, styles

CHART_WIDTH, CHART_HEIGHT = float(6.4 * inch), float(1.7 * inch)
_BAND_SHADES = ("#eef6ee", "#f7f5e6", "#fbefe0", "#f9e4e0", "#f4dada")


@dataclass(frozen=True)
class LetterScores:
    name: str  # "PHQ-9"
    max_total: int
    bands: tuple[tuple[int, str], ...]  # (lowest total, label)
    points: tuple[tuple[date, int], ...]
    outcome: str  # "PHQ-9 20 → 8 (-60 %), response, not in remission", or ""


@dataclass(frozen=True)
class ProgressLetterData:
    clinic: ClinicInfo
    document_id: str
    provider_name: str
    provider_practice: str
    provider_address: str
    patient: PatientIdentity
    series_label: str  # "Mood Series"
    infusion_days: tuple[date, ...]
    scores: tuple[LetterScores, ...]
    side_effects: tuple[str, ...]  # "03/05/2031: nausea (settled with ondansetron)"
    plan: str
    clinician_name: str
    signed_at: datetime
    policy: ClinicPolicy


def render_progress_letter(letter: ProgressLetterData) -> bytes:
    style = styles()
    policy = letter.policy
    story: list[Flowable] = [
        Paragraph(markup(format_date(letter.signed_at.astimezone().date(), policy)),
                  style["paragraph"]),
        Paragraph(_address(letter), style["paragraph"]),
        Spacer(1, 6),
        Paragraph(markup(f"Re: {letter.patient.legal_name}, born "
                         f"{format_date(letter.patient.date_of_birth, policy)}, "
                         f"MRN {letter.patient.mrn}"), style["heading"]),
        Paragraph(markup(_opening(letter)), style["paragraph"]),
        Paragraph("Infusion dates", style["heading"]),
        Paragraph(markup(", ".join(format_date(d, policy) for d in letter.infusion_days)
                         or "No infusion was given."), style["paragraph"]),
        Paragraph("Symptom scores", style["heading"]),
    ]  # fmt: skip
    for scores in letter.scores:
        story.append(KeepTogether(_score_block(scores, policy)))
    story += [
        Paragraph("Side effects", style["heading"]),
        *[Paragraph(markup(f"• {e}"), style["paragraph"]) for e in letter.side_effects],
    ]
    if not letter.side_effects:
        story.append(Paragraph("None were recorded.", style["paragraph"]))
    story += [
        Paragraph("Plan", style["heading"]),
        Paragraph(markup(letter.plan), style["paragraph"]),
        Spacer(1, 10),
        Paragraph(markup(f"Electronically signed by {letter.clinician_name} on "
                         f"{format_date(letter.signed_at.astimezone().date(), policy)}."),
                  style["big"]),
    ]  # fmt: skip
    meta = DocumentMeta(
        title="Progress letter", subject="Treatment progress", document_id=letter.document_id,
        clinic=letter.clinic, created_at=letter.signed_at,
    )  # fmt: skip
    return build_pdf(story, meta, policy)


def _address(letter: ProgressLetterData) -> str:
    lines = [letter.provider_name, letter.provider_practice, *letter.provider_address.splitlines()]
    return "<br/>".join(markup(line) for line in lines if line.strip())


def _opening(letter: ProgressLetterData) -> str:
    count = len(letter.infusion_days)
    return (
        f"Dear {letter.provider_name or 'colleague'}, your patient has completed the "
        f"{letter.series_label} at {letter.clinic.name} ({count} infusion"
        f"{'s' if count != 1 else ''}). Their symptom scores, the side effects we recorded "
        "and our plan follow."
    )


def _score_block(scores: LetterScores, policy: ClinicPolicy) -> list[Flowable]:
    style = styles()
    header = ["Date", *[format_date(d, policy) for d, _ in scores.points]]
    totals = [scores.name, *[str(t) for _, t in scores.points]]
    block: list[Flowable] = [Paragraph(markup(scores.outcome or scores.name), style["paragraph"])]
    if scores.points:
        table = Table([header, totals], hAlign="LEFT")
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), REGULAR, 8),
            ("FONT", (0, 0), (0, -1), BOLD, 8),
            ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ]))  # fmt: skip
        block += [table, Spacer(1, 4), score_chart(scores)]
    else:
        block.append(Paragraph("Not answered during the series.", style["paragraph"]))
    block.append(Spacer(1, 8))
    return block


def score_chart(scores: LetterScores) -> Drawing:
    """Date across, score up, severity bands shaded: the same picture as the desk's chart."""
    drawing = Drawing(CHART_WIDTH, CHART_HEIGHT)
    left, bottom = 28.0, 14.0
    width, height = CHART_WIDTH - left - 4, CHART_HEIGHT - bottom - 4
    top = max(scores.max_total, 1)

    def y(total: float) -> float:
        return bottom + height * total / top

    edges = [low for low, _ in scores.bands] + [top]
    for n, (low, label) in enumerate(scores.bands):
        shade = colors.HexColor(_BAND_SHADES[min(n, len(_BAND_SHADES) - 1)])
        drawing.add(Rect(left, y(low), width, y(edges[n + 1]) - y(low), fillColor=shade,
                         strokeColor=None))
        drawing.add(String(left + 3, y(low) + 2, label, fontName=REGULAR, fontSize=6,
                           fillColor=colors.HexColor("#777777")))
    drawing.add(Line(left, bottom, left, bottom + height, strokeColor=RULE))
    drawing.add(Line(left, bottom, left + width, bottom, strokeColor=RULE))
    drawing.add(String(2, y(top) - 6, str(top), fontName=REGULAR, fontSize=7))
    drawing.add(String(2, bottom, "0", fontName=REGULAR, fontSize=7))
    days = [d for d, _ in scores.points]
    span = max((days[-1] - days[0]).days, 1) if days else 1

    def x(day: date) -> float:
        return left + 6 + (width - 12) * (day - days[0]).days / span

    coords: list[float] = []
    for day, total in scores.points:
        coords += [x(day), y(total)]
    if len(scores.points) > 1:
        drawing.add(PolyLine(coords, strokeColor=colors.HexColor("#1f4e9a"), strokeWidth=1.4))
    for day, total in scores.points:
        drawing.add(Rect(x(day) - 2, y(total) - 2, 4, 4, fillColor=colors.HexColor("#1f4e9a"),
                         strokeColor=None))
    return drawing
