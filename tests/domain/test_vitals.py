"""Vitals: plausible input, policy limits at every boundary, check points, time to leave."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from desk.domain.errors import ValidationError
from desk.domain.policy import ClinicPolicy
from desk.domain.vitals import (
    Checkpoint,
    CheckpointState,
    Vitals,
    VitalsVerdict,
    checkpoint_for,
    classify_vitals,
    next_check_due,
    ready_to_leave_at,
    validate_vitals,
    vitals_checkpoints,
)

POLICY = ClinicPolicy()
NORMAL = Vitals(
    systolic=120, diastolic=80, heart_rate=72, spo2=98, temperature_c=36.8, weight_kg=70
)
CLINIC = timezone(timedelta(hours=-5))
START = datetime(2025, 3, 10, 10, 0, tzinfo=CLINIC)


def _at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


# --- plausibility -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("systolic", 59),
        ("systolic", 261),
        ("diastolic", 29),
        ("diastolic", 161),
        ("heart_rate", 19),
        ("heart_rate", 251),
        ("spo2", 49),
        ("spo2", 101),
        ("temperature_c", 29.9),
        ("temperature_c", 45.1),
        ("temperature_c", float("nan")),
        ("weight_kg", 19.9),
        ("weight_kg", 400.1),
    ],
)
def test_implausible_values_are_refused_naming_the_field(field: str, value: float) -> None:
    changes: dict[str, Any] = {field: value}
    vitals = replace(NORMAL, **changes)
    with pytest.raises(ValidationError) as caught:
        validate_vitals(vitals, POLICY)
    assert caught.value.field == field
    assert "check the entry" in str(caught.value)


@pytest.mark.parametrize(
    "vitals",
    [
        Vitals(systolic=60, diastolic=30, heart_rate=20, spo2=50, temperature_c=30, weight_kg=20),
        Vitals(systolic=260, diastolic=160 - 1, heart_rate=250, spo2=100, temperature_c=45,
               weight_kg=400),
        Vitals(systolic=120, diastolic=80, heart_rate=72, spo2=98),
    ],
    ids=["lowest-plausible", "highest-plausible", "no-temperature-or-weight"],
)  # fmt: skip
def test_plausible_values_at_the_range_ends_are_accepted(vitals: Vitals) -> None:
    validate_vitals(vitals, POLICY)


@pytest.mark.parametrize(("systolic", "diastolic"), [(100, 100), (90, 110)])
def test_diastolic_not_below_systolic_is_refused(systolic: int, diastolic: int) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_vitals(replace(NORMAL, systolic=systolic, diastolic=diastolic), POLICY)
    assert caught.value.field == "diastolic"


def test_plausible_ranges_follow_the_clinic_setting() -> None:
    with pytest.raises(ValidationError):
        validate_vitals(replace(NORMAL, weight_kg=30), ClinicPolicy(vitals_weight_min_kg=40))


def test_classification_refuses_implausible_values_instead_of_classifying_them() -> None:
    with pytest.raises(ValidationError):
        classify_vitals(replace(NORMAL, spo2=30), POLICY)


# --- policy limits ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("systolic", "diastolic", "expected"),
    [
        (140, 90, VitalsVerdict.OK),
        (141, 90, VitalsVerdict.REVIEW),
        (140, 91, VitalsVerdict.REVIEW),
        (160, 100, VitalsVerdict.REVIEW),
        (161, 100, VitalsVerdict.HOLD),
        (160, 101, VitalsVerdict.HOLD),
        (150, 70, VitalsVerdict.REVIEW),
        (130, 105, VitalsVerdict.HOLD),
    ],
    ids=["140/90", "141/90", "140/91", "160/100", "161/100", "160/101", "150/70", "130/105"],
)
def test_blood_pressure_boundaries(systolic: int, diastolic: int, expected: VitalsVerdict) -> None:
    result = classify_vitals(replace(NORMAL, systolic=systolic, diastolic=diastolic), POLICY)
    assert result.verdict is expected


@pytest.mark.parametrize(
    ("spo2", "expected"),
    [(100, VitalsVerdict.OK), (94, VitalsVerdict.OK), (93, VitalsVerdict.HOLD)],
)
def test_spo2_below_ninety_four_holds(spo2: int, expected: VitalsVerdict) -> None:
    assert classify_vitals(replace(NORMAL, spo2=spo2), POLICY).verdict is expected


@pytest.mark.parametrize(
    ("heart_rate", "expected"),
    [
        (49, VitalsVerdict.REVIEW),
        (50, VitalsVerdict.OK),
        (110, VitalsVerdict.OK),
        (111, VitalsVerdict.REVIEW),
    ],
)
def test_heart_rate_outside_fifty_to_one_ten_needs_review(
    heart_rate: int, expected: VitalsVerdict
) -> None:
    assert classify_vitals(replace(NORMAL, heart_rate=heart_rate), POLICY).verdict is expected


def test_normal_vitals_are_ok_with_no_reasons() -> None:
    result = classify_vitals(NORMAL, POLICY)
    assert result.verdict is VitalsVerdict.OK
    assert result.reasons == ()


def test_blood_pressure_141_over_90_gives_a_review_reason() -> None:
    result = classify_vitals(replace(NORMAL, systolic=141, diastolic=90), POLICY)
    assert result.reasons == ("Blood pressure 141/90 is above 140/90; clinician review needed.",)


def test_every_finding_is_reported_and_the_worst_one_decides() -> None:
    vitals = replace(NORMAL, systolic=150, diastolic=95, spo2=93, heart_rate=120)
    result = classify_vitals(vitals, POLICY)
    assert result.verdict is VitalsVerdict.HOLD
    assert [f.field for f in result.findings] == ["blood_pressure", "spo2", "heart_rate"]
    assert [f.verdict for f in result.findings] == [
        VitalsVerdict.REVIEW,
        VitalsVerdict.HOLD,
        VitalsVerdict.REVIEW,
    ]


def test_blood_pressure_limits_follow_the_clinic_setting() -> None:
    policy = ClinicPolicy(bp_review_systolic=130, bp_review_diastolic=80)
    assert classify_vitals(replace(NORMAL, systolic=130), policy).verdict is VitalsVerdict.OK
    assert classify_vitals(replace(NORMAL, systolic=131), policy).verdict is VitalsVerdict.REVIEW


# --- recovery check points --------------------------------------------------------------


def _states(
    readings: list[datetime],
    *,
    now: datetime,
    start: datetime | None = START,
    end: datetime | None = None,
) -> tuple[CheckpointState, CheckpointState, CheckpointState]:
    before, mid, last = vitals_checkpoints(
        readings, infusion_start=start, infusion_end=end, now=now, policy=POLICY
    )
    assert (before.checkpoint, mid.checkpoint, last.checkpoint) == tuple(Checkpoint)[:3]
    return before.state, mid.state, last.state


D, DUE, OVER, UP, NN = (
    CheckpointState.DONE,
    CheckpointState.DUE,
    CheckpointState.OVERDUE,
    CheckpointState.UPCOMING,
    CheckpointState.NOT_NEEDED,
)


@pytest.mark.parametrize(
    ("readings", "now", "start", "end", "expected"),
    [
        ([], _at(-20), None, None, (DUE, UP, UP)),
        ([_at(-15)], _at(-10), None, None, (D, UP, UP)),
        ([], _at(5), START, None, (OVER, UP, UP)),
        ([_at(-10)], _at(20), START, None, (D, UP, UP)),
        ([_at(-10)], _at(29), START, None, (D, UP, UP)),
        ([_at(-10)], _at(30), START, None, (D, DUE, UP)),
        ([_at(-10)], _at(50), START, None, (D, DUE, UP)),
        ([_at(-10)], _at(51), START, None, (D, OVER, UP)),
        ([_at(-10), _at(30)], _at(51), START, None, (D, D, UP)),
        ([_at(-10), _at(29)], _at(51), START, None, (D, OVER, UP)),
        ([_at(-10), _at(40)], _at(120), START, _at(120), (D, D, DUE)),
        ([_at(-10), _at(40), _at(110)], _at(125), START, _at(120), (D, D, D)),
        ([_at(-10), _at(40), _at(109)], _at(130), START, _at(120), (D, D, DUE)),
        ([_at(-10), _at(40)], _at(131), START, _at(120), (D, D, OVER)),
        ([_at(-10), _at(109)], _at(131), START, _at(120), (D, D, OVER)),
        ([_at(-10), _at(30)], _at(45), START, _at(30), (D, NN, D)),
        ([_at(-10), _at(40)], _at(45), START, _at(40), (D, NN, D)),
    ],
    ids=[
        "not-started-no-reading",
        "not-started-with-reading",
        "started-without-before-reading",
        "mid-upcoming",
        "mid-upcoming-until-grace",
        "mid-due-from-grace",
        "mid-due-until-grace-after",
        "mid-overdue",
        "mid-reading-at-start-of-window",
        "mid-reading-too-early",
        "end-due",
        "end-reading-in-window",
        "end-reading-too-early-is-mid",
        "end-overdue",
        "early-reading-counts-for-mid-not-end",
        "short-infusion-mid-not-needed",
        "ended-at-mid-time-mid-not-needed",
    ],
)
def test_checkpoint_states(
    readings: list[datetime],
    now: datetime,
    start: datetime | None,
    end: datetime | None,
    expected: tuple[CheckpointState, CheckpointState, CheckpointState],
) -> None:
    assert _states(readings, now=now, start=start, end=end) == expected


@pytest.mark.parametrize(
    ("minutes", "end", "expected"),
    [
        (-5, None, Checkpoint.BEFORE),
        (0, None, Checkpoint.BEFORE),
        (15, None, None),
        (29, None, None),
        (30, None, Checkpoint.MID_INFUSION),
        (95, None, Checkpoint.MID_INFUSION),
        (109, _at(120), Checkpoint.MID_INFUSION),
        (110, _at(120), Checkpoint.END),
        (130, _at(120), Checkpoint.END),
        (131, _at(120), Checkpoint.RECOVERY),  # a recovery reading is never "the end"
        (150, _at(120), Checkpoint.RECOVERY),
    ],
)
def test_checkpoint_for_a_reading_follows_the_windows(
    minutes: int, end: datetime | None, expected: Checkpoint | None
) -> None:
    tag = checkpoint_for(_at(minutes), infusion_start=START, infusion_end=end, policy=POLICY)
    assert tag is expected


def test_every_reading_counts_as_before_while_the_infusion_has_not_started() -> None:
    assert checkpoint_for(_at(60), infusion_start=None, infusion_end=None, policy=POLICY) is (
        Checkpoint.BEFORE
    )


def test_checkpoint_due_times_follow_start_and_end() -> None:
    statuses = vitals_checkpoints(
        [], infusion_start=START, infusion_end=_at(90), now=_at(95), policy=POLICY
    )
    assert [s.due_at for s in statuses] == [START, _at(40), _at(90)]


def test_mid_infusion_check_follows_the_clinic_setting() -> None:
    policy = ClinicPolicy(mid_infusion_vitals_minutes=60, vitals_checkpoint_grace_minutes=5)
    _, mid, _ = vitals_checkpoints(
        [_at(-5), _at(54)], infusion_start=START, infusion_end=None, now=_at(70), policy=policy
    )
    assert mid.due_at == _at(60)
    assert mid.state is CheckpointState.OVERDUE


def test_next_check_due_is_the_first_open_checkpoint() -> None:
    statuses = vitals_checkpoints(
        [_at(-10)], infusion_start=START, infusion_end=None, now=_at(20), policy=POLICY
    )
    upcoming = next_check_due(statuses)
    assert upcoming is not None
    assert (upcoming.checkpoint, upcoming.due_at) == (Checkpoint.MID_INFUSION, _at(40))


def test_next_check_due_is_none_when_every_checkpoint_is_done() -> None:
    statuses = vitals_checkpoints(
        [_at(-10), _at(40), _at(120)],
        infusion_start=START,
        infusion_end=_at(120),
        now=_at(125),
        policy=POLICY,
    )
    assert next_check_due(statuses) is None


# --- discharge time ---------------------------------------------------------------------


def test_ready_to_leave_thirty_minutes_after_the_end_by_default() -> None:
    assert ready_to_leave_at(_at(120), POLICY) == _at(150)


def test_ready_to_leave_follows_the_minimum_observation_setting() -> None:
    assert ready_to_leave_at(_at(120), ClinicPolicy(min_observation_minutes=45)) == _at(165)
