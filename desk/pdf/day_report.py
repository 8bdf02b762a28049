"""The day report: what happened today, the counted stock, open items, and the audit head.

The audit chain's head (sequence number and hash) is printed at the foot of the last
page, so the paper copy anchors the electronic trail: an entry changed afterwards no
longer hashes to the printed value. Patients appear by MRN only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.platypus import Flowable, Paragraph, Spacer

from desk.domain.dosing import mg_text
from desk.domain.policy import DEFAULT_POLICY, ClinicPolicy
from desk.pdf.cs_log import LogLine, grid_table, log_tables
from desk.pdf.data import ClinicInfo, format_day
from desk.pdf.fonts import markup, safe_text
from desk.pdf.layout import MARGIN, DocumentMeta, build_pdf, page_size, styles


@dataclass(frozen=True)
class InfusionLine:
    started: datetime
    mrn: str
    drug: str
    ordered_ug: int
    given_ug: int | None
    waste_ug: int | None
    lot_number: str
    nurse: str


@dataclass(frozen=True)
class CountLine:
    lot: str
    expected_vials: int
    counted_vials: int
    result: str
    reason: str


@dataclass(frozen=True)
class DayReport:
    clinic: ClinicInfo
    day: date
    closed_by: str
    witness: str
    closed_at: datetime
    status_counts: tuple[tuple[str, int], ...]
    late_arrivals: int
    minutes_in_status: tuple[tuple[str, int], ...]  # average minutes per status
    infusions: tuple[InfusionLine, ...]
    movements: tuple[LogLine, ...]
    counts: tuple[CountLine, ...]
    open_items: tuple[str, ...]
    audit_seq: int
    audit_hash: str
    document_id: str
    policy: ClinicPolicy = DEFAULT_POLICY

    @property
    def no_shows(self) -> int:
        return dict(self.status_counts).get("No-show", 0)

    @property
    def audit_text(self) -> str:
        return f"Audit chain head: entry {self.audit_seq}, SHA-256 {self.audit_hash}"


def render_day_report(report: DayReport) -> bytes:
    style = styles()
    fmt = report.policy.time_format
    width = page_size(report.policy, wide=True)[0] - 2 * MARGIN
    story: list[Flowable] = [
        Paragraph(f"Day report {markup(format_day(report.day, report.policy, 'en'))}",
                  style["title"]),
        Paragraph(
            markup(f"Closed at {report.closed_at.strftime(fmt)} by {report.closed_by}, "
                   f"witnessed by {report.witness}."),
            style["paragraph"],
        ),
        Paragraph("Visits", style["heading"]),
        grid_table([["Status", "Visits"], *[[s, str(n)] for s, n in report.status_counts],
                ["No-shows", str(report.no_shows)], ["Late arrivals", str(report.late_arrivals)]],
               [width / 4] * 2),
        Paragraph("Average time in each status", style["heading"]),
        grid_table([["Status", "Minutes"], *[[s, str(m)] for s, m in report.minutes_in_status]],
               [width / 4] * 2),
        Paragraph("Infusions given", style["heading"]),
        _infusions(report, width),
        Paragraph("Controlled-substance movements", style["heading"]),
        *log_tables(report.movements, report.policy),
        Paragraph("Count at close", style["heading"]),
        grid_table([["Lot", "Expected vials", "Counted vials", "Result", "Reason"],
                *[[safe_text(c.lot), str(c.expected_vials), str(c.counted_vials), c.result,
                   safe_text(c.reason)[:60]] for c in report.counts]],
               [width * 0.32, width * 0.1, width * 0.1, width * 0.28, width * 0.2]),
        Paragraph("Open items", style["heading"]),
        *[Paragraph(markup(item), style["bullet"], bulletText="•") for item in report.open_items],
        *([] if report.open_items else [Paragraph("None.", style["paragraph"])]),
        Spacer(1, 12),
        Paragraph(report.audit_text, style["cell_bold"]),
    ]  # fmt: skip
    meta = DocumentMeta(
        title=f"Day report {report.day.isoformat()}",
        subject="Day report",
        document_id=report.document_id,
        clinic=report.clinic,
        created_at=report.closed_at,
        footer_note=f"audit entry {report.audit_seq}",
        landscape=True,
    )
    return build_pdf(story, meta, report.policy)


def _infusions(report: DayReport, width: float) -> Flowable:
    if not report.infusions:
        return Paragraph("No infusions.", styles()["paragraph"])
    rows = [["Started", "MRN", "Drug", "Ordered mg", "Given mg", "Wasted mg", "Lot", "Nurse"]]
    for line in report.infusions:
        rows.append([
            line.started.strftime(report.policy.time_format), line.mrn, safe_text(line.drug),
            mg_text(line.ordered_ug), _mg(line.given_ug), _mg(line.waste_ug),
            safe_text(line.lot_number), safe_text(line.nurse),
        ])  # fmt: skip
    return grid_table(rows, [width / 8] * 8)


def _mg(ug: int | None) -> str:
    return "—" if ug is None else mg_text(ug)


def day_report_csv(report: DayReport) -> str:
    """The same figures as rows (section, then values) for a spreadsheet."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["section", "item", "value", "detail"])
    w.writerow(["day", report.day.isoformat(), report.closed_by, report.witness])
    for status, count in report.status_counts:
        w.writerow(["visits", status, count, ""])
    w.writerow(["visits", "No-shows", report.no_shows, ""])
    w.writerow(["visits", "Late arrivals", report.late_arrivals, ""])
    for status, minutes in report.minutes_in_status:
        w.writerow(["minutes_in_status", status, minutes, ""])
    for i in report.infusions:
        w.writerow(["infusion", i.mrn, _mg(i.given_ug),
                    f"{i.drug} ordered {mg_text(i.ordered_ug)} mg, wasted {_mg(i.waste_ug)} mg, "
                    f"lot {i.lot_number}, {i.nurse}"])  # fmt: skip
    for m in report.movements:
        w.writerow(["movement", m.kind, mg_text(m.amount_ug),
                    f"balance {mg_text(m.balance_ug)} mg; {m.visit}; {m.by}; {m.witness}; "
                    f"audit {m.audit_seq}"])  # fmt: skip
    for c in report.counts:
        w.writerow(["count", c.lot, c.counted_vials, f"expected {c.expected_vials}; {c.reason}"])
    for item in report.open_items:
        w.writerow(["open_item", item, "", ""])
    w.writerow(["audit_head", report.audit_seq, report.audit_hash, ""])
    return out.getvalue()
