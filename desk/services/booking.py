"""Booking visits and series (changing a booked visit is ``desk.services.visits``).

Times handed in and out are naive local wall-clock datetimes, as the clinic speaks of
them; the database stores aware UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.db.models import ClinicSettings, Patient, Series, Visit
from desk.domain import series as series_rules
from desk.domain.booking import (
    BookedVisit,
    SlotRequest,
    VisitType,
    default_duration,
    ensure_bookable,
    find_conflicts,
)
from desk.domain.candidacy import CandidacyStatus
from desk.domain.errors import DeskError, NotFound, ValidationError
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.domain.series import SeriesKind
from desk.domain.visit_states import VisitState
from desk.services.candidacy import load_status
from desk.services.context import Desk, UnitOfWork
from desk.services.settings import load_policy, policy_from_json

BOOKING_ROLES = (Role.RECEPTIONIST, Role.ADMIN)
MAX_REASON_CHARS = 1000


class ScreeningIncomplete(DeskError):
    """An infusion for a patient who is not (yet) a candidate, without an override."""

    def __init__(self, status: CandidacyStatus) -> None:
        self.status = status
        super().__init__(
            f"This patient's screening is not complete ({status.header}). "
            "An infusion needs an override with a reason."
        )


@dataclass(frozen=True)
class VisitView:
    id: int
    patient_id: int
    mrn: str
    visit_type: VisitType
    start: datetime  # naive local
    end: datetime
    chair: str | None
    status: VisitState
    series_id: int | None
    series_position: str  # "3 of 6", or "" outside a series
    status_reason: str
    screening_override_by: str | None
    late: bool
    version: int

    @property
    def label(self) -> str:
        position = f" {self.series_position}" if self.series_position else ""
        return f"{self.visit_type.label}{position}"


@dataclass(frozen=True)
class ProposedSlot:
    position: int
    total: int
    start: datetime  # naive local
    end: datetime
    chair: str
    note: str  # why the day or time differs from the one asked for ("" when it does not)


@dataclass(frozen=True)
class SeriesProposalView:
    kind: SeriesKind
    wanted: int
    window_last_day: date
    slots: tuple[ProposedSlot, ...]
    complete: bool
    shortfall: str  # "" when complete


@dataclass(frozen=True)
class SeriesSlot:
    """One infusion the receptionist wants booked: start (naive local) and chair."""

    start: datetime
    chair: str


# --- time and loading helpers ---------------------------------------------------------


def to_utc(local: datetime) -> datetime:
    """A naive local wall-clock time (or an aware one) as aware UTC."""
    return local.astimezone(UTC)  # naive datetimes are read as the machine's local time


def to_local(instant: datetime) -> datetime:
    """An aware instant as naive local wall-clock time."""
    return instant.astimezone().replace(tzinfo=None)


def screening_status(session: Session, patient_id: int, policy: ClinicPolicy) -> CandidacyStatus:
    """The patient's candidacy verdict from their screening row (none: nothing recorded)."""
    return load_status(session, patient_id, policy)


def visit_view(visit: Visit, mrn: str, total: int | None) -> VisitView:
    position = (
        series_rules.series_position(visit.series_index, total)
        if visit.series_index is not None and total
        else ""
    )
    return VisitView(
        id=visit.id,
        patient_id=visit.patient_id,
        mrn=mrn,
        visit_type=VisitType(visit.visit_type),
        start=to_local(visit.scheduled_start),
        end=to_local(visit.scheduled_end),
        chair=visit.chair,
        status=VisitState(visit.status),
        series_id=visit.series_id,
        series_position=position,
        status_reason=visit.status_reason,
        screening_override_by=visit.screening_override_by,
        late=visit.late,
        version=visit.version,
    )


def view_of(session: Session, visit: Visit) -> VisitView:
    mrn = session.scalars(select(Patient.mrn).where(Patient.id == visit.patient_id)).one()
    total = None
    if visit.series_id is not None:
        total = session.scalars(
            select(Series.planned_count).where(Series.id == visit.series_id)
        ).one()
    return visit_view(visit, mrn, total)


def get_visit(desk: Desk, visit_id: int) -> VisitView:
    """Any signed-in staff: one visit as it stands now."""
    desk.require()
    with desk.read() as session:
        visit = session.get(Visit, visit_id)
        if visit is None:
            raise NotFound("That visit no longer exists.")
        return view_of(session, visit)


_HOLDS_SLOT = (VisitState.CANCELLED.value, VisitState.NO_SHOW.value)


def booked_visits(session: Session, start: datetime, end: datetime) -> list[BookedVisit]:
    """Visits holding a slot that overlaps [start, end) (aware), named for conflict messages."""
    query = (
        select(Visit, Patient.mrn, Series.planned_count)
        .join(Patient, Visit.patient_id == Patient.id)
        .outerjoin(Series, Visit.series_id == Series.id)
        .where(
            Visit.scheduled_start < end,
            Visit.scheduled_end > start,
            Visit.status.not_in(_HOLDS_SLOT),
        )
    )
    booked = []
    for visit, mrn, total in session.execute(query):
        view = visit_view(visit, mrn, total)
        booked.append(
            BookedVisit(
                visit.id, visit.patient_id, view.start, view.end, visit.chair,
                f"{view.label}, MRN {mrn}",
            )
        )
    return booked


def _day_span(starts: Sequence[datetime]) -> tuple[datetime, datetime]:
    """Aware bounds covering the local days of ``starts`` (naive local), with a day spare."""
    first = datetime.combine(min(starts).date(), time.min)
    last = datetime.combine(max(starts).date() + timedelta(days=2), time.min)
    return to_utc(first), to_utc(last)


def _patient(uow: UnitOfWork, patient_id: int) -> Patient:
    return uow.get(Patient, patient_id, "patient")


def locked_policy(uow: UnitOfWork) -> ClinicPolicy:
    # Locking the settings row serialises bookings across PostgreSQL workstations, so two
    # desks cannot both see a chair free and book it; SQLite writers are serial anyway.
    return policy_from_json(uow.get(ClinicSettings, 1, "clinic").policy_json)


def _check_screening(
    uow: UnitOfWork, patient_id: int, visit_type: VisitType, reason: str | None,
    policy: ClinicPolicy,
) -> str:
    """The override reason to record ("" when none is needed); ScreeningIncomplete if absent."""
    if not visit_type.is_infusion:
        return ""
    status = screening_status(uow.session, patient_id, policy)
    if status.is_candidate:
        return ""
    text = (reason or "").strip()
    if not text:
        raise ScreeningIncomplete(status)
    if len(text) > MAX_REASON_CHARS:
        raise ValidationError("The override reason is too long.", "override_reason")
    return text


def not_in_past(now: datetime, start_local: datetime) -> None:
    """ValidationError for a start already gone (a minute's grace for the typing)."""
    if to_utc(start_local) < now - timedelta(minutes=1):
        raise ValidationError("That time has already passed; choose a later one.", "start")


# --- single visits --------------------------------------------------------------------


def book_visit(
    desk: Desk,
    patient_id: int,
    visit_type: VisitType,
    start_local: datetime,
    chair: str | None,
    *,
    duration: timedelta | None = None,
    screening_override_reason: str | None = None,
) -> VisitView:
    """Receptionist/admin: book one visit; refused naming any conflicting visit."""
    actor = desk.require(*BOOKING_ROLES)
    not_in_past(desk.now(), start_local)
    with desk.write() as uow:
        policy = locked_policy(uow)
        patient = _patient(uow, patient_id)
        end_local = start_local + (duration or default_duration(visit_type, policy))
        request = SlotRequest(patient_id, visit_type, start_local, end_local, chair)
        existing = booked_visits(uow.session, to_utc(start_local), to_utc(end_local))
        ensure_bookable(request, existing, policy)
        override = _check_screening(
            uow, patient_id, visit_type, screening_override_reason, policy
        )
        visit = _new_visit(uow, patient_id, visit_type, start_local, end_local, chair)
        if override:
            visit.screening_override_by = actor.username
            visit.screening_override_reason = override
        uow.session.add(visit)
        uow.session.flush()
        uow.audit("visit.book", "visit", visit.id, {
            "visit_type": visit_type.value, "chair": chair, "patient_id": patient_id,
            "screening_override": bool(override),
        })
        uow.commit()
        return visit_view(visit, patient.mrn, None)


def _new_visit(
    uow: UnitOfWork, patient_id: int, visit_type: VisitType, start: datetime, end: datetime,
    chair: str | None,
) -> Visit:
    visit = Visit(
        patient_id=patient_id, visit_type=visit_type.value, chair=chair,
        scheduled_start=to_utc(start), scheduled_end=to_utc(end),
        status=VisitState.SCHEDULED.value, created_at=uow.desk.now(),
    )
    uow.touch(visit)
    return visit


# --- series -----------------------------------------------------------------------------


def propose_series(
    desk: Desk, patient_id: int, kind: SeriesKind, start_date: date, preferred_time: time
) -> SeriesProposalView:
    """Receptionist/admin: six (or the clinic's number of) free slots within the window."""
    desk.require(*BOOKING_ROLES)
    with desk.read() as session:
        policy = load_policy(session)
        if session.get(Patient, patient_id) is None:
            raise NotFound("That patient no longer exists.")
        window = series_rules.series_rules(kind, policy).window_days
        span_start = datetime.combine(start_date, time.min)
        existing = booked_visits(
            session, to_utc(span_start), to_utc(span_start + timedelta(days=2 * window + 7))
        )
    proposal = series_rules.propose_series(
        kind, start_date, patient_id=patient_id, existing=existing, policy=policy,
        preferred_time=preferred_time,
    )
    slots = tuple(
        ProposedSlot(s.position, s.total, s.start, s.end, s.chair, s.note)
        for s in proposal.slots
    )
    return SeriesProposalView(
        kind, proposal.wanted, proposal.window_last_day, slots, proposal.complete,
        proposal.shortfall,
    )


def series_problems(
    desk: Desk, patient_id: int, kind: SeriesKind, slots: Sequence[SeriesSlot]
) -> tuple[tuple[str, ...], str | None]:
    """For the editable proposal: each slot's conflicts ("" if free) and the overrun warning."""
    desk.require(*BOOKING_ROLES)
    if not slots:
        return (), None
    with desk.read() as session:
        policy = load_policy(session)
        existing = booked_visits(session, *_day_span([s.start for s in slots]))
    # Kept in the order of the receptionist's table, so each text belongs to its row.
    requests = _series_requests(patient_id, kind, slots, policy, chronological=False)
    texts = []
    for i, request in enumerate(requests):
        try:
            found = find_conflicts(request, [*existing, *_others(requests, i)], policy)
        except ValidationError as exc:
            texts.append(str(exc))
            continue
        texts.append(" ".join(c.message for c in found))
    return tuple(texts), _overrun(kind, slots, policy)


def _series_requests(
    patient_id: int, kind: SeriesKind, slots: Sequence[SeriesSlot], policy: ClinicPolicy,
    *, chronological: bool = True,
) -> list[SlotRequest]:
    duration = series_rules.series_rules(kind, policy).duration
    ordered = sorted(slots, key=lambda s: s.start) if chronological else list(slots)
    return [
        SlotRequest(patient_id, kind.visit_type, s.start, s.start + duration, s.chair)
        for s in ordered
    ]


def _as_booked(requests: Sequence[SlotRequest]) -> list[BookedVisit]:
    # Negative ids: the series' own other infusions, not yet in the database.
    return [
        BookedVisit(-(i + 1), r.patient_id, r.start, r.end, r.chair,
                    f"infusion {i + 1} of this series")
        for i, r in enumerate(requests)
    ]


def _others(requests: Sequence[SlotRequest], skip: int) -> list[BookedVisit]:
    return [b for i, b in enumerate(_as_booked(requests)) if i != skip]


def _overrun(kind: SeriesKind, slots: Sequence[SeriesSlot], policy: ClinicPolicy) -> str | None:
    dates = [s.start.date() for s in slots]
    return series_rules.series_overrun(min(dates), dates, policy, kind)


def book_series(
    desk: Desk,
    patient_id: int,
    kind: SeriesKind,
    slots: Sequence[SeriesSlot],
    *,
    screening_override_reason: str | None = None,
) -> list[VisitView]:
    """Receptionist/admin: book every infusion of a series in one transaction, or none."""
    actor = desk.require(*BOOKING_ROLES)
    if not slots:
        raise ValidationError("There are no infusions to book.", "slots")
    for slot in slots:
        not_in_past(desk.now(), slot.start)
    with desk.write() as uow:
        policy = locked_policy(uow)
        patient = _patient(uow, patient_id)
        wanted = series_rules.series_rules(kind, policy).infusions
        if len(slots) > wanted:
            raise ValidationError(f"A {kind.label} has {wanted} infusions.", "slots")
        requests = _series_requests(patient_id, kind, slots, policy)
        existing = booked_visits(uow.session, *_day_span([s.start for s in slots]))
        for i, request in enumerate(requests):
            ensure_bookable(request, [*existing, *_as_booked(requests[:i])], policy)
        override = _check_screening(
            uow, patient_id, kind.visit_type, screening_override_reason, policy
        )
        series = Series(
            patient_id=patient_id, kind=kind.value, start_date=requests[0].start.date(),
            planned_count=wanted, created_at=desk.now(),
        )
        uow.session.add(series)
        uow.touch(series)
        visits = []
        for index, request in enumerate(requests, start=1):
            visit = _new_visit(
                uow, patient_id, kind.visit_type, request.start, request.end, request.chair
            )
            visit.series = series
            visit.series_index = index
            if override:
                visit.screening_override_by = actor.username
                visit.screening_override_reason = override
            uow.session.add(visit)
            visits.append(visit)
        uow.session.flush()
        uow.audit("series.book", "series", series.id, {
            "kind": kind.value, "patient_id": patient_id, "infusions": len(visits),
            "visit_ids": [v.id for v in visits], "screening_override": bool(override),
        })
        uow.commit()
        return [visit_view(v, patient.mrn, wanted) for v in visits]
