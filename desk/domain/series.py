"""Infusion series: proposing the slots of a Mood or Pain series, its window, and boosters.

A series is ``infusions`` visits whose dates all fall within ``window_days`` counted from
the first infusion (day 1 is the first infusion's day). Times are naive local wall-clock
datetimes, as in ``booking``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from desk.domain.booking import (
    BookedVisit,
    ConflictKind,
    SlotRequest,
    VisitType,
    day_name,
    find_conflicts,
    next_open_day,
)
from desk.domain.policy import ClinicPolicy


class SeriesKind(StrEnum):
    MOOD = "mood"
    PAIN = "pain"

    @property
    def label(self) -> str:
        return f"{self.value.capitalize()} Series"

    @property
    def visit_type(self) -> VisitType:
        return VisitType.MOOD_INFUSION if self is SeriesKind.MOOD else VisitType.PAIN_INFUSION


@dataclass(frozen=True)
class SeriesRules:
    infusions: int
    window_days: int
    duration: timedelta


def series_rules(kind: SeriesKind, policy: ClinicPolicy) -> SeriesRules:
    """The clinic's numbers for a series of this kind."""
    if kind is SeriesKind.MOOD:
        return SeriesRules(
            policy.mood_series_infusions,
            policy.mood_series_window_days,
            timedelta(minutes=policy.mood_infusion_minutes),
        )
    return SeriesRules(
        policy.pain_series_infusions,
        policy.pain_series_window_days,
        timedelta(minutes=policy.pain_infusion_minutes),
    )


def series_position(index: int, total: int) -> str:
    """The place of an infusion in its series, "3 of 6"; ``index`` counts from 1."""
    if not 1 <= index <= total:
        raise ValueError(f"infusion {index} is not within a series of {total}")
    return f"{index} of {total}"


def window_last_day(first_date: date, kind: SeriesKind, policy: ClinicPolicy) -> date:
    """The last day on which an infusion still falls within the series window."""
    return first_date + timedelta(days=series_rules(kind, policy).window_days - 1)


def series_overrun(
    first_date: date, dates: Sequence[date], policy: ClinicPolicy, kind: SeriesKind
) -> str | None:
    """A warning when any infusion falls after the window, else None.

    ``dates`` are the series' infusion dates (booked or proposed), in any order.
    """
    last_allowed = window_last_day(first_date, kind, policy)
    late = sorted(d for d in dates if d > last_allowed)
    if not late:
        return None
    days = (late[-1] - last_allowed).days
    return (
        f"The {kind.label} runs {days} day{'s' if days != 1 else ''} past its "
        f"{series_rules(kind, policy).window_days}-day window, which ends on "
        f"{last_allowed.strftime(policy.date_format)}."
    )


def booster_due_date(last_infusion: date, policy: ClinicPolicy) -> date:
    """When a booster is due after the last infusion of a series."""
    return last_infusion + timedelta(days=policy.booster_due_days_after_series)


def is_booster_due(last_infusion: date, today: date, policy: ClinicPolicy) -> bool:
    """Whether the board should say a booster is due (the service knows if one is booked)."""
    return today >= booster_due_date(last_infusion, policy)


@dataclass(frozen=True)
class ProposedInfusion:
    position: int
    total: int
    start: datetime
    end: datetime
    chair: str
    note: str = ""  # why the day or time differs from what was asked ("" when it does not)

    @property
    def label(self) -> str:
        return series_position(self.position, self.total)


@dataclass(frozen=True)
class SeriesProposal:
    """Proposed slots; fewer than ``wanted`` when the window has no room for them all."""

    kind: SeriesKind
    wanted: int
    window_last_day: date
    slots: tuple[ProposedInfusion, ...]

    @property
    def complete(self) -> bool:
        return len(self.slots) == self.wanted

    @property
    def shortfall(self) -> str:
        """Empty when complete, else a sentence for the receptionist."""
        if self.complete:
            return ""
        return (
            f"Only {len(self.slots)} of {self.wanted} infusions fit in free chairs before "
            f"the window ends; choose another start date or adjust by hand."
        )


@dataclass(frozen=True)
class _Search:
    """What stays fixed while one proposal is searched for."""

    patient_id: int
    visit_type: VisitType
    duration: timedelta
    preferred: time
    busy: tuple[BookedVisit, ...]
    policy: ClinicPolicy


def propose_series(
    kind: SeriesKind,
    start_date: date,
    *,
    patient_id: int,
    existing: Sequence[BookedVisit],
    policy: ClinicPolicy,
    preferred_time: time | None = None,
    duration: timedelta | None = None,
) -> SeriesProposal:
    """Propose the slots of a new series starting on or after ``start_date``.

    Infusions are spaced ``policy.series_preferred_gap_days`` apart (Mon/Wed/Fri-like);
    when that does not fit in the window, ``policy.series_min_gap_days``. Each slot is
    on a clinic day, within opening hours, as close to ``preferred_time`` as a free chair
    allows (the chair of the previous infusion first), and never overlaps ``existing``:
    the chairs' bookings and every visit of this patient.
    """
    rules = series_rules(kind, policy)
    search = _Search(
        patient_id=patient_id,
        visit_type=kind.visit_type,
        duration=duration or rules.duration,
        preferred=preferred_time or policy.opening_time,
        busy=tuple(existing),
        policy=policy,
    )
    best: tuple[ProposedInfusion, ...] = ()
    for gap in (policy.series_preferred_gap_days, policy.series_min_gap_days):
        slots = _greedy(search, start_date, rules, gap)
        if len(slots) > len(best):
            best = slots
        if len(best) == rules.infusions:
            break
    first_day = best[0].start.date() if best else next_open_day(start_date, policy)
    return SeriesProposal(kind, rules.infusions, window_last_day(first_day, kind, policy), best)


def _greedy(
    search: _Search, start_date: date, rules: SeriesRules, gap: int
) -> tuple[ProposedInfusion, ...]:
    """Each infusion on the earliest clinic day with a free slot, ``gap`` days apart."""
    slots: list[ProposedInfusion] = []
    wanted = start_date  # the day the spacing asks for; closed or full days push it on
    day = next_open_day(wanted, search.policy)
    full_days: list[date] = []
    chair: str | None = None
    while len(slots) < rules.infusions:
        if slots and (day - slots[0].start.date()).days >= rules.window_days:
            break
        if not slots and (day - start_date).days >= rules.window_days:
            break  # no free slot anywhere near the start date: give up, don't loop forever
        found = _free_slot(search, day, chair)
        if found is None:
            full_days.append(day)
            day = _next_clinic_day(day, search.policy)
            continue
        start, chair = found
        note = _day_note(search, wanted if not slots else None, full_days)
        note += _time_note(search, start, chair)
        slots.append(ProposedInfusion(
            len(slots) + 1, rules.infusions, start, start + search.duration, chair, note.strip()
        ))
        wanted, full_days = day + timedelta(days=gap), []
        day = next_open_day(wanted, search.policy)
    return tuple(slots)


def _day_note(search: _Search, asked: date | None, full_days: Sequence[date]) -> str:
    """Why the infusion is not on the day asked for (``asked``: the first infusion's start
    date; later ones follow the desk's own spacing, which steps over closed days quietly)
    or on the day its spacing gave (full days)."""
    policy = search.policy
    parts = []
    if asked is not None and asked.weekday() not in policy.clinic_weekdays:
        parts.append(f"The clinic is closed on {day_name(asked, policy)}.")
    parts.extend(f"No chair is free on {day_name(full, policy)}." for full in full_days)
    return " ".join(parts) + " " if parts else ""


def _time_note(search: _Search, start: datetime, chair: str) -> str:
    """Why the infusion does not start at the preferred time ("" when it does)."""
    asked = datetime.combine(start.date(), search.preferred)
    if start == asked:
        return ""
    fmt = search.policy.time_format
    request = SlotRequest(search.patient_id, search.visit_type, asked, asked + search.duration,
                          chair)
    kinds = {c.kind: c for c in find_conflicts(request, search.busy, search.policy)}
    if ConflictKind.OUTSIDE_OPENING_HOURS in kinds:
        why = kinds[ConflictKind.OUTSIDE_OPENING_HOURS].message
    elif ConflictKind.PATIENT_DOUBLE_BOOKED in kinds:
        why = kinds[ConflictKind.PATIENT_DOUBLE_BOOKED].message
    else:
        why = f"Every chair is taken at {asked:{fmt}}."
    return f"{why} Nearest free start: {start:{fmt}}."


def _free_slot(search: _Search, day: date, last_chair: str | None) -> tuple[datetime, str] | None:
    """The start time nearest the preferred time on ``day`` with a free chair."""
    chairs = list(search.policy.chairs)
    if last_chair in chairs:
        chairs.remove(last_chair)
        chairs.insert(0, last_chair)
    for start in _start_times(search, day):
        for chair in chairs:
            request = SlotRequest(
                search.patient_id, search.visit_type, start, start + search.duration, chair
            )
            if not find_conflicts(request, search.busy, search.policy):
                return start, chair
    return None


def _start_times(search: _Search, day: date) -> Iterator[datetime]:
    """Start times within opening hours, nearest to the preferred time first."""
    opening = datetime.combine(day, search.policy.opening_time)
    latest = datetime.combine(day, search.policy.closing_time) - search.duration
    if latest < opening:
        return
    preferred = min(max(datetime.combine(day, search.preferred), opening), latest)
    step = timedelta(minutes=search.policy.booking_step_minutes)
    yield preferred
    offset = step
    while preferred - offset >= opening or preferred + offset <= latest:
        if preferred + offset <= latest:
            yield preferred + offset
        if preferred - offset >= opening:
            yield preferred - offset
        offset += step


def _next_clinic_day(day: date, policy: ClinicPolicy) -> date:
    return next_open_day(day + timedelta(days=1), policy)
