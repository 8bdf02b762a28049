"""Consent service on SQLite and PostgreSQL: signing, storage, integrity, validity, roles."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader
from sqlalchemy import func, select

from desk.db.models import AuditEntry, ConsentDocument, ConsentTemplate, Series, Transport, Visit
from desk.domain.consent import ConsentState, TemplateError, TreatmentType
from desk.domain.errors import NotFound, NotPermitted, ValidationError
from desk.domain.roles import Role
from desk.resources import resource_path
from desk.services import consent, handouts
from desk.services.context import Desk
from desk.services.settings import load_policy
from tests.helpers.fixtures import FakeClock, add_person
from tests.helpers.visits import add_patient

MOOD = TreatmentType.MOOD_SERIES
FIRST, LAST = "Zoë Σοφία", "Иванова-Nguyễn"
FULL_NAME = f"{FIRST} {LAST}"


def signature_png(seed: int = 0) -> bytes:
    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    points = [(20 + 90 * i, 150 - ((i + seed) % 3) * 50) for i in range(6)]
    ImageDraw.Draw(image).line(points, fill=(0, 0, 90, 255), width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def text_of(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() or "" for page in pages).split())


def image_count(pdf: bytes) -> int:
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


def audit_count(desk: Desk) -> int:
    with desk.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def sign(desk: Desk, patient_id: int, language: str = "en") -> consent.ConsentDocumentView:
    draft = consent.prepare_consent(desk, patient_id, MOOD, language)
    return consent.sign_on_screen(
        desk, patient_id, MOOD, draft.template.id, signature_png(), signature_png(1)
    )


def stored_pdf(desk: Desk, uid: str) -> bytes:
    with desk.read() as session:
        row = session.scalars(select(ConsentDocument).where(ConsentDocument.document_uid == uid))
        return bytes(row.one().pdf)


def template_file(tmp_path: Path, version: str, *, extra_line: str = "") -> Path:
    text = resource_path("consent", "ketamine-iv-en-1.0.txt").read_text("utf-8")
    text = text.replace("version: 1.0", f"version: {version}", 1)
    if extra_line:
        text = text.replace("## What ketamine is\n", f"## What ketamine is\n{extra_line}\n", 1)
    path = tmp_path / f"ketamine-iv-en-{version}.txt"
    path.write_text(text, "utf-8")
    return path


# --- signing and storage ----------------------------------------------------------------


def test_signed_consent_is_stored_with_the_exact_name_embedded_fonts_and_signatures(
    admin_desk: Desk,
) -> None:
    patient = add_patient(admin_desk, FIRST, LAST)
    doc = sign(admin_desk, patient)
    pdf = stored_pdf(admin_desk, doc.document_uid)
    assert FULL_NAME in text_of(pdf)
    assert doc.document_uid in text_of(pdf)
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            assert "/FontFile2" in font.get_object()["/FontDescriptor"]
    assert image_count(pdf) == 2
    assert doc.method == "screen" and doc.witness == "admin" and doc.witness_name == "Ada Admin"
    assert doc.sha256 == hashlib.sha256(pdf).hexdigest()
    assert doc.document_uid.startswith("CNS-20261125-")


def test_the_pdf_creation_date_is_the_witness_signing_time(
    admin_desk: Desk, clock: FakeClock
) -> None:
    doc = sign(admin_desk, add_patient(admin_desk))
    meta = PdfReader(io.BytesIO(stored_pdf(admin_desk, doc.document_uid))).metadata
    assert meta is not None and meta.creation_date is not None
    assert meta.creation_date.astimezone(UTC) == clock.now
    assert doc.witnessed_at == clock.now


def test_verify_recognises_the_stored_bytes_and_not_a_one_byte_change(
    admin_desk: Desk, tmp_path: Path
) -> None:
    doc = sign(admin_desk, add_patient(admin_desk))
    pdf = stored_pdf(admin_desk, doc.document_uid)
    good = tmp_path / "copy.pdf"
    good.write_bytes(pdf)
    description = consent.verify_file(admin_desk, good)
    assert description is not None
    assert description.startswith(f"signed consent {doc.document_uid} for patient MRN T")
    assert "signed 11/25/2026, template ketamine-iv 1.0" in description
    middle = len(pdf) // 2
    changed = pdf[:middle] + bytes([pdf[middle] ^ 0x01]) + pdf[middle + 1 :]
    bad = tmp_path / "changed.pdf"
    bad.write_bytes(changed)
    assert consent.verify_file(admin_desk, bad) is None


def test_verify_refuses_missing_non_pdf_and_huge_files_with_a_sentence(
    admin_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValidationError, match="There is no file"):
        consent.verify_file(admin_desk, tmp_path / "absent.pdf")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValidationError, match="is not a PDF file"):
        consent.verify_file(admin_desk, text)
    monkeypatch.setattr(consent, "MAX_VERIFY_BYTES", 10)
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.4" + b"x" * 100)
    with pytest.raises(ValidationError, match="larger than any stored consent"):
        consent.verify_file(admin_desk, big)


def test_reprint_is_a_stamped_copy_and_leaves_the_stored_bytes_alone(admin_desk: Desk) -> None:
    doc = sign(admin_desk, add_patient(admin_desk))
    before = stored_pdf(admin_desk, doc.document_uid)
    copy = consent.reprint(admin_desk, doc.document_uid)
    assert copy != before
    assert "COPY" in text_of(copy)
    assert stored_pdf(admin_desk, doc.document_uid) == before
    assert hashlib.sha256(before).hexdigest() == doc.sha256
    assert consent.verify_bytes(admin_desk, copy) is None


def test_signing_on_a_version_replaced_meanwhile_is_refused(
    admin_desk: Desk, tmp_path: Path
) -> None:
    patient = add_patient(admin_desk)
    draft = consent.prepare_consent(admin_desk, patient, MOOD, "en")
    consent.import_template(admin_desk, template_file(tmp_path, "1.1"))
    with pytest.raises(ValidationError, match=r"updated to version 1\.1"):
        consent.sign_on_screen(
            admin_desk, patient, MOOD, draft.template.id, signature_png(), signature_png(1)
        )
    assert consent.documents_for_patient(admin_desk, patient) == []


def test_a_signature_that_is_not_a_png_is_refused(admin_desk: Desk) -> None:
    patient = add_patient(admin_desk)
    draft = consent.prepare_consent(admin_desk, patient, MOOD, "en")
    with pytest.raises(ValidationError, match="patient has not signed"):
        consent.sign_on_screen(admin_desk, patient, MOOD, draft.template.id, b"", signature_png())
    with pytest.raises(ValidationError, match="not a PNG"):
        consent.sign_on_screen(
            admin_desk, patient, MOOD, draft.template.id, signature_png(), b"GIF89a"
        )


def test_spanish_form_is_signed_on_the_spanish_template(admin_desk: Desk) -> None:
    doc = sign(admin_desk, add_patient(admin_desk, FIRST, LAST), "es")
    assert doc.template_label == "ketamine-iv 1.0 (es)"
    assert "Consentimiento informado" in text_of(stored_pdf(admin_desk, doc.document_uid))


def test_paper_signature_stores_the_printed_form_and_the_witness(
    reception_desk: Desk, clock: FakeClock
) -> None:
    patient = add_patient(reception_desk)
    template_id = consent.prepare_consent(reception_desk, patient, MOOD, "en").template.id
    printed = consent.print_paper_form(reception_desk, patient, MOOD, template_id)
    assert printed.document_uid in text_of(printed.pdf)
    clock.advance(minutes=10)
    with pytest.raises(ValidationError, match="in the future"):
        consent.record_paper_signature(reception_desk, printed, clock.now + timedelta(hours=1))
    doc = consent.record_paper_signature(reception_desk, printed, clock.now - timedelta(minutes=5))
    assert doc.method == "paper" and doc.witness == "rita"
    assert doc.witnessed_at == doc.signed_at == clock.now - timedelta(minutes=5)
    assert stored_pdf(reception_desk, doc.document_uid) == printed.pdf
    assert consent.consent_status_for(reception_desk, patient, MOOD).allows_infusion
    assert "(signed on paper)" in (consent.verify_bytes(reception_desk, printed.pdf) or "")


# --- validity ---------------------------------------------------------------------------


def test_consent_is_valid_the_day_before_expiry_and_expired_on_the_day(
    admin_desk: Desk, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    patient = add_patient(admin_desk)
    sign(admin_desk, patient)
    clock.now = datetime(2027, 11, 24, 12, 0, tzinfo=UTC)
    status = consent.consent_status_for(admin_desk, patient, MOOD)
    assert status.state is ConsentState.VALID and status.valid_until == date(2027, 11, 24)
    clock.now = datetime(2027, 11, 25, 12, 0, tzinfo=UTC)
    assert consent.consent_status_for(admin_desk, patient, MOOD).state is ConsentState.EXPIRED


def test_a_minor_version_keeps_consent_and_a_major_version_needs_it_again(
    admin_desk: Desk, tmp_path: Path
) -> None:
    patient = add_patient(admin_desk)
    sign(admin_desk, patient)
    consent.import_template(admin_desk, template_file(tmp_path, "1.1"))
    assert consent.consent_status_for(admin_desk, patient, MOOD).state is ConsentState.VALID
    consent.import_template(admin_desk, template_file(tmp_path, "2.0"))
    status = consent.consent_status_for(admin_desk, patient, MOOD)
    assert status.state is ConsentState.NEEDS_RECONSENT and not status.allows_infusion
    # A new major version in English does not touch consents signed in Spanish.
    other = add_patient(admin_desk)
    sign(admin_desk, other, "es")
    assert consent.consent_status_for(admin_desk, other, MOOD).state is ConsentState.VALID
    # Signing again on the new version makes the patient valid again.
    assert sign(admin_desk, patient).template_label == "ketamine-iv 2.0 (en)"
    assert consent.consent_status_for(admin_desk, patient, MOOD).state is ConsentState.VALID


def test_consent_for_one_treatment_does_not_cover_another(admin_desk: Desk) -> None:
    patient = add_patient(admin_desk)
    sign(admin_desk, patient)
    status = consent.consent_status_for(admin_desk, patient, TreatmentType.PAIN_SERIES)
    assert status.state is ConsentState.MISSING


def test_withdrawal_blocks_infusion_and_is_recorded_once(
    nurse_desk: Desk, clock: FakeClock
) -> None:
    patient = add_patient(nurse_desk)
    doc = sign(nurse_desk, patient)
    with pytest.raises(ValidationError, match="why"):
        consent.withdraw(nurse_desk, doc.document_uid, "   ")
    clock.advance(hours=1)
    withdrawn = consent.withdraw(nurse_desk, doc.document_uid, "Changed her mind")
    assert withdrawn.withdrawn_at == clock.now and withdrawn.withdrawn_by == "nina"
    assert withdrawn.withdrawn_reason == "Changed her mind"
    status = consent.consent_status_for(nurse_desk, patient, MOOD)
    assert status.state is ConsentState.WITHDRAWN and not status.allows_infusion
    with pytest.raises(ValidationError, match="already withdrawn"):
        consent.withdraw(nurse_desk, doc.document_uid, "again")
    assert "WITHDRAWN" in (
        consent.verify_bytes(nurse_desk, stored_pdf(nurse_desk, doc.document_uid)) or ""
    )


def test_batch_states_answer_many_patients_at_once(admin_desk: Desk) -> None:
    signed, unsigned = add_patient(admin_desk), add_patient(admin_desk)
    sign(admin_desk, signed)
    with admin_desk.read() as session:
        states = consent.consent_states(
            session,
            [(signed, MOOD), (unsigned, MOOD), (signed, TreatmentType.BOOSTER)],
            date(2026, 11, 26),
            load_policy(session),
        )
    assert states[(signed, MOOD)].state is ConsentState.VALID
    assert states[(unsigned, MOOD)].state is ConsentState.MISSING
    assert states[(signed, TreatmentType.BOOSTER)].state is ConsentState.MISSING


# --- templates --------------------------------------------------------------------------


def test_shipped_templates_are_imported_once(admin_desk: Desk) -> None:
    assert consent.ensure_shipped_templates(admin_desk) == 2
    assert consent.ensure_shipped_templates(admin_desk) == 0
    labels = [t.label for t in consent.list_templates(admin_desk)]
    assert labels == ["ketamine-iv 1.0 (en)", "ketamine-iv 1.0 (es)"]


def test_an_unknown_placeholder_is_refused_with_its_line_and_nothing_is_stored(
    admin_desk: Desk, tmp_path: Path
) -> None:
    consent.ensure_shipped_templates(admin_desk)
    before = audit_count(admin_desk)
    path = template_file(tmp_path, "1.1", extra_line="Ask {doctor_name} anything.")
    with pytest.raises(TemplateError, match=r"Line 17: Unknown placeholder \{doctor_name\}") as err:
        consent.import_template(admin_desk, path)
    assert err.value.line == 17
    with admin_desk.read() as session:
        assert session.scalar(select(func.count()).select_from(ConsentTemplate)) == 2
    assert audit_count(admin_desk) == before


def test_old_versions_stay_readable_and_a_version_cannot_be_imported_twice(
    admin_desk: Desk, tmp_path: Path
) -> None:
    consent.import_template(admin_desk, template_file(tmp_path, "2.0"))
    versions = {t.version: t for t in consent.list_templates(admin_desk) if t.language == "en"}
    assert versions["2.0"].is_current and not versions["1.0"].is_current
    assert "version: 1.0" in consent.template_text(admin_desk, versions["1.0"].id)
    assert "PREVIEW" in text_of(consent.preview_stored_template(admin_desk, versions["1.0"].id))
    with pytest.raises(ValidationError, match="already imported"):
        consent.import_template(admin_desk, template_file(tmp_path, "2.0"))


def test_import_refuses_a_missing_or_binary_file(admin_desk: Desk, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="There is no file"):
        consent.import_template(admin_desk, tmp_path / "nothing.txt")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ValidationError, match="not UTF-8 text"):
        consent.import_template(admin_desk, binary)


# --- roles and audit --------------------------------------------------------------------


def test_only_an_admin_imports_templates(nurse_desk: Desk, tmp_path: Path) -> None:
    with pytest.raises(NotPermitted):
        consent.import_template(nurse_desk, template_file(tmp_path, "1.1"))


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.NURSE, Role.ADMIN])
def test_every_role_may_witness(admin_desk: Desk, role: Role) -> None:
    person = admin_desk.as_actor(add_person(admin_desk, f"w{role.value[:5]}", role))
    doc = sign(person, add_patient(admin_desk))
    assert doc.witness == f"w{role.value[:5]}"


def test_nobody_signed_in_can_do_nothing(admin_desk: Desk) -> None:
    patient = add_patient(admin_desk)
    nobody = admin_desk.as_actor(None)
    with pytest.raises(NotPermitted):
        consent.prepare_consent(nobody, patient, MOOD, "en")
    with pytest.raises(NotPermitted):
        consent.consent_status_for(nobody, patient, MOOD)
    with pytest.raises(NotPermitted):
        consent.documents_for_patient(nobody, patient)


def test_each_change_writes_exactly_one_audit_entry_without_phi(
    admin_desk: Desk, tmp_path: Path
) -> None:
    patient = add_patient(admin_desk, FIRST, LAST)
    consent.ensure_shipped_templates(admin_desk)
    start = audit_count(admin_desk)
    doc = sign(admin_desk, patient)
    assert audit_count(admin_desk) == start + 1
    consent.withdraw(admin_desk, doc.document_uid, f"{FIRST} said no")
    assert audit_count(admin_desk) == start + 2
    consent.import_template(admin_desk, template_file(tmp_path, "1.1"))
    assert audit_count(admin_desk) == start + 3
    consent.reprint(admin_desk, doc.document_uid)
    assert audit_count(admin_desk) == start + 4
    with admin_desk.read() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.seq > start)).all()
        actions = [e.action for e in entries]
        summaries = " ".join(e.summary for e in entries)
    assert actions == [
        "consent.sign",
        "consent.withdraw",
        "consent_template.import",
        "consent.reprint",
    ]
    assert "Zoë" not in summaries and "said no" not in summaries
    assert doc.document_uid in summaries


def test_an_unknown_document_is_not_found(admin_desk: Desk) -> None:
    with pytest.raises(NotFound):
        consent.reprint(admin_desk, "CNS-20261125-XXXXXX")


# --- handouts ---------------------------------------------------------------------------


def _visit(desk: Desk, patient: int, start: datetime, **extra: Any) -> int:
    with desk.write() as uow:
        visit = Visit(
            patient_id=patient,
            visit_type="mood_infusion",
            scheduled_start=start,
            scheduled_end=start + timedelta(hours=2),
            status="scheduled",
            created_at=desk.now(),
            **extra,
        )
        uow.session.add(visit)
        uow.session.flush()
        uow.commit()
        return visit.id


def test_prep_sheet_has_the_patients_own_times_and_driver(admin_desk: Desk) -> None:
    patient = add_patient(admin_desk, FIRST, LAST)
    start = datetime(2026, 11, 27, 10, 0).astimezone()
    with admin_desk.write() as uow:
        series = Series(
            patient_id=patient,
            kind="mood",
            start_date=start.date(),
            planned_count=6,
            created_at=admin_desk.now(),
        )
        uow.session.add(series)
        uow.session.flush()
        uow.commit()
        series_id = series.id
    visit = _visit(admin_desk, patient, start, series_id=series_id, series_index=2)
    _visit(admin_desk, patient, start - timedelta(days=30))  # in the past: not listed
    with admin_desk.write() as uow:
        uow.session.add(Transport(visit_id=visit, adult_name="Olek Brzęczyszczykiewicz"))
        uow.commit()
    text = text_of(handouts.prep_instructions_pdf(admin_desk, patient, "en"))
    assert FULL_NAME in text
    assert "Stop eating by 06:00" in text and "Clear fluids until 08:00" in text
    assert "Bring your driver: Olek Brzęczyszczykiewicz" in text
    assert "infusion 2 of 6" in text
    spanish = text_of(handouts.prep_instructions_pdf(admin_desk, patient, "es"))
    assert "Deje de comer a las 06:00" in spanish


def test_discharge_sheet_names_the_clinic_phone_and_the_next_appointment(
    admin_desk: Desk,
) -> None:
    patient = add_patient(admin_desk)
    today = _visit(admin_desk, patient, datetime(2026, 11, 25, 9, 0).astimezone())
    _visit(admin_desk, patient, datetime(2026, 11, 27, 13, 30).astimezone())
    text = text_of(handouts.discharge_instructions_pdf(admin_desk, today))
    assert "Do not drive" in text and "13:30" in text
    with pytest.raises(NotFound):
        handouts.discharge_instructions_pdf(admin_desk, 999_999)


def test_a_paper_form_signed_before_a_new_version_arrived_is_still_recorded(
    admin_desk: Desk, clock: FakeClock, tmp_path: Path
) -> None:
    patient = add_patient(admin_desk)
    template_id = consent.prepare_consent(admin_desk, patient, MOOD, "en").template.id
    printed = consent.print_paper_form(admin_desk, patient, MOOD, template_id)
    consent.import_template(admin_desk, template_file(tmp_path, "2.0"))
    clock.advance(minutes=5)
    doc = consent.record_paper_signature(admin_desk, printed, clock.now)
    assert doc.template_label == "ketamine-iv 1.0 (en)"
    status = consent.consent_status_for(admin_desk, patient, MOOD)
    assert status.state is ConsentState.NEEDS_RECONSENT
