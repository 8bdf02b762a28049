"""Tomorrow's call list: each infusion patient is phoned the day before about prep and ride.

The receptionist ticks "ride confirmed" and "prep explained" on screen or prints the list
and records the ticks afterwards. "Ride confirmed" is the way home's phone confirmation
itself (``transport.set_phone_confirmation``): the board's Transport column, the way-home
panel and this list read that one record. "Prep explained" is recorded on the visit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from desk.db.models import Patient, Transport, Visit
from desk.domain.booking import VisitType
from desk.domain.consent import TreatmentType
from desk.domain.errors import TransitionRefused
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.domain.transport import TransportStatus
from desk.domain.visit_states import VisitState
from desk.pdf.call_list import CallList, CallListEntry, render_call_list
from desk.pdf.data import ClinicInfo, DocumentKind, new_document_id, prep_times
from desk.services.board import local_day_bounds
from desk.services.checkin import readable_phone
from desk.services.consent import treatment_for_visit_type
from desk.services.context import Desk
from desk.services.settings import clinic_info, load_policy
from desk.services.transport import set_phone_confirmation, transport_check
from desk.services.visits import current_values

CALL_ROLES = (Role.RECEPTIONIST, Role.ADMIN, Role.NURSE)


@dataclass(frozen=True)
class CallEntry:
    visit_id: int
    version: int
    starts_at: datetime  # aware, local time zone
    patient_name: str
    mrn: str
    phone: str  # formatted for dialling
    treatment: TreatmentType
    treatment_label: str
    no_food_after: datetime
    clear_fluids_until: datetime
    driver_name: str | None
    ride_confirmed: bool
    prep_explained: bool
    transport_version: int | None  # None while no way home is recorded


def call_list(desk: Desk, day: date) -> list[CallEntry]:
    """Receptionist/admin/nurse: the infusion visits of ``day`` still to happen, by time."""
    desk.require(*CALL_ROLES)
    start, end = local_day_bounds(day)
    infusions = [t.value for t in VisitType if t.is_infusion]
    query = (
        select(Visit, Patient, Transport)
        .join(Patient, Visit.patient_id == Patient.id)
        .outerjoin(Transport, Transport.visit_id == Visit.id)
        .where(
            Visit.scheduled_start >= start,
            Visit.scheduled_start < end,
            Visit.visit_type.in_(infusions),
            Visit.status == VisitState.SCHEDULED.value,
        )
        .order_by(Visit.scheduled_start, Visit.id)
    )
    with desk.read() as session:
        policy = load_policy(session)
        entries = []
        for visit, patient, transport in session.execute(query):
            starts_at = visit.scheduled_start.astimezone()
            times = prep_times(starts_at, policy)
            visit_type = VisitType(visit.visit_type)
            treatment = treatment_for_visit_type(visit.visit_type)
            assert treatment is not None  # the query keeps infusions only
            entries.append(CallEntry(
                visit_id=visit.id,
                version=visit.version,
                starts_at=starts_at,
                patient_name=_name(patient),
                mrn=patient.mrn,
                phone=readable_phone(patient.phone, policy.phone_region),
                treatment=treatment,
                treatment_label=visit_type.label,
                no_food_after=times.stop_food_at,
                clear_fluids_until=times.clear_fluids_until,
                driver_name=(transport.adult_name or None) if transport else None,
                ride_confirmed=is_ride_confirmed(transport, policy, starts_at, desk.now()),
                prep_explained=visit.prep_explained_by is not None,
                transport_version=transport.version if transport else None,
            ))
        return entries


def is_ride_confirmed(
    transport: Transport | None, policy: ClinicPolicy, starts_at: datetime, now: datetime
) -> bool:
    """Judged as the board judges it: at the later of the start and now."""
    check = transport_check(transport, policy, max(starts_at, now))
    return check.status is TransportStatus.CONFIRMED


def _name(patient: Patient) -> str:
    """The name to ask for on the phone: preferred name, with the legal name after it."""
    legal = f"{patient.legal_first_name} {patient.legal_last_name}"
    preferred = patient.preferred_name.strip()
    if preferred and preferred != patient.legal_first_name:
        return f"{preferred} ({legal})"
    return legal


def record_call(
    desk: Desk,
    visit_id: int,
    *,
    ride_confirmed: bool,
    prep_explained: bool,
    expected_version: int,
    transport_version: int | None = None,
) -> None:
    """Receptionist/admin/nurse: record the ticks from the call (who and when).

    The ride tick confirms (or takes back) the way home itself; only a receptionist or a
    nurse may do that, and only once the responsible adult is recorded.
    """
    actor = desk.require(*CALL_ROLES)
    with desk.write() as uow:
        visit = uow.get(Visit, visit_id, "visit")
        uow.check_version(visit, expected_version, "visit", current_values(visit))
        if VisitState(visit.status) is not VisitState.SCHEDULED:
            raise TransitionRefused("This visit is no longer on the call list.")
        policy = load_policy(uow.session)
        transport = uow.session.get(Transport, visit_id)
        starts_at = visit.scheduled_start.astimezone()
        if ride_confirmed != is_ride_confirmed(transport, policy, starts_at, desk.now()):
            set_phone_confirmation(uow, visit_id, ride_confirmed, transport_version)
        if prep_explained != (visit.prep_explained_by is not None):
            visit.prep_explained_by = actor.username if prep_explained else None
            visit.prep_explained_at = desk.now() if prep_explained else None
            uow.touch(visit)
            uow.audit("visit.call", "visit", visit.id, {"prep_explained": prep_explained})
        uow.commit()


def call_list_pdf(desk: Desk, day: date) -> bytes:
    """Receptionist/admin/nurse: the printable list; printing patient details is audited."""
    entries = call_list(desk, day)
    info = clinic_info(desk)
    document_id = new_document_id(DocumentKind.CALL_LIST, day)
    pdf = render_call_list(CallList(
        clinic=ClinicInfo(info.name, info.phone, info.address, info.costs_text),
        day=day,
        entries=tuple(
            CallListEntry(
                starts_at=e.starts_at, patient_name=e.patient_name, mrn=e.mrn, phone=e.phone,
                treatment=e.treatment, driver_name=e.driver_name,
                ride_confirmed=e.ride_confirmed, prep_explained=e.prep_explained,
            )
            for e in entries
        ),
        document_id=document_id,
        policy=info.policy,
        created_at=desk.now(),
    ))
    with desk.write() as uow:
        uow.audit("call_list.print", "call_list", document_id, {
            "day": day.isoformat(), "entries": len(entries),
        })
        uow.commit()
    return pdf
