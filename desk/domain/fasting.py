"""Food and fluid rules before an infusion, with the earliest time the patient is ready."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum

from desk.domain.errors import ValidationError
from desk.domain.locale import format_time
from desk.domain.policy import ClinicPolicy


class PrepStatus(StrEnum):
    """State of one prep checklist item, as the nurse sees it."""

    OK = "ok"
    CAUTION = "caution"
    NOT_READY = "not_ready"
    NOT_CONFIRMED = "not_confirmed"

    @property
    def label(self) -> str:
        return _PREP_STATUS_LABELS[self]

    @property
    def blocks(self) -> bool:
        """Whether this status stops the infusion from being cleared."""
        return self in (PrepStatus.NOT_READY, PrepStatus.NOT_CONFIRMED)


_PREP_STATUS_LABELS = {
    PrepStatus.OK: "OK",
    PrepStatus.CAUTION: "Caution",
    PrepStatus.NOT_READY: "Not ready",
    PrepStatus.NOT_CONFIRMED: "Not confirmed",
}

# Not ready first: a known, timed problem tells the desk more than an unanswered question.
_SEVERITY = (PrepStatus.OK, PrepStatus.CAUTION, PrepStatus.NOT_CONFIRMED, PrepStatus.NOT_READY)


def worst_status(statuses: Iterable[PrepStatus]) -> PrepStatus:
    """The most severe of ``statuses`` (OK for none): not ready > not confirmed > caution."""
    return max(statuses, key=_SEVERITY.index, default=PrepStatus.OK)


@dataclass(frozen=True)
class IntakeTimes:
    """What the patient reports about their last food and drink; None means not answered."""

    last_food_at: datetime | None = None
    last_fluid_at: datetime | None = None
    clear_fluids_only: bool | None = None


@dataclass(frozen=True)
class IntakeCheck:
    """The verdict on food or on fluids.

    ``ready_at`` is the earliest start at which the item stops blocking (set only when
    not ready); ``ok_at`` the earliest start at which it is plainly OK (set when not ready
    or caution). For food and non-clear fluids the two are equal.
    """

    status: PrepStatus
    reason: str
    ready_at: datetime | None = None
    ok_at: datetime | None = None


@dataclass(frozen=True)
class FastingResult:
    """Food and fluid verdicts for one planned start."""

    food: IntakeCheck
    fluids: IntakeCheck

    @property
    def status(self) -> PrepStatus:
        return worst_status((self.food.status, self.fluids.status))

    @property
    def ready_at(self) -> datetime | None:
        """Earliest start that neither food nor fluids block by time; None if none is timed.

        Items that are not confirmed have no time and are left out: they block until asked.
        """
        times = [t for t in (self.food.ready_at, self.fluids.ready_at) if t is not None]
        return max(times, default=None)


def check_fasting(
    intake: IntakeTimes, *, planned_start: datetime, now: datetime, policy: ClinicPolicy
) -> FastingResult:
    """Judge food and fluids against ``planned_start`` (aware datetimes, clinic time zone).

    Raises ValidationError (field ``last_food_at`` / ``last_fluid_at``) for a time after
    ``now`` or before the start of yesterday in ``now``'s time zone.
    """
    _require_aware(planned_start, "planned_start")
    _require_aware(now, "now")
    _validate_reported(intake.last_food_at, "last_food_at", "last solid food", now)
    _validate_reported(intake.last_fluid_at, "last_fluid_at", "last fluids", now)
    return FastingResult(
        food=_food_check(intake.last_food_at, planned_start, policy),
        fluids=_fluids_check(intake.last_fluid_at, intake.clear_fluids_only, planned_start, policy),
    )


def _food_check(ate_at: datetime | None, start: datetime, policy: ClinicPolicy) -> IntakeCheck:
    if ate_at is None:
        return IntakeCheck(PrepStatus.NOT_CONFIRMED, "Time of last solid food is not confirmed.")
    ready = ate_at + timedelta(hours=policy.fasting_food_hours)
    gap = _gap_text(ate_at, start)
    if start >= ready:
        return IntakeCheck(PrepStatus.OK, f"Last solid food {gap}.")
    return IntakeCheck(
        PrepStatus.NOT_READY,
        f"Last solid food {gap}; {_hours_text(policy.fasting_food_hours)} needed. "
        f"Ready at {_clock(ready, start.tzinfo, policy)}.",
        ready_at=ready,
        ok_at=ready,
    )


def _fluids_check(
    drank_at: datetime | None, clear: bool | None, start: datetime, policy: ClinicPolicy
) -> IntakeCheck:
    if drank_at is None:
        return IntakeCheck(PrepStatus.NOT_CONFIRMED, "Time of last fluids is not confirmed.")
    if clear is None:
        return IntakeCheck(
            PrepStatus.NOT_CONFIRMED, "Whether the last fluids were clear is not confirmed."
        )
    ready = drank_at + timedelta(minutes=policy.clear_fluids_not_ready_minutes)
    # A misconfigured caution window shorter than the not-ready one must not loosen the rule.
    ok = max(ready, drank_at + timedelta(minutes=policy.clear_fluids_caution_minutes))
    if not clear:
        # Milk, juice with pulp, smoothies: digested like food, so the food rule applies,
        # and never less strictly than the clear-fluid rule.
        ready = ok = max(ok, drank_at + timedelta(hours=policy.fasting_food_hours))
    kind = "clear fluids" if clear else "fluids (not clear, so the food rule applies)"
    gap = _gap_text(drank_at, start)
    if start >= ok:
        return IntakeCheck(PrepStatus.OK, f"Last {kind} {gap}.")
    if start >= ready:
        return IntakeCheck(
            PrepStatus.CAUTION,
            f"Last {kind} {gap}; caution until {_clock(ok, start.tzinfo, policy)}.",
            ok_at=ok,
        )
    return IntakeCheck(
        PrepStatus.NOT_READY,
        f"Last {kind} {gap}. Ready at {_clock(ready, start.tzinfo, policy)}.",
        ready_at=ready,
        ok_at=ok,
    )


def _validate_reported(value: datetime | None, field: str, what: str, now: datetime) -> None:
    if value is None:
        return
    _require_aware(value, field)
    if value > now:
        raise ValidationError(f"The time of {what} cannot be later than now.", field)
    yesterday = datetime.combine(now.date() - timedelta(days=1), time(), tzinfo=now.tzinfo)
    if value < yesterday:
        raise ValidationError(
            f"The time of {what} cannot be before yesterday; enter a time from yesterday or today.",
            field,
        )


def _require_aware(value: datetime, name: str) -> None:
    # A naive time is a programming error in the caller, not something a nurse typed.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _gap_text(earlier: datetime, start: datetime) -> str:
    if earlier > start:
        return "after the planned start"
    minutes = int((start - earlier).total_seconds() // 60)
    hours, mins = divmod(minutes, 60)
    if hours and mins:
        return f"{hours} h {mins} min before the start"
    return f"{hours} h before the start" if hours else f"{mins} min before the start"


def _hours_text(hours: float) -> str:
    return f"{hours:g} h"


def _clock(moment: datetime, zone: tzinfo | None, policy: ClinicPolicy) -> str:
    return format_time(moment.astimezone(zone), policy)
