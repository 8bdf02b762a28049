"""Candidacy screening of one patient: read it, record it, and the header status it gives.

Who may change what: nurses and admins record the clinical screening (indication,
diagnosis confirmed, history reviewed, flags and their details, pregnancy test);
receptionists may also record the treating provider's details and the consultation date,
which reach the front desk by phone and fax. A save that touches a field the person may
not change is refused as a whole, naming the fields.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from desk.db.models import Candidacy as CandidacyRow
from desk.db.models import Patient
from desk.domain.candidacy import (
    Candidacy,
    CandidacyStatus,
    Contraindication,
    Indication,
    MedicationFlag,
    assess,
)
from desk.domain.errors import NotFound, NotPermitted, ValidationError
from desk.domain.names import field_label, validate_name
from desk.domain.patients import MAX_ADDRESS_LENGTH
from desk.domain.phones import format_phone, normalise_phone
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.services.context import Actor, Desk, UnitOfWork
from desk.services.settings import load_policy

# Fields a receptionist may record; everything else in the panel is clinical.
RECEPTION_FIELDS = frozenset(
    {"provider_name", "provider_practice", "provider_phone", "consultation_date"}
)
CLINICAL_ROLES = (Role.NURSE, Role.ADMIN)
EDITING_ROLES = (Role.RECEPTIONIST, Role.NURSE, Role.ADMIN)
MAX_DETAIL_LENGTH = 2000  # a guard against pasted documents, not a clinical rule


@dataclass(frozen=True)
class CandidacyView:
    """The screening record as the panel shows it; ``version`` is 0 before the first save."""

    patient_id: int
    candidacy: Candidacy
    history_reviewed_on: date | None
    status: CandidacyStatus
    version: int
    updated_by: str | None = None
    updated_workstation: str | None = None
    updated_at: datetime | None = None


def may_edit_clinical(actor: Actor | None) -> bool:
    """Whether ``actor`` may change the clinical screening fields (for enabling widgets)."""
    return actor is not None and actor.has(*CLINICAL_ROLES)


def _codes(text: str) -> list[str]:
    try:
        loaded = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(code) for code in loaded] if isinstance(loaded, list) else []


def _known(kind: type[Contraindication] | type[MedicationFlag], text: str) -> frozenset[Any]:
    # A code written by a newer desk is kept in the row but not understood here.
    values = {member.value for member in kind}
    return frozenset(kind(code) for code in _codes(text) if code in values)


def _indication(code: str) -> Indication | None:
    return Indication(code) if code in {i.value for i in Indication} else None


def _details(text: str) -> dict[str, str]:
    try:
        loaded = json.loads(text or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def candidacy_from_values(values: Mapping[str, Any]) -> Candidacy:
    """The domain record from a candidacy row's columns (a row, or a Core result mapping)."""
    return Candidacy(
        indication=_indication(values["indication"] or ""),
        diagnosis_confirmed_by=values["diagnosis_confirmed_by"] or "",
        diagnosis_confirmed_on=values["diagnosis_confirmed_on"],
        provider_name=values["provider_name"] or "",
        provider_practice=values["provider_practice"] or "",
        provider_phone=values["provider_phone"] or "",
        # Not a status column: the board does not load it.
        provider_address=values.get("provider_address") or "",
        consultation_date=values["consultation_on"],
        history_reviewed_by=values["history_reviewed_by"] or "",
        pregnancy_test_applies=bool(values["pregnancy_test_applies"]),
        pregnancy_test_negative_on=values["pregnancy_test_on"],
        contraindications=_known(Contraindication, values["contraindication_flags"]),
        medications=_known(MedicationFlag, values["medication_flags"]),
        flag_details=_details(values["flag_detail"]),
    )


# The candidacy columns a status needs; search selects exactly these.
STATUS_COLUMNS = (
    "indication",
    "diagnosis_confirmed_by",
    "diagnosis_confirmed_on",
    "provider_name",
    "provider_practice",
    "provider_phone",
    "consultation_on",
    "history_reviewed_by",
    "pregnancy_test_applies",
    "pregnancy_test_on",
    "contraindication_flags",
    "medication_flags",
    "flag_detail",
)


def status_from_values(values: Mapping[str, Any] | None, policy: ClinicPolicy) -> CandidacyStatus:
    """The header status of a candidacy row's columns; an unscreened patient if None."""
    if values is None or values.get("indication") is None:
        return assess(Candidacy(), policy)
    return assess(candidacy_from_values(values), policy)


def _row_values(row: CandidacyRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in (*STATUS_COLUMNS, "provider_address")}


def _view(patient_id: int, row: CandidacyRow | None, policy: ClinicPolicy) -> CandidacyView:
    if row is None:
        empty = Candidacy()
        return CandidacyView(patient_id, empty, None, assess(empty, policy), 0)
    candidacy = candidacy_from_values(_row_values(row))
    return CandidacyView(
        patient_id,
        candidacy,
        row.history_reviewed_on,
        assess(candidacy, policy),
        row.version,
        row.updated_by,
        row.updated_workstation,
        row.updated_at,
    )


def load_status(session: Session, patient_id: int, policy: ClinicPolicy) -> CandidacyStatus:
    """The header status inside an open session (for other services' views)."""
    return _view(patient_id, session.get(CandidacyRow, patient_id), policy).status


def get_candidacy(desk: Desk, patient_id: int) -> CandidacyView:
    """Any signed-in staff: the patient's screening record."""
    desk.require()
    with desk.read() as session:
        if session.get(Patient, patient_id) is None:
            raise NotFound("That patient no longer exists.")
        return _view(patient_id, session.get(CandidacyRow, patient_id), load_policy(session))


def candidacy_status(desk: Desk, patient_id: int) -> CandidacyStatus:
    """Any signed-in staff: "candidate", "screening incomplete" or "flagged", with details."""
    return get_candidacy(desk, patient_id).status


def _comparable(candidacy: Candidacy, reviewed_on: date | None) -> dict[str, Any]:
    values = {f.name: getattr(candidacy, f.name) for f in fields(Candidacy)}
    values["flag_details"] = dict(candidacy.flag_details)
    values["history_reviewed_on"] = reviewed_on
    return values


def changed_fields(
    old: Candidacy, old_reviewed_on: date | None, new: Candidacy, new_reviewed_on: date | None
) -> list[str]:
    """The names of the fields that differ, in panel order."""
    before, after = _comparable(old, old_reviewed_on), _comparable(new, new_reviewed_on)
    return [name for name in after if before[name] != after[name]]


def _check_permitted(actor: Actor, changed: list[str]) -> None:
    clinical = [name for name in changed if name not in RECEPTION_FIELDS]
    if clinical and not actor.has(*CLINICAL_ROLES):
        names = ", ".join(field_label(name).lower() for name in clinical)
        raise NotPermitted(
            f"Only a nurse or admin may record the clinical screening ({names})."
        )


def _past_date(value: date | None, field: str, today: date) -> date | None:
    if value is not None and value > today:
        raise ValidationError(f"{field_label(field)} cannot be in the future.", field)
    return value


def _detail(text: str, field: str) -> str:
    if len(text) > MAX_DETAIL_LENGTH:
        raise ValidationError(f"This detail is too long (at most {MAX_DETAIL_LENGTH}).", field)
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        raise ValidationError("This detail contains a control character; retype it.", field)
    return text.strip()


def clean_candidacy(
    candidacy: Candidacy, reviewed_on: date | None, policy: ClinicPolicy, today: date
) -> tuple[Candidacy, date | None]:
    """The record as stored: names trimmed, phone E.164, no future dates, details of set flags."""
    c = candidacy
    def name(value: str, field: str) -> str:
        return validate_name(value, field, required=False) or ""

    phone = c.provider_phone.strip()
    if phone:
        phone = normalise_phone(phone, policy.phone_region, field="provider_phone")
    flags = {f.value for f in c.contraindications} | {m.value for m in c.medications}
    details = {
        code: _detail(text, f"flag_details[{code}]")
        for code, text in c.flag_details.items()
        if code in flags and text.strip()
    }
    cleaned = replace(
        c,
        diagnosis_confirmed_by=name(c.diagnosis_confirmed_by, "diagnosis_confirmed_by"),
        provider_name=name(c.provider_name, "provider_name"),
        provider_practice=name(c.provider_practice, "provider_practice"),
        history_reviewed_by=name(c.history_reviewed_by, "history_reviewed_by"),
        provider_phone=phone,
        provider_address=_address(c.provider_address),
        diagnosis_confirmed_on=_past_date(
            c.diagnosis_confirmed_on, "diagnosis_confirmed_on", today
        ),
        consultation_date=_past_date(c.consultation_date, "consultation_date", today),
        pregnancy_test_negative_on=_past_date(
            c.pregnancy_test_negative_on, "pregnancy_test_negative_on", today
        ),
        flag_details=details,
    )
    return cleaned, _past_date(reviewed_on, "history_reviewed_on", today)


def _address(text: str) -> str:
    cleaned = "\n".join(line.strip() for line in text.strip().splitlines())
    if len(cleaned) > MAX_ADDRESS_LENGTH:
        raise ValidationError(
            f"Keep the provider's address to {MAX_ADDRESS_LENGTH} characters.", "provider_address"
        )
    return cleaned


def _apply(row: CandidacyRow, c: Candidacy, reviewed_on: date | None) -> None:
    row.indication = c.indication.value if c.indication else ""
    row.diagnosis_confirmed_by = c.diagnosis_confirmed_by
    row.diagnosis_confirmed_on = c.diagnosis_confirmed_on
    row.provider_name = c.provider_name
    row.provider_practice = c.provider_practice
    row.provider_phone = c.provider_phone
    row.provider_address = c.provider_address
    row.consultation_on = c.consultation_date
    row.history_reviewed_by = c.history_reviewed_by
    row.history_reviewed_on = reviewed_on
    row.pregnancy_test_applies = c.pregnancy_test_applies
    row.pregnancy_test_on = c.pregnancy_test_negative_on
    row.contraindication_flags = json.dumps(sorted(f.value for f in c.contraindications))
    row.medication_flags = json.dumps(sorted(m.value for m in c.medications))
    row.flag_detail = json.dumps(dict(sorted(c.flag_details.items())), ensure_ascii=False)


def _current_text(c: Candidacy, policy: ClinicPolicy) -> dict[str, str]:
    """The saved values a stale editor is shown instead of their own."""
    status = assess(c, policy)
    phone = format_phone(c.provider_phone, policy.phone_region) if c.provider_phone else ""
    return {
        "Indication": c.indication.label if c.indication else "",
        "Diagnosis confirmed by": c.diagnosis_confirmed_by,
        "Treating provider": ", ".join(
            part for part in (c.provider_name, c.provider_practice, phone) if part
        ),
        "Consultation": c.consultation_date.isoformat() if c.consultation_date else "",
        "History reviewed by": c.history_reviewed_by,
        "Flags": ", ".join(status.flag_labels),
        "Status": status.header,
    }


def update_candidacy(
    desk: Desk,
    patient_id: int,
    candidacy: Candidacy,
    *,
    history_reviewed_on: date | None = None,
    expected_version: int | None,
) -> CandidacyView:
    """Record the screening; StaleEdit if it changed since ``expected_version`` was loaded.

    ``expected_version`` is 0 for a patient never screened (``CandidacyView.version``).
    Saving without a change writes nothing.
    """
    actor = desk.require(*EDITING_ROLES)
    with desk.write() as uow:
        uow.get(Patient, patient_id, "patient")  # locks the patient: one first save wins
        policy = load_policy(uow.session)
        row = _existing_row(uow, patient_id, expected_version, policy)
        old = _view(patient_id, row, policy)
        today = desk.now().astimezone().date()
        new, reviewed_on = clean_candidacy(candidacy, history_reviewed_on, policy, today)
        changed = changed_fields(old.candidacy, old.history_reviewed_on, new, reviewed_on)
        _check_permitted(actor, changed)
        if not changed:
            return old
        if row is None:
            row = CandidacyRow(patient_id=patient_id)
            uow.session.add(row)
        _apply(row, new, reviewed_on)
        uow.touch(row)
        uow.session.flush()
        status = assess(new, policy)
        summary: dict[str, object] = {name: None for name in changed}
        uow.audit("candidacy.update", "patient", patient_id, summary)
        uow.commit()
        return replace(_view(patient_id, row, policy), status=status)


def _existing_row(
    uow: UnitOfWork, patient_id: int, expected_version: int | None, policy: ClinicPolicy
) -> CandidacyRow | None:
    row = uow.session.get(CandidacyRow, patient_id)
    if row is not None:
        current = _current_text(candidacy_from_values(_row_values(row)), policy)
        uow.check_version(row, expected_version, "screening record", current)
    return row
