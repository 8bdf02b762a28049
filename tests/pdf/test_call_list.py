"""Tomorrow's call list read back: rows, prep times, tick boxes, wrapping, pages."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

import pypdfium2 as pdfium
from pypdf import PdfReader

from desk.domain.consent import TreatmentType
from desk.domain.policy import ClinicPolicy
from desk.pdf import CallList, CallListEntry, ClinicInfo, render_call_list
from desk.pdf.call_list import BOX_EMPTY, BOX_TICKED

CLINIC = ClinicInfo("Riverside Ketamine Clinic", "(555) 123-4567")
DAY = date(2025, 3, 18)
LONG_NAME = "Maximilian Alexander Konstantin von Hohenzollern-Sigmaringen-Wittelsbach"


def entry(hour: int, name: str, ride: bool = False, driver: str | None = "Ana") -> CallListEntry:
    return CallListEntry(
        datetime(2025, 3, 18, hour, 0),
        name,
        f"MRN-{hour:03d}",
        "(555) 555-0100",
        TreatmentType.MOOD_SERIES,
        driver,
        ride,
    )


def render(*entries: CallListEntry, policy: ClinicPolicy | None = None) -> bytes:
    return render_call_list(
        CallList(CLINIC, DAY, entries, "CAL-20250317-AB12CD", policy or ClinicPolicy())
    )


def page_texts(pdf: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def test_rows_show_phone_time_and_prep_times_in_time_order() -> None:
    text = page_texts(render(entry(11, "Дмитрий Иванов"), entry(10, "Zoë O'Brien")))[0]
    assert "Call list for Tuesday 03/18/2025" in text and "2 infusion patients" in text
    assert text.index("Zoë O'Brien") < text.index("Дмитрий Иванов")
    assert "No food after 06:00" in text and "Clear fluids only until 08:00" in text
    assert "No food after 07:00" in text and "Clear fluids only until 09:00" in text
    assert "(555) 555-0100" in text and "MRN-010" in text


def test_tick_boxes_for_ride_and_prep_with_recorded_ticks_shown() -> None:
    text = page_texts(render(entry(10, "A", ride=True), entry(11, "B")))[0]
    assert "Ride confirmed" in text and "Prep explained" in text
    assert text.count(BOX_TICKED) == 1
    assert text.count(BOX_EMPTY) == 3


def test_missing_driver_is_visible() -> None:
    assert "none recorded" in page_texts(render(entry(10, "A", driver=None)))[0]


def test_prep_times_follow_the_policy() -> None:
    text = page_texts(render(entry(10, "A"), policy=ClinicPolicy(fasting_food_hours=5)))[0]
    assert "No food after 05:00" in text


def test_long_names_wrap_inside_their_cell_and_keep_every_character() -> None:
    pdf = render(entry(10, LONG_NAME))
    document = pdfium.PdfDocument(pdf)
    page = document[0]
    width, _ = page.get_size()
    text_page = page.get_textpage()
    boxes = [text_page.get_charbox(i) for i in range(text_page.count_chars())]
    assert len(boxes) > 100
    assert all(right <= width - 30 for left, _b, right, _t in boxes if right > left)
    assert "".join(LONG_NAME.split()) in "".join(page_texts(pdf)[0].split())


def test_a_long_list_runs_over_pages_with_the_header_on_each() -> None:
    start = datetime(2025, 3, 18, 8, 0)
    entries = [
        CallListEntry(
            start + timedelta(minutes=10 * i),
            f"Patient {i:02d}",
            f"M{i}",
            "(555) 555-0100",
            TreatmentType.PAIN_SERIES,
        )
        for i in range(40)
    ]
    pdf = render(*entries)
    pages = page_texts(pdf)
    assert len(pages) >= 2
    assert all("Prep explained" in text for text in pages)
    assert all(f"Patient {i:02d}" in " ".join(pages) for i in range(40))
    assert pages[-1].endswith(f"Page {len(pages)} of {len(pages)}")


def test_landscape_embedded_fonts_and_metadata() -> None:
    reader = PdfReader(io.BytesIO(render(entry(10, "A"))))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    resources: Any = reader.pages[0]["/Resources"]
    for font in resources["/Font"].values():
        font_dict: Any = font.get_object()
        assert "/FontFile2" in font_dict["/FontDescriptor"]
    assert reader.metadata is not None
    assert str(reader.metadata["/Title"]) == "Call list 2025-03-18"
    assert str(reader.metadata["/Author"]) == CLINIC.name
