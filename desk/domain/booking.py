"""Visit types, their default durations, and the conflicts that refuse a booking.

Times are naive local wall-clock datetimes: the clinic books and works in its own local
time, and opening hours are wall-clock times, so no time zone is involved. Intervals are
half-open: a visit ending at 10:00 does not overlap one starting at 10:00.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from desk.domain.errors import DeskError, ValidationError
from desk.domain.locale import format_date
from desk.domain.policy import ClinicPolicy

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class VisitType(StrEnum):
    CONSULTATION = "consultation"
    MOOD_INFUSION = "mood_infusion"
    PAIN_INFUSION = "pain_infusion"
    BOOSTER = "booster"
    MAINTENANCE = "maintenance"

    @property
    def label(self) -> str:
        return _VISIT_LABELS[self]

    @property
    def is_infusion(self) -> bool:
        return self is not VisitType.CONSULTATION

    @property
    def needs_chair(self) -> bool:
        """Infusions need a chair; a consultation happens in an office and may have none.

        A consultation booked into a chair anyway is checked against it like any visit.
        """
        return self.is_infusion


_VISIT_LABELS = {
    VisitType.CONSULTATION: "Consultation",
    VisitType.MOOD_INFUSION: "Mood Series infusion",
    VisitType.PAIN_INFUSION: "Pain Series infusion",
    VisitType.BOOSTER: "Booster",
    VisitType.MAINTENANCE: "Maintenance",
}


def default_duration(visit_type: VisitType, policy: ClinicPolicy) -> timedelta:
    """How long a visit of this type is booked for unless the receptionist changes it."""
    minutes = {
        VisitType.CONSULTATION: policy.consultation_minutes,
        VisitType.MOOD_INFUSION: policy.mood_infusion_minutes,
        VisitType.PAIN_INFUSION: policy.pain_infusion_minutes,
        VisitType.BOOSTER: policy.booster_minutes,
        VisitType.MAINTENANCE: policy.maintenance_minutes,
    }[visit_type]
    return timedelta(minutes=minutes)


@dataclass(frozen=True)
class BookedVisit:
    """A visit that holds its slot (not cancelled, not a no-show), as the service loads it.

    ``label`` names the visit in conflict messages, e.g. "Mood Series infusion 3 of 6,
    MRN 4821-0937"; without it the visit is named by its id.
    """

    visit_id: int
    patient_id: int
    start: datetime
    end: datetime
    chair: str | None
    label: str = ""

    @property
    def name(self) -> str:
        when = f"{self.start:%H:%M}–{self.end:%H:%M}"
        return f"{self.label or f'visit #{self.visit_id}'} ({when})"


@dataclass(frozen=True)
class SlotRequest:
    """A visit someone wants to book; ``visit_id`` is set when rescheduling that visit."""

    patient_id: int
    visit_type: VisitType
    start: datetime
    end: datetime
    chair: str | None
    visit_id: int | None = None


class ConflictKind(StrEnum):
    CHAIR_DOUBLE_BOOKED = "chair_double_booked"
    PATIENT_DOUBLE_BOOKED = "patient_double_booked"
    OUTSIDE_OPENING_HOURS = "outside_opening_hours"


@dataclass(frozen=True)
class Conflict:
    kind: ConflictKind
    message: str
    visit: BookedVisit | None = None  # the conflicting visit; None for opening hours


class BookingConflict(DeskError):
    """A booking refused because of its conflicts; ``str()`` names them all."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        self.conflicts = list(conflicts)
        super().__init__(" ".join(conflict.message for conflict in conflicts))


def overlaps(start_a: datetime, end_a: datetime, start_b: datetime, end_b: datetime) -> bool:
    """Whether two half-open intervals share any moment."""
    return start_a < end_b and start_b < end_a


def check_shape(request: SlotRequest, policy: ClinicPolicy) -> None:
    """ValidationError for a request that is not a slot at all (before any conflict check)."""
    if request.end <= request.start:
        raise ValidationError("The visit must end after it starts.", "end")
    if request.chair is None:
        if request.visit_type.needs_chair:
            raise ValidationError(f"Choose a chair for the {request.visit_type.label}.", "chair")
    elif request.chair not in policy.chairs:
        raise ValidationError(f"There is no chair called {request.chair!r}.", "chair")


def opening_hours_conflict(request: SlotRequest, policy: ClinicPolicy) -> Conflict | None:
    """Why the slot lies outside the clinic's days and hours, or None if it is inside."""
    day = request.start.date()
    hours = f"{policy.opening_time:%H:%M}–{policy.closing_time:%H:%M}"
    if day.weekday() not in policy.clinic_weekdays:
        message = f"The clinic is closed on {_WEEKDAY_NAMES[day.weekday()]}s."
    elif (
        request.end.date() != day
        or request.start.time() < policy.opening_time
        or request.end.time() > policy.closing_time
    ):
        message = f"{request.start:%H:%M}–{request.end:%H:%M} is outside opening hours ({hours})."
    else:
        return None
    return Conflict(ConflictKind.OUTSIDE_OPENING_HOURS, message)


def find_conflicts(
    request: SlotRequest, existing: Iterable[BookedVisit], policy: ClinicPolicy
) -> list[Conflict]:
    """Every reason the slot cannot be booked, each naming the visit in the way.

    Raises ValidationError when the request is malformed (see ``check_shape``).
    """
    check_shape(request, policy)
    conflicts: list[Conflict] = []
    hours = opening_hours_conflict(request, policy)
    if hours is not None:
        conflicts.append(hours)
    for visit in existing:
        if visit.visit_id == request.visit_id:
            continue  # rescheduling a visit never conflicts with its old self
        if not overlaps(request.start, request.end, visit.start, visit.end):
            continue
        if request.chair is not None and visit.chair == request.chair:
            message = f"{request.chair} is already booked for {visit.name}."
            conflicts.append(Conflict(ConflictKind.CHAIR_DOUBLE_BOOKED, message, visit))
        if visit.patient_id == request.patient_id:
            message = f"The patient already has {visit.name} at that time."
            conflicts.append(Conflict(ConflictKind.PATIENT_DOUBLE_BOOKED, message, visit))
    return conflicts


def ensure_bookable(
    request: SlotRequest, existing: Iterable[BookedVisit], policy: ClinicPolicy
) -> None:
    """Raise BookingConflict naming every conflict, or return if the slot is free."""
    conflicts = find_conflicts(request, existing, policy)
    if conflicts:
        raise BookingConflict(conflicts)


def next_open_day(day: date, policy: ClinicPolicy) -> date:
    """``day`` itself when the clinic opens that day, else the next day it does."""
    if not policy.clinic_weekdays:
        raise ValueError("the clinic policy has no clinic weekdays")
    while day.weekday() not in policy.clinic_weekdays:
        day += timedelta(days=1)
    return day


def day_name(day: date, policy: ClinicPolicy) -> str:
    """A day as people at the desk say it: "Sunday 29/11/2026"."""
    return f"{_WEEKDAY_NAMES[day.weekday()]} {format_date(day, policy)}"


def closed_day_notice(asked: date, shown: date, policy: ClinicPolicy) -> str:
    """The sentence that says a default date skipped closed days ("" when it did not)."""
    if asked == shown:
        return ""
    return (
        f"The clinic is closed on {day_name(asked, policy)}; "
        f"showing the next open day, {day_name(shown, policy)}."
    )


def no_show_refusal(start: datetime, today: date, policy: ClinicPolicy) -> str:
    """Why a visit starting at ``start`` cannot be a no-show yet ("" when it can).

    Nobody can fail to arrive for a visit that has not come: before its day the visit is
    cancelled, not closed as a no-show.
    """
    if start.date() <= today:
        return ""
    return (
        "A visit can be marked no-show only on its day or later; "
        f"this one is on {day_name(start.date(), policy)}. Cancel it instead."
    )
