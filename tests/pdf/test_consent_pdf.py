"""The consent PDF read back: sections, exact names, fonts, metadata, signatures, stamps."""

from __future__ import annotations

import hashlib
import io
import re
import time
from datetime import date, datetime
from typing import Any

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from desk.domain.consent import ConsentTemplate, TemplateError, TreatmentType, parse_template
from desk.domain.errors import ValidationError
from desk.domain.policy import ClinicPolicy
from desk.pdf import (
    ClinicInfo,
    ConsentForm,
    PatientIdentity,
    SignatureCapture,
    preview_template,
    render_consent,
)
from desk.pdf.fonts import REPLACEMENT
from desk.resources import resource_path

CLINIC = ClinicInfo(
    "Riverside Ketamine & Wellness Clinic",
    "(555) 123-4567",
    "200 River Road, Suite 4, Springfield, IL 62701",
    "Each infusion costs $450, payable at the visit.",
)
CREATED = datetime(2025, 3, 14, 9, 30)
NAMES = [
    "Zoë O'Brien-Łukasiewicz",
    "Σοφία Παπαδοπούλου",
    "Дмитрий Иванов",
    "Nguyễn Thị Minh Khai",
]


def template(language: str = "en") -> ConsentTemplate:
    text = resource_path("consent", f"ketamine-iv-{language}-1.0.txt").read_text("utf-8")
    return parse_template(text)


def signature_png(seed: int = 0) -> bytes:
    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    points = [(20 + 90 * i, 150 - ((i + seed) % 3) * 50) for i in range(6)]
    ImageDraw.Draw(image).line(points, fill=(0, 0, 90, 255), width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def form(name: str = NAMES[0], signed: bool = True, **changes: Any) -> ConsentForm:
    values: dict[str, Any] = {
        "clinic": CLINIC,
        "patient": PatientIdentity(name, date(1985, 2, 28), "MRN-004211"),
        "treatment": TreatmentType.MOOD_SERIES,
        "document_id": "CNS-20250314-7KQ2MX",
        "created_at": CREATED,
    }
    if signed:
        values["patient_signature"] = SignatureCapture(
            signature_png(), name, datetime(2025, 3, 14, 9, 41)
        )
        values["witness_signature"] = SignatureCapture(
            signature_png(1), "Maria Gómez, RN", datetime(2025, 3, 14, 9, 42)
        )
    values.update(changes)
    return ConsentForm(**values)


def text_of(pdf: bytes) -> str:
    """All page text with whitespace collapsed, so wrapped lines compare as one."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() or "" for page in pages).split())


def fonts_of(pdf: bytes) -> list[Any]:
    fonts: list[Any] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"]
        fonts.extend(f.get_object() for f in resources["/Font"].values())
    return fonts


def image_count(pdf: bytes) -> int:
    """Image XObjects on all pages, looking inside form XObjects too."""

    def count(resources: Any) -> int:
        found = 0
        for xobject in (resources or {}).get("/XObject", {}).values():
            xobject = xobject.get_object()
            if xobject["/Subtype"] == "/Image":
                found += 1
            elif xobject["/Subtype"] == "/Form":
                found += count(xobject.get("/Resources"))
        return found

    return sum(count(page["/Resources"]) for page in PdfReader(io.BytesIO(pdf)).pages)


def chars_outside_page(pdf: bytes) -> list[str]:
    """Characters whose box leaves the page margins (overflowing text)."""
    document = pdfium.PdfDocument(pdf)
    outside, seen = [], 0
    for page in document:
        width, _height = page.get_size()
        text_page = page.get_textpage()
        seen += text_page.count_chars()
        for index in range(text_page.count_chars()):
            left, _bottom, right, _top = text_page.get_charbox(index)
            if right > left and (left < 20 or right > width - 20):
                outside.append(text_page.get_text_range(index, 1))
    assert seen > 100, "pdfium found no text: the check would prove nothing"
    return outside


def test_signed_consent_contains_every_required_section_and_the_identity() -> None:
    text = text_of(render_consent(template(), form()))
    for phrase in [
        "Informed consent for intravenous (IV) ketamine infusion",
        "What ketamine is",
        "not FDA-approved for these conditions",
        "Schedule III controlled substance",
        "Why it is offered (indications)",
        "treatment-resistant depression",
        "What happens during treatment",
        "Preparing for each infusion",
        "do not eat anything for 4 hours",
        "until 2 hours before",
        "at least 30 minutes",
        "Common side effects",
        "blurred",
        "dissociation",
        "Longer-term risks",
        "bladder",
        "Who should not receive ketamine",
        "Alternatives",
        "You may also choose no treatment",
        "After each infusion: no driving",
        "until the next day",
        "Your rights",
        "withdraw",
        "valid for 12 months",
        "Costs and insurance",
        CLINIC.costs_text,
        "(555) 123-4567",
        "Mood Series infusions",
        "ketamine-iv 1.0 (en)",
        "02/28/1985",
        "MRN-004211",
        "Signature of patient",
        "Signature of witness (clinic staff)",
        "Maria Gómez, RN",
        "03/14/2025 09:41",
        "Document CNS-20250314-7KQ2MX",
    ]:
        assert phrase in text, phrase


@pytest.mark.parametrize("name", NAMES)
def test_patient_name_in_any_script_round_trips_exactly(name: str) -> None:
    text = text_of(render_consent(template(), form(name)))
    assert name in text
    assert REPLACEMENT not in text


def test_page_count_matches_the_page_x_of_y_footer() -> None:
    pdf = render_consent(template(), form())
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert 3 <= pages <= 6
    footers = re.findall(r"Page (\d+) of (\d+)", text_of(pdf))
    assert footers == [(str(n), str(pages)) for n in range(1, pages + 1)]


def test_every_font_is_an_embedded_subset_of_the_shipped_font() -> None:
    fonts = fonts_of(render_consent(template(), form()))
    assert fonts
    for font in fonts:
        assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]
        assert "DejaVuSans" in font["/BaseFont"]


def test_metadata_names_the_clinic_and_the_fixed_creation_date_without_phi() -> None:
    pdf = render_consent(template(), form())
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None
    assert str(info["/Title"]) == "Informed consent for intravenous (IV) ketamine infusion"
    assert str(info["/Author"]) == CLINIC.name
    assert str(info["/Subject"]) == "Consent form ketamine-iv 1.0 (en)"
    assert str(info["/Keywords"]) == "CNS-20250314-7KQ2MX"
    assert str(info["/CreationDate"]) == "D:20250314093000"
    assert NAMES[0] not in " ".join(str(v) for v in info.values())


def test_both_signature_images_are_embedded_when_signed() -> None:
    assert image_count(render_consent(template(), form())) == 2


def test_unsigned_form_prints_empty_blocks_for_signing_on_paper() -> None:
    pdf = render_consent(template(), form(signed=False))
    assert image_count(pdf) == 0
    text = text_of(pdf)
    assert "Signature of patient" in text and "Printed name" in text
    assert "Signed electronically" not in text


def test_same_inputs_give_the_same_bytes_and_the_date_changes_them() -> None:
    first = render_consent(template(), form())
    assert (
        hashlib.sha256(first).digest()
        == hashlib.sha256(render_consent(template(), form())).digest()
    )
    later = render_consent(template(), form(created_at=datetime(2025, 3, 14, 9, 31)))
    assert later != first


def test_a_character_no_shipped_font_has_renders_as_a_marker_without_crashing() -> None:
    name = "王小明 🦄 Zoë"
    pdf = render_consent(template(), form(name))
    text = text_of(pdf)
    assert f"{REPLACEMENT * 3} {REPLACEMENT} Zoë" in text
    assert "/FontFile2" in fonts_of(pdf)[0]["/FontDescriptor"]


def test_spanish_consent_has_spanish_sections_and_footer() -> None:
    pdf = render_consent(template("es"), form(NAMES[3], treatment=TreatmentType.PAIN_SERIES))
    text = text_of(pdf)
    for phrase in [
        "Consentimiento informado",
        "no está aprobada por la FDA",
        "Lista III",
        "Efectos secundarios frecuentes",
        "Riesgos a largo plazo",
        "No conduzca",
        "Firma del paciente",
        "Página 1 de",
        "infusiones de la serie para el dolor",
        NAMES[3],
    ]:
        assert phrase in text, phrase


def test_a_very_long_name_wraps_inside_the_page() -> None:
    name = "Maximilian Alexander Konstantin " + "Hohenzollern-Sigmaringen-" * 6 + "Wittelsbach"
    pdf = render_consent(template(), form(name))
    assert chars_outside_page(pdf) == []
    assert "".join(name.split()) in "".join(text_of(pdf).split())


def test_preview_is_unsigned_stamped_and_uses_the_sample_patient() -> None:
    text_in = resource_path("consent", "ketamine-iv-en-1.0.txt").read_text("utf-8")
    pdf = preview_template(text_in, "Дмитрий Иванов")
    text = text_of(pdf)
    assert text.count("PREVIEW") >= len(PdfReader(io.BytesIO(pdf)).pages)
    assert "Дмитрий Иванов" in text
    assert image_count(pdf) == 0


def test_preview_refuses_an_unknown_placeholder_with_its_line() -> None:
    lines = resource_path("consent", "ketamine-iv-es-1.0.txt").read_text("utf-8").splitlines()
    lines[20] = "Texto con {nombre_paciente}."
    with pytest.raises(TemplateError, match=r"^Line 21: Unknown placeholder \{nombre_paciente\}"):
        preview_template("\n".join(lines), "Sofía")


def test_policy_numbers_reach_the_form() -> None:
    policy = ClinicPolicy(
        fasting_food_hours=6,
        clear_fluids_caution_minutes=90,
        reconsent_months=6,
        min_observation_minutes=45,
    )
    text = text_of(render_consent(template(), form(policy=policy)))
    assert "for 6 hours" in text and "until 1.5 hours" in text
    assert "valid for 6 months" in text and "at least 45 minutes" in text


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"treatment": TreatmentType.PAIN_SERIES}, "does not cover"),
        ({"patient_signature": None}, "witness signs after the patient"),
        ({"preview": True}, "never signed"),
    ],
)
def test_forms_that_make_no_sense_are_refused(changes: dict[str, Any], words: str) -> None:
    narrow = parse_template(
        resource_path("consent", "ketamine-iv-en-1.0.txt")
        .read_text("utf-8")
        .replace("mood_series, pain_series, booster, maintenance", "mood_series")
    )
    with pytest.raises(ValidationError, match=words):
        render_consent(narrow, form(**changes))


@pytest.mark.parametrize("data", [b"not a png", signature_png()[:120]])
def test_an_unreadable_signature_image_is_refused(data: bytes) -> None:
    broken = SignatureCapture(data, "Zoë", CREATED)
    with pytest.raises(ValidationError, match="signature image"):
        render_consent(template(), form(patient_signature=broken))


def test_a_consent_renders_in_well_under_a_second() -> None:
    render_consent(template(), form())  # fonts registered, caches warm
    started = time.perf_counter()
    render_consent(template(), form())
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("signed", [True, False])
def test_patient_statement_and_both_signature_blocks_share_one_page(signed: bool) -> None:
    pdf = render_consent(template(), form(signed=signed))
    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    together = [t for t in pages if "I have read this form" in t and "Signature of witness" in t]
    assert len(together) == 1
