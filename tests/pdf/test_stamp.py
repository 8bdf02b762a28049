"""COPY reprints: every page stamped, content and signatures kept, the original untouched."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime

import pytest
from PIL import Image
from pypdf import PdfReader

from desk.domain.consent import TreatmentType, parse_template
from desk.domain.errors import ValidationError
from desk.pdf import (
    COPY_STAMP,
    ClinicInfo,
    ConsentForm,
    PatientIdentity,
    SignatureCapture,
    render_consent,
    stamp_copy,
)
from desk.resources import resource_path


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 40), "navy").save(out, "PNG")
    return out.getvalue()


NAME = "Zoë O'Brien-Łukasiewicz"


@pytest.fixture(scope="module")
def original() -> bytes:
    template = parse_template(resource_path("consent", "ketamine-iv-en-1.0.txt").read_text("utf-8"))
    signed_at = datetime(2025, 3, 14, 9, 41)
    return render_consent(
        template,
        ConsentForm(
            ClinicInfo("Riverside Ketamine Clinic", "(555) 123-4567"),
            PatientIdentity(NAME, date(1985, 2, 28), "MRN-1"),
            TreatmentType.MOOD_SERIES,
            "CNS-20250314-7KQ2MX",
            created_at=datetime(2025, 3, 14, 9, 30),
            patient_signature=SignatureCapture(png(), NAME, signed_at),
            witness_signature=SignatureCapture(png(), "Maria Gómez, RN", signed_at),
        ),
    )


def pages_text(pdf: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def test_every_page_of_the_reprint_says_copy(original: bytes) -> None:
    copy = stamp_copy(original, note="Reprint of the stored original, 03/18/2025 10:02")
    texts = pages_text(copy)
    assert len(texts) == len(pages_text(original))
    assert all(COPY_STAMP in text for text in texts)
    assert all("Reprint of the stored original" in text for text in texts)


def test_the_reprint_keeps_the_content_metadata_and_signatures(original: bytes) -> None:
    copy = stamp_copy(original)
    assert NAME in " ".join(pages_text(copy))
    reader = PdfReader(io.BytesIO(copy))
    assert reader.metadata is not None
    assert str(reader.metadata["/Keywords"]) == "CNS-20250314-7KQ2MX"
    assert b"/Subtype /Image" in copy


def test_the_stored_bytes_are_not_regenerated_or_changed(original: bytes) -> None:
    digest = hashlib.sha256(original).hexdigest()
    copy = stamp_copy(original)
    assert copy != original
    assert hashlib.sha256(original).hexdigest() == digest
    assert COPY_STAMP not in " ".join(pages_text(original))


def test_a_damaged_file_is_refused_with_a_sentence() -> None:
    with pytest.raises(ValidationError, match="not a readable PDF"):
        stamp_copy(b"%PDF-1.4 this is not really a pdf")
