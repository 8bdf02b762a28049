"""The patient registry: register, edit and open a patient, with the duplicate warning.

Receptionists, nurses and admins may all register and edit patients: whoever is at the
counter when someone walks in. Names are stored exactly as typed (only surrounding
spaces go). A save that looks like an existing patient (same DOB and a similar name, or
a shared phone) raises DuplicateWarning with the candidates, unless the person confirmed
it is someone else; that choice is recorded in the audit entry as a count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk.db.models import Patient, PatientSearchKey
from desk.domain.candidacy import CandidacyStatus
from desk.domain.duplicates import DuplicateMatch, PersonFacts, find_duplicates
from desk.domain.errors import DeskError, NotFound, ValidationError
from desk.domain.mrn import MAX_SEQUENCE, mrn_for_sequence
from desk.domain.names import name_tokens
from desk.domain.patients import PatientDraft, Sex, age_on, clean_patient
from desk.domain.phones import format_phone, national_digits, phone_digits
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.domain.search_index import INTERNATIONAL
from desk.services.candidacy import load_status
from desk.services.context import Desk, UnitOfWork
from desk.services.search import replace_search_keys
from desk.services.settings import load_policy

EDITING_ROLES = (Role.RECEPTIONIST, Role.NURSE, Role.ADMIN)
MAX_PHONES = 2  # the record has a main and a second number
_MRN_ATTEMPTS = 20
_DUPLICATE_CANDIDATES = 200  # more same-DOB rows than this is a data problem, not a twin


@dataclass(frozen=True)
class PatientView:
    """A patient as screens show it; phones are E.164, ``phones_display`` as people read them."""

    id: int
    mrn: str
    legal_first_name: str
    legal_last_name: str
    preferred_name: str
    dob: date
    age: int
    sex: Sex
    phones: tuple[str, ...]
    phones_display: tuple[str, ...]
    email: str
    address: str
    emergency_contact_name: str
    emergency_contact_phone: str
    emergency_contact_phone_display: str
    notes: str
    candidacy: CandidacyStatus
    version: int
    created_at: datetime
    updated_at: datetime | None
    updated_by: str | None
    updated_workstation: str | None

    @property
    def legal_name(self) -> str:
        return f"{self.legal_first_name} {self.legal_last_name}"

    @property
    def display_name(self) -> str:
        """The name to address them by, with the legal name when it differs."""
        if self.preferred_name and self.preferred_name != self.legal_first_name:
            return f"{self.preferred_name} {self.legal_last_name} ({self.legal_name})"
        return self.legal_name

    def draft(self) -> PatientDraft:
        """The record as the edit form starts from."""
        return PatientDraft(
            legal_first_name=self.legal_first_name,
            legal_last_name=self.legal_last_name,
            dob=self.dob,
            preferred_name=self.preferred_name,
            sex=self.sex,
            phones=self.phones_display,
            email=self.email,
            address=self.address,
            emergency_contact_name=self.emergency_contact_name,
            emergency_contact_phone=self.emergency_contact_phone_display,
            notes=self.notes,
        )


@dataclass(frozen=True)
class DuplicateCandidate:
    """An existing patient who may be the one being saved, and why."""

    patient_id: int
    mrn: str
    name: str
    dob: date | None
    phones: tuple[str, ...]
    reason: str


class DuplicateWarning(DeskError):
    """The save looks like an existing patient; ``candidates`` lists who and why.

    Save again with ``confirm_not_duplicate=True`` when the person is someone else.
    """

    def __init__(self, candidates: list[DuplicateCandidate]) -> None:
        self.candidates = list(candidates)
        count = len(self.candidates)
        who = "a patient who is" if count == 1 else f"{count} patients who are"
        super().__init__(
            f"This may be {who} already registered. Open the existing record, "
            "or register anyway if it is someone else."
        )


# --- reading ---------------------------------------------------------------------------


def _sex(code: str) -> Sex:
    return Sex(code) if code in {s.value for s in Sex} else Sex.UNKNOWN


def _display(e164: str, region: str) -> str:
    """A stored phone as people read it ("" stays "")."""
    return format_phone(e164, region) if e164.startswith("+") else e164


def _view(session: Session, row: Patient, policy: ClinicPolicy, today: date) -> PatientView:
    phones = tuple(p for p in (row.phone, row.phone2) if p)
    return PatientView(
        id=row.id,
        mrn=row.mrn,
        legal_first_name=row.legal_first_name,
        legal_last_name=row.legal_last_name,
        preferred_name=row.preferred_name,
        dob=row.dob,
        age=age_on(row.dob, today),
        sex=_sex(row.sex),
        phones=phones,
        phones_display=tuple(_display(p, policy.phone_region) for p in phones),
        email=row.email,
        address=row.address,
        emergency_contact_name=row.emergency_name,
        emergency_contact_phone=row.emergency_phone,
        emergency_contact_phone_display=_display(row.emergency_phone, policy.phone_region),
        notes=row.notes,
        candidacy=load_status(session, row.id, policy),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        updated_workstation=row.updated_workstation,
    )


def _today(desk: Desk) -> date:
    return desk.now().astimezone().date()


def get_patient(desk: Desk, patient_id: int) -> PatientView:
    """Any signed-in staff: one patient, with the candidacy header."""
    desk.require()
    with desk.read() as session:
        row = session.get(Patient, patient_id)
        if row is None:
            raise NotFound("That patient no longer exists.")
        return _view(session, row, load_policy(session), _today(desk))


# --- duplicates ------------------------------------------------------------------------


def _facts(row: Patient) -> PersonFacts:
    return PersonFacts(
        first_name=row.legal_first_name,
        last_name=row.legal_last_name,
        dob=row.dob,
        preferred_name=row.preferred_name,
        phones=tuple(p for p in (row.phone, row.phone2) if p),
        patient_id=row.id,
        mrn=row.mrn,
    )


def _possible_duplicates(
    session: Session, draft: PatientDraft, patient_id: int | None
) -> list[DuplicateMatch]:
    """Existing patients with the same DOB or sharing a phone, judged by the domain rule."""
    phone_keys = [INTERNATIONAL + phone_digits(p) for p in draft.phones]
    sharing_phone = select(PatientSearchKey.patient_id).where(
        PatientSearchKey.key.in_(phone_keys)
    )
    query = (
        select(Patient)
        .where(or_(Patient.dob == draft.dob, Patient.id.in_(sharing_phone)))
        .limit(_DUPLICATE_CANDIDATES)
    )
    candidates = [_facts(row) for row in session.scalars(query)]
    new = PersonFacts(
        draft.legal_first_name,
        draft.legal_last_name,
        draft.dob,
        draft.preferred_name,
        draft.phones,
        patient_id,
    )
    return find_duplicates(new, candidates)


def _candidate(match: DuplicateMatch, region: str) -> DuplicateCandidate:
    old = match.existing
    assert old.patient_id is not None and old.mrn is not None  # facts come from rows
    name = f"{old.first_name} {old.last_name}"
    if old.preferred_name and old.preferred_name != old.first_name:
        name += f" ({old.preferred_name})"
    phones = tuple(_display(p, region) for p in old.phones)
    return DuplicateCandidate(old.patient_id, old.mrn, name, old.dob, phones, match.reason)


def _warn_of_duplicates(
    uow: UnitOfWork, draft: PatientDraft, patient_id: int | None, confirmed: bool
) -> int:
    """The number of possible duplicates; DuplicateWarning unless ``confirmed``."""
    matches = _possible_duplicates(uow.session, draft, patient_id)
    if matches and not confirmed:
        region = load_policy(uow.session).phone_region
        raise DuplicateWarning([_candidate(m, region) for m in matches])
    return len(matches)


# --- writing ---------------------------------------------------------------------------


def _cleaned(uow: UnitOfWork, draft: PatientDraft) -> PatientDraft:
    clean = clean_patient(draft, load_policy(uow.session), _today(uow.desk))
    if len(clean.phones) > MAX_PHONES:
        raise ValidationError(
            f"Record at most {MAX_PHONES} phone numbers.", f"phones[{MAX_PHONES}]"
        )
    return clean


def _fill(row: Patient, draft: PatientDraft) -> None:
    phones = (*draft.phones, "", "")
    row.legal_first_name = draft.legal_first_name
    row.legal_last_name = draft.legal_last_name
    row.preferred_name = draft.preferred_name
    assert draft.dob is not None  # clean_patient refuses a missing DOB
    row.dob = draft.dob
    row.sex = draft.sex.value
    row.phone, row.phone2 = phones[0], phones[1]
    row.email = draft.email
    row.address = draft.address
    row.emergency_name = draft.emergency_contact_name
    row.emergency_phone = draft.emergency_contact_phone
    row.notes = draft.notes
    # The per-field keys order DOB results; name search uses patient_search_key.
    row.first_key = " ".join(name_tokens(draft.legal_first_name))[:200]
    row.last_key = " ".join(name_tokens(draft.legal_last_name))[:200]
    row.preferred_key = " ".join(name_tokens(draft.preferred_name))[:200]
    row.phone_digits = national_digits(row.phone) if row.phone else ""


def _index(uow: UnitOfWork, row: Patient) -> None:
    replace_search_keys(
        uow.session, row.id, row.legal_first_name, row.legal_last_name, row.preferred_name,
        (row.phone, row.phone2),
    )


def _insert_with_new_mrn(uow: UnitOfWork, row: Patient) -> None:
    """Give ``row`` the next free MRN and insert it.

    The sequence starts after the highest patient id; a clash with an MRN taken by a
    concurrent registration (PostgreSQL) or by imported data moves on to the next one.
    """
    session = uow.session
    sequence = (session.scalar(select(func.max(Patient.id))) or 0) + 1
    for attempt in range(_MRN_ATTEMPTS):
        mrn = mrn_for_sequence((sequence + attempt) % (MAX_SEQUENCE + 1))
        if session.scalar(select(Patient.id).where(Patient.mrn == mrn)) is not None:
            continue
        row.mrn = mrn
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            continue
        return
    raise DeskError("No free MRN could be found; try again in a moment.")


def register_patient(
    desk: Desk, draft: PatientDraft, *, confirm_not_duplicate: bool = False
) -> PatientView:
    """Reception, nurse or admin: register a new patient with a new MRN.

    Raises PatientInvalid (every field error), or DuplicateWarning unless
    ``confirm_not_duplicate``.
    """
    desk.require(*EDITING_ROLES)
    with desk.write() as uow:
        clean = _cleaned(uow, draft)
        duplicates = _warn_of_duplicates(uow, clean, None, confirm_not_duplicate)
        row = Patient(created_at=desk.now())
        _fill(row, clean)
        uow.touch(row)
        _insert_with_new_mrn(uow, row)
        _index(uow, row)
        summary: dict[str, object] = {name: None for name in _filled_fields(clean)}
        if duplicates:
            summary["possible_duplicates_confirmed"] = duplicates
        uow.audit("patient.register", "patient", row.id, summary)
        uow.commit()
        return _view(uow.session, row, load_policy(uow.session), _today(desk))


def _filled_fields(draft: PatientDraft) -> list[str]:
    return [name for name, value in vars(draft).items() if value not in ("", (), None)]


def _changed_fields(old: PatientDraft, new: PatientDraft) -> list[str]:
    return [name for name, value in vars(new).items() if getattr(old, name) != value]


def _stored_draft(row: Patient) -> PatientDraft:
    return PatientDraft(
        legal_first_name=row.legal_first_name,
        legal_last_name=row.legal_last_name,
        dob=row.dob,
        preferred_name=row.preferred_name,
        sex=_sex(row.sex),
        phones=tuple(p for p in (row.phone, row.phone2) if p),
        email=row.email,
        address=row.address,
        emergency_contact_name=row.emergency_name,
        emergency_contact_phone=row.emergency_phone,
        notes=row.notes,
    )


def _current_text(row: Patient, region: str) -> dict[str, str]:
    """The saved values a stale editor is shown instead of their own."""
    phones = ", ".join(_display(p, region) for p in (row.phone, row.phone2) if p)
    return {
        "Legal name": f"{row.legal_first_name} {row.legal_last_name}",
        "Preferred name": row.preferred_name,
        "Date of birth": row.dob.isoformat(),
        "Phone": phones,
        "Email": row.email,
        "Address": row.address,
        "Emergency contact": " ".join(
            part for part in (row.emergency_name, _display(row.emergency_phone, region)) if part
        ),
    }


def update_patient(
    desk: Desk,
    patient_id: int,
    draft: PatientDraft,
    expected_version: int | None,
    *,
    confirm_not_duplicate: bool = False,
) -> PatientView:
    """Reception, nurse or admin: save an edited record.

    StaleEdit if somebody saved it since ``expected_version`` was loaded; DuplicateWarning
    when a changed name, DOB or phone now looks like another patient. Saving without a
    change writes nothing.
    """
    desk.require(*EDITING_ROLES)
    with desk.write() as uow:
        row = uow.get(Patient, patient_id, "patient")
        policy = load_policy(uow.session)
        uow.check_version(
            row, expected_version, "patient record", _current_text(row, policy.phone_region)
        )
        clean = _cleaned(uow, draft)
        changed = _changed_fields(_stored_draft(row), clean)
        if not changed:
            return _view(uow.session, row, policy, _today(desk))
        identity = {"legal_first_name", "legal_last_name", "preferred_name", "dob", "phones"}
        duplicates = 0
        if identity.intersection(changed):
            duplicates = _warn_of_duplicates(uow, clean, row.id, confirm_not_duplicate)
        _fill(row, clean)
        uow.touch(row)
        uow.session.flush()
        _index(uow, row)
        summary: dict[str, object] = {name: None for name in changed}
        if duplicates:
            summary["possible_duplicates_confirmed"] = duplicates
        uow.audit("patient.update", "patient", row.id, summary)
        uow.commit()
        return _view(uow.session, row, policy, _today(desk))
