"""Prep and discharge handouts read back: the patient's own times, driver, phone, languages."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from pypdf import PdfReader

from desk.domain.consent import TreatmentType
from desk.domain.policy import ClinicPolicy
from desk.pdf import (
    ClinicInfo,
    DischargeHandout,
    PrepHandout,
    UpcomingVisit,
    prep_times,
    render_discharge_instructions,
    render_prep_instructions,
)

CLINIC = ClinicInfo("Riverside Ketamine Clinic", "(555) 123-4567", "200 River Road")
NAME = "Σοφία Παπαδοπούλου"
VISIT = UpcomingVisit(datetime(2025, 3, 18, 10, 0), TreatmentType.MOOD_SERIES, "Ana O'Brien", 3, 6)


def text_of(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() or "" for page in pages).split())


def prep(*visits: UpcomingVisit, **changes: Any) -> bytes:
    values: dict[str, Any] = {
        "clinic": CLINIC,
        "patient_name": NAME,
        "visits": visits or (VISIT,),
        "document_id": "PRP-20250314-AB12CD",
        "created_at": datetime(2025, 3, 14, 12, 0),
    }
    values.update(changes)
    return render_prep_instructions(PrepHandout(**values))


def discharge(**changes: Any) -> bytes:
    values: dict[str, Any] = {
        "clinic": CLINIC,
        "patient_name": NAME,
        "infusion_day": date(2025, 3, 18),
        "document_id": "DSC-20250318-AB12CD",
        "next_appointment": datetime(2025, 3, 20, 8, 0),
    }
    values.update(changes)
    return render_discharge_instructions(DischargeHandout(**values))


def test_prep_times_follow_the_fasting_settings() -> None:
    times = prep_times(datetime(2025, 3, 18, 10, 0), ClinicPolicy())
    assert times.stop_food_at == datetime(2025, 3, 18, 6, 0)
    assert times.clear_fluids_until == datetime(2025, 3, 18, 8, 0)


def test_prep_sheet_gives_the_patients_own_times_driver_and_clothing() -> None:
    text = text_of(prep())
    for phrase in [
        "Preparing for your ketamine infusion",
        f"For: {NAME}",
        "Tuesday 03/18/2025 at 10:00",
        "Mood Series infusions, infusion 3 of 6",
        "Stop eating by 06:00.",
        "Clear fluids until 08:00.",
        "Bring your driver: Ana O'Brien.",
        "Wear a short-sleeved top.",
        "Do not drive until the next day",
        "(555) 123-4567",
    ]:
        assert phrase in text, phrase


def test_prep_sheet_in_spanish() -> None:
    text = text_of(prep(language="es"))
    for phrase in [
        "Cómo prepararse para su infusión de ketamina",
        "martes 03/18/2025 a las 10:00",
        "Deje de comer a las 06:00.",
        "Líquidos claros hasta las 08:00.",
        "Traiga a su conductor: Ana O'Brien.",
        "Use una prenda de manga corta.",
        "infusión 3 de 6",
        "Página 1 de 1",
    ]:
        assert phrase in text, phrase


def test_clinic_settings_change_the_times() -> None:
    policy = ClinicPolicy(fasting_food_hours=6, clear_fluids_caution_minutes=90)
    text = text_of(prep(policy=policy))
    assert "Stop eating by 04:00." in text and "Clear fluids until 08:30." in text
    assert "No food for 6 hours" in text and "Stop them 1.5 hours" in text


def test_an_early_visit_says_to_stop_eating_the_evening_before() -> None:
    early = UpcomingVisit(datetime(2025, 3, 18, 7, 0), TreatmentType.PAIN_SERIES, "Ana")
    text = text_of(prep(early, policy=ClinicPolicy(fasting_food_hours=8)))
    assert "Stop eating by 23:00 on Monday 03/17/2025." in text


def test_visits_are_listed_in_time_order_and_a_missing_driver_is_asked_for() -> None:
    later = UpcomingVisit(datetime(2025, 3, 21, 13, 30), TreatmentType.MOOD_SERIES, None, 5, 6)
    text = text_of(prep(later, VISIT))
    assert text.index("Tuesday 03/18/2025") < text.index("Friday 03/21/2025")
    assert "Stop eating by 09:30." in text
    assert "Bring a responsible adult to drive you home" in text


def test_no_upcoming_visits_says_so() -> None:
    text = text_of(render_prep_instructions(PrepHandout(CLINIC, NAME, (), "PRP-20250314-AB12CD")))
    assert "no upcoming infusions" in text


def test_discharge_sheet_covers_driving_effects_when_to_call_and_next_visit() -> None:
    text = text_of(discharge())
    for phrase in [
        "After your infusion",
        NAME,
        "Until tomorrow, after a night's sleep",
        "Do not drive",
        "operate machinery",
        "Common after-effects",
        "Call the clinic at (555) 123-4567 if",
        "blood in the urine",
        "988",
        "Your next appointment",
        "Thursday 03/20/2025 at 08:00",
    ]:
        assert phrase in text, phrase


def test_discharge_sheet_in_spanish_without_a_next_appointment() -> None:
    text = text_of(discharge(language="es", next_appointment=None))
    assert "Después de su infusión" in text and "No conduzca" in text
    assert "Todavía no tiene una cita programada. Llame al (555) 123-4567" in text


@pytest.mark.parametrize("render", [prep, discharge])
def test_handouts_are_one_page_with_embedded_fonts_and_metadata(render: Any) -> None:
    reader = PdfReader(io.BytesIO(render()))
    assert len(reader.pages) == 1
    resources: Any = reader.pages[0]["/Resources"]
    for font in resources["/Font"].values():
        font_dict: Any = font.get_object()
        assert "/FontFile2" in font_dict["/FontDescriptor"]
    assert reader.metadata is not None
    assert str(reader.metadata["/Author"]) == CLINIC.name
    assert NAME not in str(reader.metadata["/Title"])


def test_a_name_no_font_can_draw_does_not_crash_the_handouts() -> None:
    assert "\ufffd" in text_of(prep(patient_name="王小明"))
    assert "\ufffd" in text_of(discharge(patient_name="🦄 Ana"))
