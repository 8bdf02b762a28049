"""Figure: the controlled-substance log of one lot with 10 000 movements vs a bare table.

The desk's side is ``render_cs_log`` (clinic header and footer on every page, "Page x of
y", the lot heading, the movements in page-sized tables with a grid). The baseline is a
plain ``SimpleDocTemplate`` of bare ReportLab ``Table``s of the same rows, header row on
each, in the same embedded fonts. Both are built in the same process.

Both sides cut the rows into page-sized tables: one ``Table`` of all 10 000 rows is
re-measured at every page break, which grows with the square of the rows (3 000 rows:
11.3 s as one table against 5.8 s for the whole desk log), so it would be a baseline
the desk beats by doing less, not a measure of what the desk adds.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from pypdf import PdfReader
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from bench.harness import Figure, Scale, median, sample_ms, summary_ms
from desk.domain.policy import DEFAULT_POLICY
from desk.pdf.cs_log import (
    LOG_HEADERS,
    ROWS_PER_TABLE,
    CsLog,
    LogLine,
    LotHeading,
    log_row,
    render_cs_log,
)
from desk.pdf.data import ClinicInfo
from desk.pdf.fonts import BOLD, REGULAR, register_fonts

TARGET_RATIO = 3.0
MOVEMENTS = 10_000


def ledger(count: int) -> tuple[LogLine, ...]:
    """A receipt, then administrations and wastes, with a receipt whenever stock runs low."""
    start = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    balance, lines = 0, []
    for n in range(count):
        kind, amount = ("Waste", -15_000) if n % 2 else ("Administration", -35_000)
        if balance + amount < 0 or n == 0:
            kind, amount = "Receipt", 5_000_000
        balance += amount
        lines.append(LogLine(
            start + timedelta(minutes=7 * n), kind, 100 if kind == "Receipt" else 1, amount,
            balance, f"visit {n} / M{n:07d}", "nina", "walt" if kind != "Administration" else "",
            "Hikma, invoice 7781" if kind == "Receipt" else "Rx Destroyer", n + 1,
        ))  # fmt: skip
    return tuple(lines)


def cs_log(lines: tuple[LogLine, ...]) -> CsLog:
    return CsLog(
        clinic=ClinicInfo("Bench Ketamine Clinic", "(555) 123-4567", "200 River Road"),
        lot=LotHeading("Ketamine", "KX2291", "50", "1", date(2028, 6, 30)),
        since=date(2026, 1, 1), until=date(2026, 12, 31), opening_ug=0, lines=lines,
        document_id="CSL-20260105-BENCH1", created_at=datetime(2026, 12, 31, 18, 0),
    )  # fmt: skip


def bare_tables(lines: tuple[LogLine, ...]) -> bytes:
    rows = [log_row(line, DEFAULT_POLICY) for line in lines]
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR),
                        ("FONTNAME", (0, 0), (-1, 0), BOLD),
                        ("FONTSIZE", (0, 0), (-1, -1), 7.5)])  # fmt: skip
    story = []
    for i in range(0, len(rows), ROWS_PER_TABLE):
        table = Table([list(LOG_HEADERS), *rows[i : i + ROWS_PER_TABLE]])
        table.setStyle(style)
        story.append(table)
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=landscape(LETTER)).build(story)
    return out.getvalue()


def measure(scale: Scale) -> Figure:
    register_fonts()
    lines = ledger(500 if scale.quick else MOVEMENTS)
    document = cs_log(lines)
    repeats = scale.repeats(3, 1)
    desk_ms = sample_ms(lambda: render_cs_log(document), repeats)
    bare_ms = sample_ms(lambda: bare_tables(lines), repeats)
    value, baseline = median(desk_ms), median(bare_ms)
    pages = len(PdfReader(io.BytesIO(render_cs_log(document))).pages)
    return Figure(
        name="cs_log_pdf",
        unit="ms",
        value=value,
        baseline=baseline,
        target=f"ratio <= {TARGET_RATIO:g}",
        passed=baseline > 0 and value / baseline <= TARGET_RATIO,
        notes={
            "movements": len(lines),
            "pages": pages,
            "cs_log_ms": summary_ms(desk_ms),
            "bare_ms": summary_ms(bare_ms),
            "how": "median of builds; the bare side: page-sized Tables in a SimpleDocTemplate",
        },
    )
