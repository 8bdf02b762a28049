"""Vital signs: plausibility, policy limits, recovery check points and the time to leave."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from desk.domain.errors import ValidationError
from desk.domain.policy import ClinicPolicy


@dataclass(frozen=True)
class Vitals:
    """One set of measurements. Check it with ``validate_vitals`` when it is entered."""

    systolic: int
    diastolic: int
    heart_rate: int
    spo2: int
    temperature_c: float | None = None
    weight_kg: float | None = None

    @property
    def blood_pressure_text(self) -> str:
        return f"{self.systolic}/{self.diastolic}"


@dataclass(frozen=True)
class VitalsReading:
    """A measurement as recorded; re-measuring adds a reading and never replaces one."""

    vitals: Vitals
    taken_at: datetime
    taken_by: str


class VitalsVerdict(StrEnum):
    """What the policy limits say about a set of vitals."""

    OK = "ok"
    REVIEW = "review"
    HOLD = "hold"

    @property
    def label(self) -> str:
        return _VERDICT_LABELS[self]


_VERDICT_LABELS = {
    VitalsVerdict.OK: "Within limits",
    VitalsVerdict.REVIEW: "Clinician review",
    VitalsVerdict.HOLD: "Hold",
}
_VERDICT_ORDER = (VitalsVerdict.OK, VitalsVerdict.REVIEW, VitalsVerdict.HOLD)


@dataclass(frozen=True)
class VitalsFinding:
    """One value outside a policy limit; ``field`` names the Vitals attribute."""

    field: str
    verdict: VitalsVerdict
    reason: str


@dataclass(frozen=True)
class VitalsAssessment:
    """The overall verdict and the findings behind it (empty when OK)."""

    verdict: VitalsVerdict
    findings: tuple[VitalsFinding, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(f.reason for f in self.findings)


def validate_vitals(vitals: Vitals, policy: ClinicPolicy) -> None:
    """Raise ValidationError naming the field if a value cannot be a real reading."""
    limits: list[tuple[str, str, float | None, float, float, str]] = [
        ("systolic", "Systolic pressure", vitals.systolic,
         policy.vitals_systolic_min, policy.vitals_systolic_max, "mmHg"),
        ("diastolic", "Diastolic pressure", vitals.diastolic,
         policy.vitals_diastolic_min, policy.vitals_diastolic_max, "mmHg"),
        ("heart_rate", "Heart rate", vitals.heart_rate,
         policy.vitals_heart_rate_min, policy.vitals_heart_rate_max, "/min"),
        ("spo2", "SpO2", vitals.spo2, policy.vitals_spo2_min, policy.vitals_spo2_max, "%"),
        ("temperature_c", "Temperature", vitals.temperature_c,
         policy.vitals_temperature_min_c, policy.vitals_temperature_max_c, "°C"),
        ("weight_kg", "Weight", vitals.weight_kg,
         policy.vitals_weight_min_kg, policy.vitals_weight_max_kg, "kg"),
    ]  # fmt: skip
    for field, name, value, low, high, unit in limits:
        # Written as "not within" so that NaN is refused too.
        if value is not None and not low <= value <= high:
            raise ValidationError(
                f"{name} {value:g} is outside the plausible range {low:g}–{high:g} {unit}; "
                "check the entry.",
                field,
            )
    if vitals.diastolic >= vitals.systolic:
        raise ValidationError(
            "Diastolic pressure must be lower than systolic; check the entry.", "diastolic"
        )


def classify_vitals(vitals: Vitals, policy: ClinicPolicy) -> VitalsAssessment:
    """OK / clinician review / hold, with a reason per value outside the policy limits.

    Validates first, so implausible numbers are never classified as anything.
    """
    validate_vitals(vitals, policy)
    findings = [
        *_blood_pressure_findings(vitals, policy),
        *_spo2_findings(vitals, policy),
        *_heart_rate_findings(vitals, policy),
    ]
    verdict = max((f.verdict for f in findings), key=_VERDICT_ORDER.index, default=VitalsVerdict.OK)
    return VitalsAssessment(verdict, tuple(findings))


def _blood_pressure_findings(v: Vitals, p: ClinicPolicy) -> list[VitalsFinding]:
    # "Above 140/90" means either number above its limit: 141/80 and 130/91 both count.
    bp = v.blood_pressure_text
    if v.systolic > p.bp_hold_systolic or v.diastolic > p.bp_hold_diastolic:
        limit = f"{p.bp_hold_systolic}/{p.bp_hold_diastolic}"
        reason = f"Blood pressure {bp} is above {limit}; hold the infusion."
        return [VitalsFinding("blood_pressure", VitalsVerdict.HOLD, reason)]
    if v.systolic > p.bp_review_systolic or v.diastolic > p.bp_review_diastolic:
        limit = f"{p.bp_review_systolic}/{p.bp_review_diastolic}"
        reason = f"Blood pressure {bp} is above {limit}; clinician review needed."
        return [VitalsFinding("blood_pressure", VitalsVerdict.REVIEW, reason)]
    return []


def _spo2_findings(v: Vitals, p: ClinicPolicy) -> list[VitalsFinding]:
    if v.spo2 < p.spo2_hold_below:
        reason = f"SpO2 {v.spo2} % is below {p.spo2_hold_below} %; hold the infusion."
        return [VitalsFinding("spo2", VitalsVerdict.HOLD, reason)]
    return []


def _heart_rate_findings(v: Vitals, p: ClinicPolicy) -> list[VitalsFinding]:
    if p.hr_review_low <= v.heart_rate <= p.hr_review_high:
        return []
    side = (
        f"below {p.hr_review_low}"
        if v.heart_rate < p.hr_review_low
        else f"above {p.hr_review_high}"
    )
    reason = f"Heart rate {v.heart_rate}/min is {side}; clinician review needed."
    return [VitalsFinding("heart_rate", VitalsVerdict.REVIEW, reason)]


class Checkpoint(StrEnum):
    """The REMS-style points at which vitals are taken."""

    BEFORE = "before"
    MID_INFUSION = "mid_infusion"
    END = "end"
    RECOVERY = "recovery"  # after the end window: not a REMS point, but its own phase

    @property
    def label(self) -> str:
        return _CHECKPOINT_LABELS[self]


_CHECKPOINT_LABELS = {
    Checkpoint.BEFORE: "Before the infusion",
    Checkpoint.MID_INFUSION: "During the infusion",
    Checkpoint.END: "End of the infusion",
    Checkpoint.RECOVERY: "Recovery",
}


def phase_label(checkpoint: Checkpoint | None) -> str:
    """A reading's phase in words; None is a reading during the infusion between checks."""
    return checkpoint.label if checkpoint is not None else "During the infusion (extra reading)"


class CheckpointState(StrEnum):
    DONE = "done"
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    NOT_NEEDED = "not_needed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class CheckpointStatus:
    """Where one check point stands; ``due_at`` is None until its time is known."""

    checkpoint: Checkpoint
    state: CheckpointState
    due_at: datetime | None = None


def checkpoint_for(
    taken_at: datetime,
    *,
    infusion_start: datetime | None,
    infusion_end: datetime | None,
    policy: ClinicPolicy,
) -> Checkpoint | None:
    """Which check point a reading taken at ``taken_at`` counts for, if any.

    *Before*: at or before the start (or any time while it has not started). *End*: within
    ``grace`` minutes either side of the end. *Recovery*: later than that. *Mid-infusion*:
    from ``grace`` minutes before start + ``mid_infusion_vitals_minutes`` until the end
    window. Other readings during the infusion are extra, periodic ones (None). Services
    may store the answer as the reading's tag; views recompute it from the times.
    """
    if infusion_start is None or taken_at <= infusion_start:
        return Checkpoint.BEFORE
    grace = timedelta(minutes=policy.vitals_checkpoint_grace_minutes)
    if infusion_end is not None and taken_at > infusion_end + grace:
        return Checkpoint.RECOVERY
    if infusion_end is not None and taken_at >= infusion_end - grace:
        return Checkpoint.END
    mid_due = infusion_start + timedelta(minutes=policy.mid_infusion_vitals_minutes)
    return Checkpoint.MID_INFUSION if taken_at >= mid_due - grace else None


def vitals_checkpoints(
    reading_times: Iterable[datetime],
    *,
    infusion_start: datetime | None,
    infusion_end: datetime | None,
    now: datetime,
    policy: ClinicPolicy,
) -> tuple[CheckpointStatus, CheckpointStatus, CheckpointStatus]:
    """The before / mid-infusion / end check points, given when readings were taken.

    Pass None for a start or end that has not happened yet. Which reading counts for
    which point is ``checkpoint_for``; a point not done is upcoming, due (within
    ``vitals_checkpoint_grace_minutes`` of its time) or overdue.
    """
    done = {
        checkpoint_for(t, infusion_start=infusion_start, infusion_end=infusion_end, policy=policy)
        for t in reading_times
    }
    grace = timedelta(minutes=policy.vitals_checkpoint_grace_minutes)
    return (
        _before_status(Checkpoint.BEFORE in done, infusion_start),
        _mid_status(
            Checkpoint.MID_INFUSION in done, infusion_start, infusion_end, now, grace, policy
        ),
        # A late end reading (recovery) still shows the patient's state at leaving.
        _end_status(
            bool(done & {Checkpoint.END, Checkpoint.RECOVERY}),
            infusion_start, infusion_end, now, grace,
        ),
    )


def next_check_due(statuses: Sequence[CheckpointStatus]) -> CheckpointStatus | None:
    """The first check point still to do (overdue, due or upcoming), for the board."""
    open_states = (CheckpointState.OVERDUE, CheckpointState.DUE, CheckpointState.UPCOMING)
    return next((s for s in statuses if s.state in open_states), None)


def ready_to_leave_at(infusion_end: datetime, policy: ClinicPolicy) -> datetime:
    """Earliest discharge without a nurse override: end + minimum observation time."""
    return infusion_end + timedelta(minutes=policy.min_observation_minutes)


def _before_status(done: bool, start: datetime | None) -> CheckpointStatus:
    if done:
        return CheckpointStatus(Checkpoint.BEFORE, CheckpointState.DONE, start)
    # Before the start the reading is due now; once the infusion has begun it is overdue.
    state = CheckpointState.DUE if start is None else CheckpointState.OVERDUE
    return CheckpointStatus(Checkpoint.BEFORE, state, start)


def _mid_status(
    done: bool,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
    grace: timedelta,
    policy: ClinicPolicy,
) -> CheckpointStatus:
    if start is None:
        return CheckpointStatus(Checkpoint.MID_INFUSION, CheckpointState.UPCOMING)
    due = start + timedelta(minutes=policy.mid_infusion_vitals_minutes)
    if done:
        state = CheckpointState.DONE
    elif end is not None and end <= due:
        state = CheckpointState.NOT_NEEDED  # a short infusion: the end reading covers it
    else:
        state = _open_state(due, now, grace)
    return CheckpointStatus(Checkpoint.MID_INFUSION, state, due)


def _end_status(
    done: bool, start: datetime | None, end: datetime | None, now: datetime, grace: timedelta
) -> CheckpointStatus:
    if start is None or end is None:
        return CheckpointStatus(Checkpoint.END, CheckpointState.UPCOMING)
    state = CheckpointState.DONE if done else _open_state(end, now, grace)
    return CheckpointStatus(Checkpoint.END, state, end)


def _open_state(due: datetime, now: datetime, grace: timedelta) -> CheckpointState:
    if now < due - grace:
        return CheckpointState.UPCOMING
    return CheckpointState.DUE if now <= due + grace else CheckpointState.OVERDUE
