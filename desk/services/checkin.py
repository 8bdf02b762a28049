"""Checking a patient in: identity read back, arrival time, contact details, screening.

The story, in order: the desk reads the date of birth back to the patient, confirms the
phone and emergency contact with them (corrections go through the patient form, which
keeps validation and search keys in one place), notes the arrival time (late when after
the slot), and for an infusion makes sure screening is complete or a nurse or admin has
overridden it with a reason. Then the visit becomes *arrived* for the nurse station.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import phonenumbers

from desk.db.models import Patient, Visit
from desk.domain.booking import VisitType
from desk.domain.errors import NotFound, NotPermitted, ValidationError
from desk.domain.phones import format_phone
from desk.domain.roles import Role
from desk.domain.visit_states import VisitState
from desk.services.booking import (
    MAX_REASON_CHARS,
    ScreeningIncomplete,
    VisitView,
    screening_status,
    to_local,
    to_utc,
    visit_view,
)
from desk.services.context import Desk, UnitOfWork
from desk.services.settings import load_policy
from desk.services.visits import change_status, current_values

CHECK_IN_ROLES = (Role.RECEPTIONIST, Role.NURSE, Role.ADMIN)
OVERRIDE_ROLES = (Role.NURSE, Role.ADMIN)
# Clocks on two workstations differ a little; an arrival a minute "ahead" is not a typo.
_CLOCK_SLACK = timedelta(minutes=2)


@dataclass(frozen=True)
class CheckInSheet:
    """What the check-in screen shows before anybody presses Check in."""

    visit: VisitView
    preferred_name: str
    legal_name: str
    phone: str
    emergency_name: str
    emergency_phone: str
    emergency_relationship: str
    patient_version: int
    screening_complete: bool
    screening_text: str  # "candidate", "screening incomplete: …", "flagged: …"
    screening_details: str
    needs_override: bool  # an infusion for a patient who is not a candidate
    may_override: bool  # the signed-in person may give that override


def check_in_sheet(desk: Desk, visit_id: int) -> CheckInSheet:
    """Receptionist/nurse/admin: the visit, the patient's contact details and screening."""
    actor = desk.require(*CHECK_IN_ROLES)
    with desk.read() as session:
        policy = load_policy(session)
        visit = session.get(Visit, visit_id)
        if visit is None:
            raise NotFound("That visit no longer exists.")
        patient = visit.patient
        total = visit.series.planned_count if visit.series else None
        status = screening_status(session, patient.id, policy)
        region = policy.phone_region
        return CheckInSheet(
            visit=visit_view(visit, patient.mrn, total),
            preferred_name=patient.preferred_name or patient.legal_first_name,
            legal_name=f"{patient.legal_first_name} {patient.legal_last_name}",
            phone=readable_phone(patient.phone, region),
            emergency_name=patient.emergency_name,
            emergency_phone=readable_phone(patient.emergency_phone, region),
            emergency_relationship=patient.emergency_relationship,
            patient_version=patient.version,
            screening_complete=status.is_candidate,
            screening_text=status.header,
            screening_details=status.details,
            needs_override=VisitType(visit.visit_type).is_infusion and not status.is_candidate,
            may_override=actor.has(*OVERRIDE_ROLES),
        )


def readable_phone(e164: str, region: str) -> str:
    """A stored E.164 number as people read it (as stored if it does not parse)."""
    try:
        return format_phone(e164, region) if e164 else ""
    except phonenumbers.NumberParseException:
        return e164  # stored before normalisation existed: show it as typed


def check_in(
    desk: Desk,
    visit_id: int,
    *,
    dob_confirmed: date,
    contact_confirmed: bool,
    expected_version: int,
    arrived_at_local: datetime | None = None,
    screening_override_reason: str | None = None,
) -> VisitView:
    """Receptionist/nurse/admin: the patient is here; the visit becomes *arrived*."""
    actor = desk.require(*CHECK_IN_ROLES)
    if not contact_confirmed:
        raise ValidationError(
            "Confirm the phone number and emergency contact with the patient.", "contact"
        )
    with desk.write() as uow:
        visit = uow.get(Visit, visit_id, "visit")
        uow.check_version(visit, expected_version, "visit", current_values(visit))
        patient = uow.get(Patient, visit.patient_id, "patient")
        if patient.dob != dob_confirmed:
            raise ValidationError(
                "The date of birth does not match the record: check you have the right "
                "patient before checking in.", "dob",
            )
        arrived_at = _arrival(desk, visit, arrived_at_local)
        override = _screening_override(uow, visit, screening_override_reason)
        change_status(uow, visit, VisitState.ARRIVED, "")
        visit.arrived_at = arrived_at
        visit.late = arrived_at > visit.scheduled_start
        visit.identity_confirmed_by = actor.username
        uow.session.flush()
        uow.audit("visit.check_in", "visit", visit.id, {
            "status": VisitState.ARRIVED.value, "late": visit.late,
            "screening_override": override,
        })
        uow.commit()
        total = visit.series.planned_count if visit.series else None
        return visit_view(visit, patient.mrn, total)


def _arrival(desk: Desk, visit: Visit, arrived_at_local: datetime | None) -> datetime:
    """The arrival instant: now unless typed; not in the future, and on the visit's day."""
    now = desk.now()
    arrived = now if arrived_at_local is None else to_utc(arrived_at_local)
    if arrived > now + _CLOCK_SLACK:
        raise ValidationError("The arrival time is in the future.", "arrived_at")
    if to_local(arrived).date() != to_local(visit.scheduled_start).date():
        raise ValidationError(
            "A patient can be checked in only on the day of the visit.", "arrived_at"
        )
    return arrived


def _screening_override(uow: UnitOfWork, visit: Visit, reason: str | None) -> bool:
    """Whether a nurse/admin override was recorded; ScreeningIncomplete when one is missing."""
    if not VisitType(visit.visit_type).is_infusion:
        return False
    status = screening_status(uow.session, visit.patient_id, load_policy(uow.session))
    if status.is_candidate:
        return False
    text = (reason or "").strip()
    if not text:
        raise ScreeningIncomplete(status)
    actor = uow.desk.require()
    if not actor.has(*OVERRIDE_ROLES):
        raise NotPermitted(
            "Only a nurse or an admin may check in an infusion while screening is incomplete."
        )
    if len(text) > MAX_REASON_CHARS:
        raise ValidationError("The override reason is too long.", "override_reason")
    # A booking-time override stays readable; the check-in one is added below it.
    earlier = visit.screening_override_reason.strip()
    line = f"At check-in ({actor.username}): {text}"
    visit.screening_override_reason = f"{earlier}\n{line}" if earlier else line
    visit.screening_override_by = actor.username
    return True
