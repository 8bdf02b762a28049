"""Consent forms: templates, signing on screen or on paper, withdrawal, validity, reprints.

A signed consent is rendered once, at the moment the witness signs; those exact bytes and
their SHA-256 are stored and never regenerated. Reprints stamp "COPY" on a new rendition of
the stored bytes; ``verify_file`` compares a file byte for byte with the stored originals.

Templates are grouped into families of versions: the database's ``template_key`` is the
template's own id and its language (``ketamine-iv:es``), because an English and a Spanish
form share an id and a version number but are separate documents with their own history.
A consent stays valid until the re-consent interval ends or its family gets a new MAJOR
version that covers the same treatment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk.db.models import ConsentDocument, ConsentTemplate, Patient, Staff
from desk.domain.booking import VisitType
from desk.domain.consent import (
    MAX_TEMPLATE_CHARS,
    ConsentState,
    ConsentStatus,
    TreatmentType,
    consent_status,
    parse_template,
)
from desk.domain.consent import ConsentTemplate as ParsedTemplate
from desk.domain.errors import NotFound, ValidationError
from desk.domain.locale import format_date, format_datetime
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.pdf import (
    ClinicInfo,
    ConsentForm,
    DocumentKind,
    PatientIdentity,
    SignatureCapture,
    new_document_id,
    render_consent,
    stamp_copy,
)
from desk.resources import resource_path
from desk.services.context import Desk, UnitOfWork
from desk.services.settings import load_policy

WITNESS_ROLES = (Role.RECEPTIONIST, Role.NURSE, Role.ADMIN)
SCREEN, PAPER = "screen", "paper"
MAX_SIGNATURE_BYTES = 2_000_000
MAX_REASON_CHARS = 1000
# A template file is text of at most MAX_TEMPLATE_CHARS characters, up to 4 bytes each.
MAX_TEMPLATE_BYTES = MAX_TEMPLATE_CHARS * 4
MAX_VERIFY_BYTES = 50 * 1024 * 1024
# The patient signs a few minutes before the witness; an older time is a clock problem.
MAX_SIGNING_GAP = timedelta(hours=12)
# A paper form is signed after it is printed; a witness time far in the past is a typo.
MAX_PAPER_DELAY = timedelta(days=2)

_VISIT_TREATMENTS = {
    VisitType.MOOD_INFUSION.value: TreatmentType.MOOD_SERIES,
    VisitType.PAIN_INFUSION.value: TreatmentType.PAIN_SERIES,
    VisitType.BOOSTER.value: TreatmentType.BOOSTER,
    VisitType.MAINTENANCE.value: TreatmentType.MAINTENANCE,
}


def treatment_for_visit_type(visit_type: str) -> TreatmentType | None:
    """The treatment a visit of this type needs consent for; None for a consultation."""
    return _VISIT_TREATMENTS.get(visit_type)


# --- views ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateView:
    id: int
    template_id: str
    version: str
    major: int
    minor: int
    language: str
    title: str
    treatments: tuple[TreatmentType, ...]
    sha256: str
    imported_at: datetime
    imported_by: str
    # The newest version of its family (what new consents are signed on).
    is_current: bool

    @property
    def label(self) -> str:
        return f"{self.template_id} {self.version} ({self.language})"


@dataclass(frozen=True)
class ConsentDraft:
    """The form a patient reads before signing: unsigned, not stored."""

    patient_id: int
    patient_name: str
    treatment: TreatmentType
    template: TemplateView
    pdf: bytes


@dataclass(frozen=True)
class PrintedForm:
    """A form printed for a signature on paper; recorded later with the same bytes."""

    patient_id: int
    treatment: TreatmentType
    template_id: int
    document_uid: str
    printed_at: datetime
    pdf: bytes
    sha256: str


@dataclass(frozen=True)
class ConsentDocumentView:
    id: int
    document_uid: str
    patient_id: int
    treatment: TreatmentType
    template_label: str
    method: str
    signed_at: datetime
    witness: str
    witness_name: str
    witnessed_at: datetime
    sha256: str
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdrawn_reason: str

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


# --- templates --------------------------------------------------------------------------


def family_key(template: ParsedTemplate) -> str:
    return f"{template.template_id}:{template.language}"


def _template_view(row: ConsentTemplate, current_ids: set[int]) -> TemplateView:
    parsed = parse_template(row.text)
    return TemplateView(
        id=row.id,
        template_id=parsed.template_id,
        version=row.version,
        major=row.major,
        minor=row.minor,
        language=row.language,
        title=parsed.title,
        treatments=parsed.treatments,
        sha256=row.sha256,
        imported_at=row.imported_at,
        imported_by=row.imported_by,
        is_current=row.id in current_ids,
    )


def _current_ids(rows: Iterable[ConsentTemplate]) -> set[int]:
    newest: dict[str, ConsentTemplate] = {}
    for row in rows:
        best = newest.get(row.template_key)
        if best is None or (row.major, row.minor) > (best.major, best.minor):
            newest[row.template_key] = row
    return {row.id for row in newest.values()}


def _treatments(row: ConsentTemplate) -> set[str]:
    return {name.strip() for name in row.treatments.split(",") if name.strip()}


def _all_templates(session: Session) -> list[ConsentTemplate]:
    return list(session.scalars(select(ConsentTemplate).order_by(ConsentTemplate.id)))


def list_templates(desk: Desk) -> list[TemplateView]:
    """Every imported version, newest first within each family; any signed-in staff."""
    desk.require()
    ensure_shipped_templates(desk)
    with desk.read() as session:
        rows = _all_templates(session)
        current = _current_ids(rows)
        rows.sort(key=lambda r: (r.template_key, -r.major, -r.minor))
        return [_template_view(r, current) for r in rows]


def template_languages(desk: Desk, treatment: TreatmentType) -> list[str]:
    """Languages that have a current template covering ``treatment``."""
    return sorted(
        {t.language for t in list_templates(desk) if t.is_current and treatment in t.treatments}
    )


def _add_template(
    uow: UnitOfWork, parsed: ParsedTemplate, text: str, by: str, *, audit: bool = True
) -> ConsentTemplate:
    row = ConsentTemplate(
        template_key=family_key(parsed),
        version=str(parsed.version),
        major=parsed.version.major,
        minor=parsed.version.minor,
        language=parsed.language,
        treatments=",".join(t.value for t in parsed.treatments),
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        imported_at=uow.desk.now(),
        imported_by=by,
    )
    uow.session.add(row)
    uow.session.flush()
    if audit:
        uow.audit(
            "consent_template.import",
            "consent_template",
            row.id,
            {"template": parsed.label, "sha256": row.sha256},
        )
    return row


def _existing(session: Session, parsed: ParsedTemplate) -> ConsentTemplate | None:
    return session.scalars(
        select(ConsentTemplate).where(
            ConsentTemplate.template_key == family_key(parsed),
            ConsentTemplate.version == str(parsed.version),
        )
    ).first()


def ensure_shipped_templates(desk: Desk) -> int:
    """Import the templates shipped in ``resources/consent`` that are not stored yet.

    Idempotent and cheap when nothing is missing; returns how many were imported. A
    stored version is never replaced, even if the shipped file of that version differs.
    """
    with desk.read() as session:
        missing = _missing_shipped(session)
    if not missing:
        return 0
    try:
        with desk.write() as uow:
            import_shipped_templates(uow)
            uow.commit()
    except IntegrityError:
        return 0  # another workstation imported them at the same moment
    return len(missing)


def _missing_shipped(session: Session) -> list[tuple[ParsedTemplate, str]]:
    shipped = [
        (parse_template(text), text)
        for text in (p.read_text("utf-8") for p in sorted(resource_path("consent").glob("*.txt")))
    ]
    have = {(r.template_key, r.version) for r in _all_templates(session)}
    return [(p, t) for p, t in shipped if (family_key(p), str(p.version)) not in have]


def import_shipped_templates(uow: UnitOfWork, *, audit: bool = True) -> int:
    """``ensure_shipped_templates`` inside an open unit of work; the caller commits.

    ``audit=False`` is for a caller whose own single audit entry covers the import (the
    demo load counts the templates it imported).
    """
    missing = _missing_shipped(uow.session)
    for parsed, text in missing:
        _add_template(uow, parsed, text, "system", audit=audit)
    return len(missing)


def read_template_file(path: Path) -> str:
    """The text of a template file; ValidationError for a missing, huge or non-text file."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_TEMPLATE_BYTES + 1)
    except FileNotFoundError:
        raise ValidationError(f"There is no file {path}.", "template") from None
    except IsADirectoryError:
        raise ValidationError(f"{path} is a folder, not a template file.", "template") from None
    except OSError:
        raise ValidationError(f"The file {path} cannot be read.", "template") from None
    if len(data) > MAX_TEMPLATE_BYTES:
        raise ValidationError(f"{path.name} is too large to be a consent template.", "template")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError(f"{path.name} is not UTF-8 text.", "template") from None


def import_template(desk: Desk, path: Path) -> TemplateView:
    """Admin: import a new template version from a file; errors name the line."""
    actor = desk.require(Role.ADMIN)
    text = read_template_file(path)
    parsed = parse_template(text)
    with desk.write() as uow:
        existing = _existing(uow.session, parsed)
        if existing is not None:
            raise ValidationError(
                f"Version {parsed.version} of {parsed.template_id} ({parsed.language}) is "
                "already imported; give the new text a higher version.",
                "version",
            )
        row = _add_template(uow, parsed, text, actor.username)
        uow.commit()
        row_id = row.id
    return next(t for t in list_templates(desk) if t.id == row_id)


def template_text(desk: Desk, template_id: int) -> str:
    desk.require()
    with desk.read() as session:
        row = session.get(ConsentTemplate, template_id)
        if row is None:
            raise NotFound("That consent template no longer exists.")
        return row.text


def preview_stored_template(desk: Desk, template_id: int) -> bytes:
    """A stored version rendered for a sample patient with this clinic's details."""
    from desk.pdf import preview_template

    text = template_text(desk, template_id)
    with desk.read() as session:
        clinic, policy = pdf_clinic(session), load_policy(session)
    return preview_template(text, clinic=clinic, policy=policy, created_at=_local(desk.now()))


def _current_template(session: Session, treatment: TreatmentType, language: str) -> ConsentTemplate:
    rows = [
        r
        for r in _all_templates(session)
        if r.language == language and treatment.value in _treatments(r)
    ]
    if not rows:
        raise ValidationError(
            f"No consent template in language '{language}' covers {treatment.value}.",
            "language",
        )
    return max(rows, key=lambda r: (r.major, r.minor, r.imported_at, r.id))


# --- shared pieces ----------------------------------------------------------------------


def _local(moment: datetime) -> datetime:
    return moment.astimezone()


def pdf_clinic(session: Session) -> ClinicInfo:
    from desk.db.models import ClinicSettings

    row = session.get(ClinicSettings, 1)
    if row is None:
        raise NotFound("The clinic has not been set up yet.")
    return ClinicInfo(row.name, row.phone, row.address, row.costs_text)


def patient_row(session: Session, patient_id: int) -> Patient:
    row = session.get(Patient, patient_id)
    if row is None:
        raise NotFound("That patient no longer exists.")
    return row


def legal_name(row: Patient) -> str:
    return f"{row.legal_first_name} {row.legal_last_name}"


def _identity(row: Patient) -> PatientIdentity:
    return PatientIdentity(legal_name(row), row.dob, row.mrn)


@dataclass(frozen=True)
class _Inputs:
    """What a rendering needs, read in one session before any write starts."""

    patient_id: int
    patient: PatientIdentity
    template_id: int
    parsed: ParsedTemplate
    clinic: ClinicInfo
    policy: ClinicPolicy


def _inputs(desk: Desk, patient_id: int, template_id: int, treatment: TreatmentType) -> _Inputs:
    with desk.read() as session:
        return _inputs_in(session, patient_id, template_id, treatment)


def _inputs_in(
    session: Session, patient_id: int, template_id: int, treatment: TreatmentType
) -> _Inputs:
    patient = patient_row(session, patient_id)
    row = session.get(ConsentTemplate, template_id)
    if row is None:
        raise NotFound("That consent template no longer exists.")
    parsed = parse_template(row.text)
    if not parsed.covers(treatment):
        raise ValidationError(f"Form {parsed.label} does not cover {treatment.value}.", "treatment")
    return _Inputs(
        patient.id,
        _identity(patient),
        row.id,
        parsed,
        pdf_clinic(session),
        load_policy(session),
    )


def _check_still_current(session: Session, row: ConsentTemplate, treatment: TreatmentType) -> None:
    current = _current_template(session, treatment, row.language)
    if current.template_key == row.template_key and (current.major, current.minor) > (
        row.major,
        row.minor,
    ):
        raise ValidationError(
            f"The consent form was updated to version {current.version} meanwhile. "
            "Reopen the form, let the patient read the new version and sign again.",
            "template",
        )


def _new_uid(session: Session, kind: DocumentKind, on: date) -> str:
    for _ in range(20):
        uid = new_document_id(kind, on)
        if (
            session.scalar(select(ConsentDocument.id).where(ConsentDocument.document_uid == uid))
            is None
        ):
            return uid
    raise ValidationError("No free document number could be found. Try again.", "document")


# --- preparing and signing --------------------------------------------------------------


def prepare_consent(
    desk: Desk, patient_id: int, treatment: TreatmentType, language: str
) -> ConsentDraft:
    """The current form for this treatment and language, filled in for the patient."""
    desk.require(*WITNESS_ROLES)
    ensure_shipped_templates(desk)
    with desk.read() as session:
        row = _current_template(session, treatment, language)
        current = _current_ids(_all_templates(session))
        view = _template_view(row, current)
    inputs = _inputs(desk, patient_id, view.id, treatment)
    form = ConsentForm(
        clinic=inputs.clinic,
        patient=inputs.patient,
        treatment=treatment,
        document_id="DRAFT",
        policy=inputs.policy,
        created_at=_local(desk.now()),
    )
    pdf = render_consent(inputs.parsed, form)
    return ConsentDraft(patient_id, inputs.patient.legal_name, treatment, view, pdf)


def _check_png(png: bytes, who: str) -> None:
    if not png:
        raise ValidationError(f"The {who} has not signed yet.", "signature")
    if len(png) > MAX_SIGNATURE_BYTES:
        raise ValidationError(f"The {who}'s signature image is too large.", "signature")
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValidationError(f"The {who}'s signature is not a PNG image.", "signature")


def sign_on_screen(
    desk: Desk,
    patient_id: int,
    treatment: TreatmentType,
    template_id: int,
    patient_signature_png: bytes,
    witness_signature_png: bytes,
    patient_signed_at: datetime | None = None,
) -> ConsentDocumentView:
    """Store a consent signed on the pad by the patient and the signed-in witness.

    The PDF is rendered once, with the witness's signing time as its creation date; the
    bytes, their SHA-256 and the audit entry are committed in one transaction.
    """
    actor = desk.require(*WITNESS_ROLES)
    _check_png(patient_signature_png, "patient")
    _check_png(witness_signature_png, "witness")
    now = desk.now()
    patient_at = patient_signed_at or now
    if patient_at > now or now - patient_at > MAX_SIGNING_GAP:
        raise ValidationError("The patient's signing time is not plausible.", "signed_at")
    inputs = _inputs(desk, patient_id, template_id, treatment)
    with desk.read() as session:
        uid = _new_uid(session, DocumentKind.CONSENT, _local(now).date())
    form = ConsentForm(
        clinic=inputs.clinic,
        patient=inputs.patient,
        treatment=treatment,
        document_id=uid,
        policy=inputs.policy,
        created_at=_local(now),
        patient_signature=SignatureCapture(
            patient_signature_png, inputs.patient.legal_name, _local(patient_at)
        ),
        witness_signature=SignatureCapture(witness_signature_png, actor.full_name, _local(now)),
    )
    pdf = render_consent(inputs.parsed, form)
    return _store(desk, inputs, treatment, uid, SCREEN, patient_at, now, pdf)


def print_paper_form(
    desk: Desk, patient_id: int, treatment: TreatmentType, template_id: int
) -> PrintedForm:
    """The form to print for a signature on paper, with its document number.

    Nothing is stored until ``record_paper_signature``: a printed form that is never
    signed leaves no record.
    """
    desk.require(*WITNESS_ROLES)
    inputs = _inputs(desk, patient_id, template_id, treatment)
    now = desk.now()
    with desk.read() as session:
        uid = _new_uid(session, DocumentKind.CONSENT, _local(now).date())
    pdf = _paper_form_pdf(inputs, treatment, uid, now)
    sha = hashlib.sha256(pdf).hexdigest()
    return PrintedForm(patient_id, treatment, template_id, uid, now, pdf, sha)


def _paper_form_pdf(inputs: _Inputs, treatment: TreatmentType, uid: str, at: datetime) -> bytes:
    """The form printed empty for ink signatures, created at ``at``."""
    form = ConsentForm(
        clinic=inputs.clinic,
        patient=inputs.patient,
        treatment=treatment,
        document_id=uid,
        policy=inputs.policy,
        created_at=_local(at),
    )
    return render_consent(inputs.parsed, form)


def record_paper_signature(
    desk: Desk, printed: PrintedForm, witnessed_at: datetime
) -> ConsentDocumentView:
    """Record that the printed form was signed on paper, witnessed by the signed-in person.

    The stored bytes are the printed form's; the signed paper is the original.
    """
    desk.require(*WITNESS_ROLES)
    if hashlib.sha256(printed.pdf).hexdigest() != printed.sha256:
        raise ValidationError("The printed form was changed after printing.", "pdf")
    now = desk.now()
    if witnessed_at.tzinfo is None:
        raise ValidationError("The witnessing time needs a time zone.", "witnessed_at")
    if witnessed_at > now + timedelta(minutes=1):
        raise ValidationError("The witnessing time is in the future.", "witnessed_at")
    if witnessed_at < printed.printed_at - timedelta(minutes=1):
        raise ValidationError("That time is before the form was printed.", "witnessed_at")
    if now - witnessed_at > MAX_PAPER_DELAY:
        raise ValidationError("Record a paper signature within two days.", "witnessed_at")
    inputs = _inputs(desk, printed.patient_id, printed.template_id, printed.treatment)
    return _store(
        desk,
        inputs,
        printed.treatment,
        printed.document_uid,
        PAPER,
        witnessed_at,
        witnessed_at,
        printed.pdf,
    )


def _store(
    desk: Desk,
    inputs: _Inputs,
    treatment: TreatmentType,
    uid: str,
    method: str,
    signed_at: datetime,
    witnessed_at: datetime,
    pdf: bytes,
) -> ConsentDocumentView:
    actor = desk.require(*WITNESS_ROLES)
    with desk.write() as uow:
        uow.get(Patient, inputs.patient_id, "patient")
        template = uow.get(ConsentTemplate, inputs.template_id, "consent template")
        if method == SCREEN:
            # On screen the patient can simply sign the new version. A paper form is
            # recorded as signed: the ink is there, and the status rule judges its version.
            _check_still_current(uow.session, template, treatment)
        signing = (signed_at, actor.username, witnessed_at)
        row = _add_document(uow.session, inputs, treatment, uid, method, signing, pdf)
        sha = row.sha256
        uow.audit(
            "consent.sign",
            "consent_document",
            row.id,
            {
                "document_uid": uid,
                "patient_id": inputs.patient_id,
                "treatment": treatment.value,
                "method": method,
                "template": inputs.parsed.label,
                "sha256": sha,
            },
        )
        uow.commit()
        row_id = row.id
    return _document_by_id(desk, row_id)


def _add_document(
    session: Session,
    inputs: _Inputs,
    treatment: TreatmentType,
    uid: str,
    method: str,
    signing: tuple[datetime, str, datetime],
    pdf: bytes,
) -> ConsentDocument:
    """Store the signed bytes and their SHA-256; ``signing`` is (signed, witness, witnessed)."""
    if (
        session.scalar(select(ConsentDocument.id).where(ConsentDocument.document_uid == uid))
        is not None
    ):
        raise ValidationError(f"Document {uid} is already stored.", "document")
    signed_at, witness, witnessed_at = signing
    row = ConsentDocument(
        document_uid=uid,
        patient_id=inputs.patient_id,
        template_id=inputs.template_id,
        treatment=treatment.value,
        method=method,
        signed_at=signed_at,
        witness=witness,
        witnessed_at=witnessed_at,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        withdrawn_reason="",
    )
    session.add(row)
    session.flush()
    return row


def add_paper_consent(
    uow: UnitOfWork,
    patient_id: int,
    treatment: TreatmentType,
    witness: str,
    witnessed_at: datetime,
    language: str = "en",
) -> ConsentDocument:
    """A paper consent on the current template, stored inside an open unit of work.

    For loaders that audit their whole load in one entry (the demo clinic): no audit entry
    and no role check here. The form is rendered once, created at ``witnessed_at``, and
    stored with its SHA-256 exactly as ``record_paper_signature`` stores a signed print.
    """
    template = _current_template(uow.session, treatment, language)
    inputs = _inputs_in(uow.session, patient_id, template.id, treatment)
    uid = _new_uid(uow.session, DocumentKind.CONSENT, _local(witnessed_at).date())
    pdf = _paper_form_pdf(inputs, treatment, uid, witnessed_at)
    signing = (witnessed_at, witness, witnessed_at)
    return _add_document(uow.session, inputs, treatment, uid, PAPER, signing, pdf)


# --- documents --------------------------------------------------------------------------


def _doc_view(
    row: ConsentDocument, template: ConsentTemplate, witness_name: str | None
) -> ConsentDocumentView:
    family = template.template_key.split(":")[0]
    return ConsentDocumentView(
        id=row.id,
        document_uid=row.document_uid,
        patient_id=row.patient_id,
        treatment=TreatmentType(row.treatment),
        template_label=f"{family} {template.version} ({template.language})",
        method=row.method,
        signed_at=row.signed_at,
        witness=row.witness,
        witness_name=witness_name or row.witness,
        witnessed_at=row.witnessed_at,
        sha256=row.sha256,
        withdrawn_at=row.withdrawn_at,
        withdrawn_by=row.withdrawn_by,
        withdrawn_reason=row.withdrawn_reason or "",
    )


def _documents_query() -> Select[ConsentDocument, ConsentTemplate, str]:
    # Columns only: loading the PDF bytes of every document to list them would be wasteful.
    return (
        select(ConsentDocument, ConsentTemplate, Staff.full_name)
        .join(ConsentTemplate, ConsentDocument.template_id == ConsentTemplate.id)
        .outerjoin(Staff, Staff.username == ConsentDocument.witness)
    )


def documents_for_patient(desk: Desk, patient_id: int) -> list[ConsentDocumentView]:
    """The patient's stored consents, newest first; any signed-in staff."""
    desk.require()
    with desk.read() as session:
        rows = session.execute(
            _documents_query()
            .where(ConsentDocument.patient_id == patient_id)
            .order_by(ConsentDocument.signed_at.desc(), ConsentDocument.id.desc())
        ).all()
        return [_doc_view(doc, template, name) for doc, template, name in rows]


def _document_by_id(desk: Desk, row_id: int) -> ConsentDocumentView:
    with desk.read() as session:
        found = session.execute(_documents_query().where(ConsentDocument.id == row_id)).first()
        if found is None:
            raise NotFound("That consent document no longer exists.")
        doc, template, name = found
        return _doc_view(doc, template, name)


def _document_row(session: Session, uid: str) -> ConsentDocument:
    row = session.scalars(
        select(ConsentDocument).where(ConsentDocument.document_uid == uid)
    ).first()
    if row is None:
        raise NotFound(f"There is no stored consent {uid}.")
    return row


def document_pdf(desk: Desk, document_uid: str) -> bytes:
    """The stored bytes exactly as signed, for viewing."""
    desk.require()
    with desk.read() as session:
        return bytes(_document_row(session, document_uid).pdf)


def reprint(desk: Desk, document_uid: str) -> bytes:
    """A COPY of the stored document for printing; the stored bytes are not touched."""
    actor = desk.require(*WITNESS_ROLES)
    now = _local(desk.now())
    with desk.read() as session:
        row = _document_row(session, document_uid)
        stored, row_id = bytes(row.pdf), row.id
        policy = load_policy(session)
    when = format_datetime(now, policy)
    copy = stamp_copy(stored, note=f"Reprint of the stored original, {when}, by {actor.full_name}")
    # A reprint discloses the document again: who printed it belongs in the trail.
    with desk.write() as uow:
        uow.audit("consent.reprint", "consent_document", row_id, {"document_uid": document_uid})
        uow.commit()
    return copy


def withdraw(desk: Desk, document_uid: str, reason: str) -> ConsentDocumentView:
    """Record that the patient withdrew this consent (who, when, why); it blocks infusion."""
    actor = desk.require(*WITNESS_ROLES)
    reason = reason.strip()
    if not reason:
        raise ValidationError("Enter why the consent is withdrawn.", "reason")
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationError(f"Keep the reason under {MAX_REASON_CHARS} characters.", "reason")
    with desk.write() as uow:
        found = _document_row(uow.session, document_uid)
        row = uow.get(ConsentDocument, found.id, "consent document")
        if row.withdrawn_at is not None:
            raise ValidationError("This consent was already withdrawn.", "document")
        row.withdrawn_at = desk.now()
        row.withdrawn_by = actor.username
        row.withdrawn_reason = reason
        uow.audit(
            "consent.withdraw",
            "consent_document",
            row.id,
            {"document_uid": document_uid, "withdrawn_reason": None},
        )
        uow.commit()
        row_id = row.id
    return _document_by_id(desk, row_id)


# --- validity ---------------------------------------------------------------------------


def consent_states(
    session: Session,
    wanted: Iterable[tuple[int, TreatmentType]],
    today: date,
    policy: ClinicPolicy,
) -> dict[tuple[int, TreatmentType], ConsentStatus]:
    """The consent status of many (patient, treatment) pairs in two queries.

    For boards and checklists inside their own read session; ``today`` is the local day
    the consent must hold on.
    """
    pairs = set(wanted)
    result = {pair: ConsentStatus(ConsentState.MISSING) for pair in pairs}
    patient_ids = sorted({patient_id for patient_id, _ in pairs})
    if not pairs:
        return result
    templates = {row.id: row for row in _all_templates(session)}
    newest: dict[tuple[int, TreatmentType], tuple[datetime, int, date | None, int]] = {}
    for start in range(0, len(patient_ids), 500):  # stay under bind-parameter limits
        chunk = patient_ids[start : start + 500]
        rows = session.execute(
            select(
                ConsentDocument.id,
                ConsentDocument.patient_id,
                ConsentDocument.treatment,
                ConsentDocument.template_id,
                ConsentDocument.signed_at,
                ConsentDocument.withdrawn_at,
            ).where(ConsentDocument.patient_id.in_(chunk))
        ).all()
        for doc_id, patient_id, treatment, template_id, signed_at, withdrawn_at in rows:
            key = (patient_id, TreatmentType(treatment))
            if key not in pairs:
                continue
            seen = newest.get(key)
            withdrawn = withdrawn_at.astimezone().date() if withdrawn_at else None
            if seen is None or (signed_at, doc_id) > (seen[0], seen[3]):
                newest[key] = (signed_at, template_id, withdrawn, doc_id)
    for key, (signed_at, template_id, withdrawn, _) in newest.items():
        template = templates[template_id]
        result[key] = consent_status(
            signed_at.astimezone().date(),
            template.major,
            _current_major(templates.values(), template, key[1]),
            withdrawn,
            today,
            policy,
        )
    return result


def _current_major(
    templates: Iterable[ConsentTemplate], signed: ConsentTemplate, treatment: TreatmentType
) -> int:
    majors = [
        t.major
        for t in templates
        if t.template_key == signed.template_key and treatment.value in _treatments(t)
    ]
    return max(majors, default=signed.major)


def consent_status_for(
    desk: Desk, patient_id: int, treatment: TreatmentType, on_date: date | None = None
) -> ConsentStatus:
    """Where this patient's consent for ``treatment`` stands on ``on_date`` (default today)."""
    desk.require()
    day = on_date or _local(desk.now()).date()
    with desk.read() as session:
        policy = load_policy(session)
        return consent_states(session, [(patient_id, treatment)], day, policy)[
            (patient_id, treatment)
        ]


@dataclass(frozen=True)
class ConsentOverview:
    """What the consent dialog shows about one patient."""

    patient_id: int
    patient_name: str
    mrn: str
    statuses: dict[TreatmentType, ConsentStatus]
    documents: list[ConsentDocumentView]
    date_format: str


def consent_overview(desk: Desk, patient_id: int) -> ConsentOverview:
    """The patient's identity, consent status per treatment and stored documents."""
    desk.require()
    today = _local(desk.now()).date()
    with desk.read() as session:
        patient = patient_row(session, patient_id)
        policy = load_policy(session)
        states = consent_states(session, [(patient_id, t) for t in TreatmentType], today, policy)
        name, mrn = legal_name(patient), patient.mrn
    return ConsentOverview(
        patient_id,
        name,
        mrn,
        {treatment: states[(patient_id, treatment)] for treatment in TreatmentType},
        documents_for_patient(desk, patient_id),
        policy.date_format,
    )


# --- verifying a file -------------------------------------------------------------------


def read_pdf_file(path: Path) -> bytes:
    """A file's bytes for verification; ValidationError for missing, huge or non-PDF files."""
    try:
        if path.is_dir():
            raise ValidationError(f"{path} is a folder, not a PDF file.", "file")
        if path.exists() and not path.is_file():
            # A pipe or a device would block the read for ever (or never end).
            raise ValidationError(f"{path} is not an ordinary file; give a PDF file.", "file")
        too_large = path.stat().st_size > MAX_VERIFY_BYTES  # refuse before reading anything
        if not too_large:
            with path.open("rb") as handle:  # bounded: the file may grow meanwhile
                data = handle.read(MAX_VERIFY_BYTES + 1)
            too_large = len(data) > MAX_VERIFY_BYTES
    except FileNotFoundError:
        raise ValidationError(f"There is no file {path}.", "file") from None
    except OSError:
        raise ValidationError(f"The file {path} cannot be read.", "file") from None
    if too_large:
        raise ValidationError(f"{path.name} is larger than any stored consent (50 MB).", "file")
    if not data.startswith(b"%PDF-"):
        raise ValidationError(f"{path.name} is not a PDF file.", "file")
    return data


def verify_bytes(desk: Desk, data: bytes) -> str | None:
    """A one-line description of the stored consent ``data`` is identical to, else None."""
    desk.require()
    digest = hashlib.sha256(data).hexdigest()
    with desk.read() as session:
        rows = session.execute(
            select(ConsentDocument, ConsentTemplate, Patient.mrn)
            .join(ConsentTemplate, ConsentDocument.template_id == ConsentTemplate.id)
            .join(Patient, Patient.id == ConsentDocument.patient_id)
            .where(ConsentDocument.sha256 == digest)
        ).all()
        for doc, template, mrn in rows:
            if bytes(doc.pdf) == data:  # the hash finds it; the bytes prove it
                policy = load_policy(session)
                return _describe(doc, template, mrn, policy)
    return None


def _describe(
    doc: ConsentDocument, template: ConsentTemplate, mrn: str, policy: ClinicPolicy
) -> str:
    family = template.template_key.split(":")[0]
    signed = format_date(doc.signed_at.astimezone().date(), policy)
    text = (
        f"signed consent {doc.document_uid} for patient MRN {mrn}, "
        f"signed {signed}, template {family} {template.version}"
    )
    if doc.method == PAPER:
        text += " (signed on paper)"
    if doc.withdrawn_at is not None:
        text += f"; WITHDRAWN on {format_date(doc.withdrawn_at.astimezone().date(), policy)}"
    return text


def verify_file(desk: Desk, path: Path) -> str | None:
    """Is the file at ``path`` byte-identical to a stored signed consent? See verify_bytes."""
    return verify_bytes(desk, read_pdf_file(path))
