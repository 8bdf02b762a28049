"""The controlled-substance log of one lot over a date range, and the inventory form.

The log is what an inspector reads (21 CFR 1304.22(c)): every movement of the lot with
date and time, kind, vials, milligrams, the running balance, the visit (by MRN, never
a name), who did it and who witnessed it, and the audit entry it is chained to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib import colors
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from desk.domain.dosing import mg_text
from desk.domain.locale import format_date, format_time
from desk.domain.policy import DEFAULT_POLICY, ClinicPolicy
from desk.pdf.data import ClinicInfo
from desk.pdf.fonts import BOLD, REGULAR, markup, safe_text
from desk.pdf.layout import MARGIN, RULE, DocumentMeta, build_pdf, page_size, styles

LOG_HEADERS = (
    "Date and time", "Movement", "Vials", "mg", "Balance mg", "Visit / MRN", "By", "Witness",
    "Detail", "Audit #",
)  # fmt: skip
_WEIGHTS = (1.5, 1.35, 0.55, 0.8, 0.95, 1.25, 0.95, 0.95, 2.2, 0.7)
# One Table per page-full of rows: ReportLab re-measures a table each time it splits one
# across pages, which grows with the square of the rows on a 10 000-line log.
ROWS_PER_TABLE = 40
SIGN_LINE = "_" * 30


@dataclass(frozen=True)
class LogLine:
    at: datetime
    kind: str
    vials: int
    amount_ug: int
    balance_ug: int
    visit: str
    by: str
    witness: str
    detail: str
    audit_seq: int


@dataclass(frozen=True)
class LotHeading:
    drug: str
    lot_number: str
    concentration_mg_per_ml: str
    vial_ml: str
    expiry: date


@dataclass(frozen=True)
class CsLog:
    clinic: ClinicInfo
    lot: LotHeading
    since: date
    until: date
    opening_ug: int
    lines: tuple[LogLine, ...]
    document_id: str
    policy: ClinicPolicy = DEFAULT_POLICY
    created_at: datetime | None = None

    @property
    def closing_ug(self) -> int:
        return self.lines[-1].balance_ug if self.lines else self.opening_ug


def render_cs_log(log: CsLog) -> bytes:
    style = styles()
    lot = log.lot
    period = f"{format_date(log.since, log.policy)} – {format_date(log.until, log.policy)}"
    story: list[Flowable] = [
        Paragraph("Controlled-substance log", style["title"]),
        Paragraph(
            markup(
                f"{lot.drug}, lot {lot.lot_number}: {lot.concentration_mg_per_ml} mg/mL, "
                f"{lot.vial_ml} mL single-dose vials, "
                f"expires {format_date(lot.expiry, log.policy)}."
            ),
            style["paragraph"],
        ),
        Paragraph(
            f"Period {markup(period)}. Opening balance {mg_text(log.opening_ug)} mg; "
            f"closing balance {mg_text(log.closing_ug)} mg; {len(log.lines)} movements.",
            style["paragraph"],
        ),
        Spacer(1, 4),
        *log_tables(log.lines, log.policy),
    ]
    meta = DocumentMeta(
        title=f"Controlled-substance log, lot {lot.lot_number}",
        subject="Controlled-substance log",
        document_id=log.document_id,
        clinic=log.clinic,
        created_at=log.created_at,
        landscape=True,
    )
    return build_pdf(story, meta, log.policy)


def log_tables(lines: Sequence[LogLine], policy: ClinicPolicy) -> list[Flowable]:
    """The movements as tables of a page each, header on every one."""
    width = page_size(policy, wide=True)[0] - 2 * MARGIN
    scale = width / sum(_WEIGHTS)
    widths = [w * scale for w in _WEIGHTS]
    rows = [log_row(line, policy) for line in lines]
    if not rows:
        return [Paragraph("No movements in this period.", styles()["paragraph"])]
    return [
        grid_table([list(LOG_HEADERS), *rows[i : i + ROWS_PER_TABLE]], widths)
        for i in range(0, len(rows), ROWS_PER_TABLE)
    ]


def when_text(moment: datetime, policy: ClinicPolicy) -> str:
    """The moment as recorded (not moved to another zone), the clinic's way."""
    return f"{format_date(moment.date(), policy)} {format_time(moment, policy)}"


def log_row(line: LogLine, policy: ClinicPolicy) -> list[str]:
    return [
        when_text(line.at, policy),
        line.kind,
        str(line.vials) if line.vials else "",
        mg_text(line.amount_ug) if line.amount_ug < 0 else f"+{mg_text(line.amount_ug)}",
        mg_text(line.balance_ug),
        safe_text(line.visit),
        safe_text(line.by),
        safe_text(line.witness),
        safe_text(line.detail)[:60],
        str(line.audit_seq),
    ]


def grid_table(rows: list[list[str]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("FONTNAME", (0, 0), (-1, 0), BOLD),
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("GRID", (0, 0), (-1, -1), 0.3, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("ALIGN", (2, 1), (4, -1), "RIGHT"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


# --- periodic (biennial) inventory --------------------------------------------------------


@dataclass(frozen=True)
class InventoryLine:
    lot: LotHeading
    balance_ug: int
    sealed_vials: int
    in_use_ug: int


@dataclass(frozen=True)
class InventoryForm:
    clinic: ClinicInfo
    taken_at: datetime
    lines: tuple[InventoryLine, ...]
    document_id: str
    policy: ClinicPolicy = DEFAULT_POLICY


def render_inventory_form(form: InventoryForm) -> bytes:
    """The ledger's figures beside empty boxes for the physical count and two signatures."""
    style = styles()
    when = when_text(form.taken_at, form.policy)
    rows: list[list[str]] = [
        ["Drug", "Lot", "Strength", "Expiry", "Ledger mg", "Sealed vials expected",
         "In use mg", "Vials counted", "Difference"],
    ]  # fmt: skip
    for line in form.lines:
        lot = line.lot
        rows.append(
            [
                safe_text(lot.drug), safe_text(lot.lot_number),
                f"{lot.concentration_mg_per_ml} mg/mL × {lot.vial_ml} mL",
                format_date(lot.expiry, form.policy), mg_text(line.balance_ug),
                str(line.sealed_vials), mg_text(line.in_use_ug), "", "",
            ]
        )  # fmt: skip
    width = page_size(form.policy, wide=True)[0] - 2 * MARGIN
    table = grid_table(rows, [width / 9] * 9)
    table.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 9),
                               ("BOTTOMPADDING", (0, 1), (-1, -1), 10)]))  # fmt: skip
    story: list[Flowable] = [
        Paragraph("Controlled-substance inventory", style["title"]),
        Paragraph(
            f"Ledger figures as of {markup(when)}. Count every sealed vial; write the count "
            "and any difference; both people sign. Opening ☐ / close ☐ of business.",
            style["paragraph"],
        ),
        Spacer(1, 6),
        table,
        Spacer(1, 30),
        Paragraph(f"Counted by (name, signature, date): {SIGN_LINE}", style["big"]),
        Spacer(1, 14),
        Paragraph(f"Witnessed by (name, signature, date): {SIGN_LINE}", style["big"]),
    ]  # fmt: skip
    meta = DocumentMeta(
        title="Controlled-substance inventory",
        subject="Controlled-substance inventory",
        document_id=form.document_id,
        clinic=form.clinic,
        created_at=form.taken_at,
        landscape=True,
    )
    return build_pdf(story, meta, form.policy)
