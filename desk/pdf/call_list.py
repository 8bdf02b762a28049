"""Tomorrow's call list: the receptionist phones each infusion patient the day before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib import colors
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from desk.domain.consent import TreatmentType
from desk.domain.locale import format_time
from desk.domain.policy import DEFAULT_POLICY, ClinicPolicy
from desk.pdf.data import ClinicInfo, format_day, prep_times, treatment_label
from desk.pdf.fonts import BOLD, REGULAR, markup
from desk.pdf.layout import MARGIN, RULE, DocumentMeta, build_pdf, page_size, styles

BOX_EMPTY = "☐"
BOX_TICKED = "☑"
HEADERS = (
    "Time",
    "Patient",
    "Phone",
    "Prep to explain",
    "Driver",
    "Ride<br/>confirmed",
    "Prep<br/>explained",
    "Notes",
)
# Relative column widths; the table always fills the page width exactly.
_WEIGHTS = (0.8, 2.3, 1.65, 2.6, 1.5, 1.25, 1.25, 0.85)


@dataclass(frozen=True)
class CallListEntry:
    starts_at: datetime
    patient_name: str
    mrn: str
    phone: str
    treatment: TreatmentType
    driver_name: str | None = None
    # Already recorded on the visit: printed ticked so nobody calls twice about it.
    ride_confirmed: bool = False
    prep_explained: bool = False


@dataclass(frozen=True)
class CallList:
    clinic: ClinicInfo
    day: date
    entries: tuple[CallListEntry, ...]
    document_id: str
    policy: ClinicPolicy = DEFAULT_POLICY
    created_at: datetime | None = None


def render_call_list(call_list: CallList) -> bytes:
    """A landscape table, one row per infusion, header row repeated on every page."""
    style = styles()
    day_text = format_day(call_list.day, call_list.policy, "en")
    count = len(call_list.entries)
    story: list[Flowable] = [
        Paragraph(f"Call list for {markup(day_text)}", style["title"]),
        Paragraph(
            f"{count} infusion patient{'s' if count != 1 else ''}. Tick each box when "
            "done, then record the ticks on the visit.",
            style["paragraph"],
        ),
        Spacer(1, 4),
        _table(call_list),
    ]
    meta = DocumentMeta(
        title=f"Call list {call_list.day.isoformat()}",
        subject="Call list for infusion patients",
        document_id=call_list.document_id,
        clinic=call_list.clinic,
        created_at=call_list.created_at,
        landscape=True,
    )
    return build_pdf(story, meta, call_list.policy)


def _table(call_list: CallList) -> Table:
    style = styles()
    head = [Paragraph(h, style["cell_bold"]) for h in HEADERS]
    entries = sorted(call_list.entries, key=lambda e: (e.starts_at, e.patient_name))
    rows: list[list[Flowable | str]] = [list(head)]
    rows.extend(_row(entry, call_list.policy) for entry in entries)
    width = page_size(call_list.policy, wide=True)[0] - 2 * MARGIN
    scale = width / sum(_WEIGHTS)
    table = Table(rows, colWidths=[w * scale for w in _WEIGHTS], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f7f7")]),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (5, 1), (6, -1), "CENTER"),
                ("FONTNAME", (5, 1), (6, -1), BOLD),
                ("FONTSIZE", (5, 1), (6, -1), 15),
                ("TOPPADDING", (0, 1), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 7),
            ]
        )
    )
    return table


def _row(entry: CallListEntry, policy: ClinicPolicy) -> list[Flowable | str]:
    style = styles()
    cell, small = style["cell"], style["small"]
    times = prep_times(entry.starts_at, policy)
    prep = (
        f"No food after <b>{format_time(times.stop_food_at, policy)}</b><br/>"
        f"Clear fluids only until <b>{format_time(times.clear_fluids_until, policy)}</b>"
    )
    if times.stop_food_at.date() != entry.starts_at.date():
        prep += "<br/>(food: the evening before)"
    driver = markup(entry.driver_name) if entry.driver_name else "<i>none recorded</i>"
    patient = (
        f"<b>{markup(entry.patient_name)}</b><br/>"
        f"<font size=7.5>MRN {markup(entry.mrn)} · "
        f"{markup(treatment_label(entry.treatment, 'en'))}</font>"
    )
    return [
        Paragraph(markup(format_time(entry.starts_at, policy)), style["cell_bold"]),
        Paragraph(patient, cell),
        # A phone number split over two lines gets misdialled.
        Paragraph(markup(entry.phone).replace(" ", "\u00a0"), cell),
        Paragraph(prep, cell),
        Paragraph(driver, cell),
        BOX_TICKED if entry.ride_confirmed else BOX_EMPTY,
        BOX_TICKED if entry.prep_explained else BOX_EMPTY,
        Paragraph("", small),
    ]
