"""`desk consent preview` and `desk consent verify` through a real subprocess."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader
from sqlalchemy import select

from desk.db.models import ConsentDocument, Staff
from desk.domain.consent import TreatmentType
from desk.domain.roles import Role
from desk.resources import resource_path
from desk.services import consent
from desk.services.context import Actor, Desk
from desk.services.database import open_database
from tests.cli.test_cli import assert_one_line_error, desk
from tests.helpers.visits import add_patient

TEMPLATE = resource_path("consent", "ketamine-iv-en-1.0.txt")


def text_of(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() or "" for page in pages).split())


def signature_png() -> bytes:
    image = Image.new("RGBA", (400, 150), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 120), (150, 20), (260, 110), (390, 30)], fill="navy", width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_preview_writes_a_pdf_stamped_preview_with_the_name(tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    result = desk(
        "consent", "preview", str(TEMPLATE), "--out", str(out), "--patient-name", "Zoë Ñandú"
    )
    assert result.returncode == 0, result.stderr
    pages = len(PdfReader(out).pages)
    assert f"({pages} pages)" in result.stdout
    text = text_of(out.read_bytes())
    assert "PREVIEW" in text and "Zoë Ñandú" in text
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]  # no temporary file left


def test_preview_of_a_bad_template_names_the_line_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    lines = TEMPLATE.read_text("utf-8").splitlines()
    lines[14] = "Ask {doctor_name} anything."
    bad.write_text("\n".join(lines), "utf-8")
    out = tmp_path / "out.pdf"
    result = desk("consent", "preview", str(bad), "--out", str(out))
    assert_one_line_error(result, "bad.txt: Line 15: Unknown placeholder {doctor_name}")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.txt"]


def test_preview_of_a_missing_template_is_one_line(tmp_path: Path) -> None:
    result = desk(
        "consent", "preview", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "o.pdf")
    )
    assert_one_line_error(result, "There is no file")


@pytest.fixture
def clinic(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    result = desk(
        "init",
        "--db",
        url,
        "--clinic-name",
        "Harbour Clinic",
        "--admin",
        "boss",
        "--password-stdin",
        stdin="admin-password-1\n",
    )
    assert result.returncode == 0, result.stderr
    return url


def _signed_document(url: str) -> tuple[bytes, str]:
    engine = open_database(url)
    try:
        with engine.connect() as conn:
            boss = conn.execute(select(Staff.id).where(Staff.username == "boss")).scalar_one()
        actor = Actor(boss, "boss", "Bo Boss", frozenset({Role.ADMIN}))
        service = Desk(engine, workstation="test", actor=actor)
        patient = add_patient(service, "Zoë", "Ñandú")
        treatment = TreatmentType.MOOD_SERIES
        draft = consent.prepare_consent(service, patient, treatment, "en")
        doc = consent.sign_on_screen(
            service, patient, treatment, draft.template.id, signature_png(), signature_png()
        )
        with engine.connect() as conn:
            pdf = conn.execute(
                select(ConsentDocument.pdf).where(ConsentDocument.id == doc.id)
            ).scalar_one()
        return bytes(pdf), doc.document_uid
    finally:
        engine.dispose()


def test_verify_accepts_the_stored_file_and_rejects_a_changed_one(
    clinic: str, tmp_path: Path
) -> None:
    pdf, uid = _signed_document(clinic)
    good = tmp_path / "signed.pdf"
    good.write_bytes(pdf)
    result = desk("consent", "verify", str(good), "--db", clinic)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"signed consent {uid} for patient MRN ")
    assert "template ketamine-iv 1.0" in result.stdout
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(pdf[:-10] + b"%%EOF \n\n\n\n")
    assert_one_line_error(
        desk("consent", "verify", str(changed), "--db", clinic), "is NOT a stored signed consent"
    )


def test_verify_of_a_non_pdf_or_missing_file_is_one_clear_line(clinic: str, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a pdf")
    assert_one_line_error(desk("consent", "verify", str(notes), "--db", clinic), "is not a PDF")
    missing = tmp_path / "gone.pdf"
    assert_one_line_error(
        desk("consent", "verify", str(missing), "--db", clinic), "There is no file"
    )
