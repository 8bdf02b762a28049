"""Food and fluid rules: every boundary, unknown times, input limits and ready-time order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.domain.errors import ValidationError
from desk.domain.fasting import (
    FastingResult,
    IntakeTimes,
    PrepStatus,
    check_fasting,
    worst_status,
)
from desk.domain.policy import ClinicPolicy

CLINIC = timezone(timedelta(hours=-5))
START = datetime(2025, 3, 10, 10, 0, tzinfo=CLINIC)
NOW = START
POLICY = ClinicPolicy()


def _check(intake: IntakeTimes, *, start: datetime = START, now: datetime = NOW) -> FastingResult:
    return check_fasting(intake, planned_start=start, now=now, policy=POLICY)


def _before(hours: int = 0, minutes: int = 0, seconds: int = 0) -> datetime:
    return START - timedelta(hours=hours, minutes=minutes, seconds=seconds)


# --- food -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ate_before", "expected"),
    [
        (timedelta(0), PrepStatus.NOT_READY),
        (timedelta(hours=3, minutes=59), PrepStatus.NOT_READY),
        (timedelta(hours=3, minutes=59, seconds=59), PrepStatus.NOT_READY),
        (timedelta(hours=4), PrepStatus.OK),
        (timedelta(hours=4, minutes=1), PrepStatus.OK),
        (timedelta(hours=9), PrepStatus.OK),
    ],
    ids=["just-eaten", "3h59m", "3h59m59s", "4h00m", "4h01m", "9h"],
)
def test_food_rule_boundaries(ate_before: timedelta, expected: PrepStatus) -> None:
    result = _check(IntakeTimes(last_food_at=START - ate_before))
    assert result.food.status is expected


def test_food_three_hours_fifty_nine_minutes_is_not_ready() -> None:
    result = _check(IntakeTimes(last_food_at=_before(3, 59)))
    assert result.food.status is PrepStatus.NOT_READY
    assert result.food.ready_at == START + timedelta(minutes=1)


def test_food_four_hours_exactly_is_ok_without_a_ready_time() -> None:
    result = _check(IntakeTimes(last_food_at=_before(4)))
    assert result.food.status is PrepStatus.OK
    assert result.food.ready_at is None
    assert result.food.ok_at is None


def test_food_not_ready_says_when_the_patient_is_ready() -> None:
    result = _check(IntakeTimes(last_food_at=datetime(2025, 3, 10, 6, 40, tzinfo=CLINIC)))
    assert result.food.ready_at == datetime(2025, 3, 10, 10, 40, tzinfo=CLINIC)
    assert "Ready at 10:40" in result.food.reason
    assert "3 h 20 min before the start" in result.food.reason


def test_food_rule_follows_the_clinic_setting() -> None:
    policy = ClinicPolicy(fasting_food_hours=6)
    five_59 = check_fasting(
        IntakeTimes(last_food_at=_before(5, 59)), planned_start=START, now=NOW, policy=policy
    )
    six = check_fasting(
        IntakeTimes(last_food_at=_before(6)), planned_start=START, now=NOW, policy=policy
    )
    assert five_59.food.status is PrepStatus.NOT_READY
    assert six.food.status is PrepStatus.OK


def test_food_ready_time_is_shown_in_the_planned_start_time_zone() -> None:
    eaten_utc = datetime(2025, 3, 10, 11, 40, tzinfo=UTC)  # 06:40 clinic time
    result = _check(IntakeTimes(last_food_at=eaten_utc))
    assert "Ready at 10:40" in result.food.reason


# --- fluids -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("drank_before", "clear", "expected"),
    [
        (timedelta(minutes=0), True, PrepStatus.NOT_READY),
        (timedelta(minutes=59), True, PrepStatus.NOT_READY),
        (timedelta(minutes=60), True, PrepStatus.CAUTION),
        (timedelta(minutes=119), True, PrepStatus.CAUTION),
        (timedelta(minutes=120), True, PrepStatus.OK),
        (timedelta(minutes=90), False, PrepStatus.NOT_READY),
        (timedelta(hours=3, minutes=59), False, PrepStatus.NOT_READY),
        (timedelta(hours=4), False, PrepStatus.OK),
    ],
    ids=[
        "clear-0m",
        "clear-59m",
        "clear-1h00m",
        "clear-1h59m",
        "clear-2h00m",
        "not-clear-1h30m",
        "not-clear-3h59m",
        "not-clear-4h00m",
    ],
)
def test_fluid_rule_boundaries(drank_before: timedelta, clear: bool, expected: PrepStatus) -> None:
    result = _check(IntakeTimes(last_fluid_at=START - drank_before, clear_fluids_only=clear))
    assert result.fluids.status is expected


def test_clear_fluids_fifty_nine_minutes_is_not_ready_until_one_hour() -> None:
    drank = _before(minutes=59)
    result = _check(IntakeTimes(last_fluid_at=drank, clear_fluids_only=True))
    assert result.fluids.status is PrepStatus.NOT_READY
    assert result.fluids.ready_at == drank + timedelta(hours=1)
    assert result.fluids.ok_at == drank + timedelta(hours=2)


def test_clear_fluids_between_one_and_two_hours_is_caution_with_ok_time() -> None:
    drank = _before(hours=1, minutes=30)
    result = _check(IntakeTimes(last_fluid_at=drank, clear_fluids_only=True))
    assert result.fluids.status is PrepStatus.CAUTION
    assert result.fluids.ready_at is None
    assert result.fluids.ok_at == drank + timedelta(hours=2)
    assert "caution until 10:30" in result.fluids.reason


def test_non_clear_fluids_follow_the_food_rule() -> None:
    drank = _before(hours=2)
    result = _check(IntakeTimes(last_fluid_at=drank, clear_fluids_only=False))
    assert result.fluids.status is PrepStatus.NOT_READY
    assert result.fluids.ready_at == drank + timedelta(hours=4)
    assert "food rule" in result.fluids.reason


def test_non_clear_fluids_are_never_looser_than_clear_fluids() -> None:
    policy = ClinicPolicy(fasting_food_hours=0.5)
    drank = _before(hours=1, minutes=30)
    result = check_fasting(
        IntakeTimes(last_fluid_at=drank, clear_fluids_only=False),
        planned_start=START,
        now=NOW,
        policy=policy,
    )
    assert result.fluids.status is PrepStatus.NOT_READY


# --- unknown answers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("intake", "food", "fluids"),
    [
        (IntakeTimes(), PrepStatus.NOT_CONFIRMED, PrepStatus.NOT_CONFIRMED),
        (
            IntakeTimes(last_food_at=_before(9)),
            PrepStatus.OK,
            PrepStatus.NOT_CONFIRMED,
        ),
        (
            IntakeTimes(last_fluid_at=_before(9), clear_fluids_only=True),
            PrepStatus.NOT_CONFIRMED,
            PrepStatus.OK,
        ),
        (
            IntakeTimes(last_food_at=_before(9), last_fluid_at=_before(9)),
            PrepStatus.OK,
            PrepStatus.NOT_CONFIRMED,
        ),
        (
            IntakeTimes(last_food_at=_before(9), clear_fluids_only=True),
            PrepStatus.OK,
            PrepStatus.NOT_CONFIRMED,
        ),
    ],
    ids=["nothing-known", "no-fluid-time", "no-food-time", "clearness-unknown", "only-clearness"],
)
def test_unknown_times_are_not_confirmed_never_ok(
    intake: IntakeTimes, food: PrepStatus, fluids: PrepStatus
) -> None:
    result = _check(intake)
    assert (result.food.status, result.fluids.status) == (food, fluids)
    assert result.status is not PrepStatus.OK
    assert result.status.blocks


def test_not_confirmed_items_have_no_ready_time() -> None:
    result = _check(IntakeTimes())
    assert result.food.ready_at is None
    assert result.fluids.ready_at is None
    assert result.ready_at is None


def test_overall_ready_time_is_the_later_of_food_and_fluids() -> None:
    food = _before(3)  # ready 11:00
    fluids = _before(minutes=10)  # clear: ready 10:50
    result = _check(IntakeTimes(food, fluids, clear_fluids_only=True))
    assert result.status is PrepStatus.NOT_READY
    assert result.ready_at == START + timedelta(hours=1)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((), PrepStatus.OK),
        ((PrepStatus.OK, PrepStatus.CAUTION), PrepStatus.CAUTION),
        ((PrepStatus.CAUTION, PrepStatus.NOT_CONFIRMED), PrepStatus.NOT_CONFIRMED),
        ((PrepStatus.NOT_CONFIRMED, PrepStatus.NOT_READY), PrepStatus.NOT_READY),
    ],
)
def test_worst_status_orders_not_ready_above_not_confirmed_above_caution(
    statuses: tuple[PrepStatus, ...], expected: PrepStatus
) -> None:
    assert worst_status(statuses) is expected


# --- rejected input ---------------------------------------------------------------------


@pytest.mark.parametrize("field", ["last_food_at", "last_fluid_at"])
def test_a_time_after_now_is_rejected(field: str) -> None:
    later = NOW + timedelta(minutes=1)
    answers: dict[str, Any] = {field: later, "clear_fluids_only": True}
    intake = IntakeTimes(**answers)
    with pytest.raises(ValidationError) as caught:
        _check(intake)
    assert caught.value.field == field


@pytest.mark.parametrize("field", ["last_food_at", "last_fluid_at"])
def test_a_time_before_the_start_of_yesterday_is_rejected(field: str) -> None:
    too_early = datetime(2025, 3, 8, 23, 59, tzinfo=CLINIC)
    with pytest.raises(ValidationError) as caught:
        answers: dict[str, Any] = {field: too_early, "clear_fluids_only": True}
        _check(IntakeTimes(**answers))
    assert caught.value.field == field


def test_times_from_the_start_of_yesterday_until_now_are_accepted() -> None:
    start_of_yesterday = datetime(2025, 3, 9, 0, 0, tzinfo=CLINIC)
    result = _check(IntakeTimes(start_of_yesterday, NOW, clear_fluids_only=True))
    assert result.food.status is PrepStatus.OK
    assert result.fluids.status is PrepStatus.NOT_READY


def test_naive_datetimes_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _check(IntakeTimes(last_food_at=datetime(2025, 3, 10, 6, 0)))
    with pytest.raises(ValueError, match="timezone-aware"):
        check_fasting(
            IntakeTimes(), planned_start=START.replace(tzinfo=None), now=NOW, policy=POLICY
        )


def test_a_meal_after_a_planned_start_in_the_past_is_not_ready() -> None:
    # The start slipped: the patient ate at 10:15 for a 10:00 slot, checked at 10:30.
    ate = START + timedelta(minutes=15)
    result = _check(IntakeTimes(last_food_at=ate), now=START + timedelta(minutes=30))
    assert result.food.status is PrepStatus.NOT_READY
    assert result.food.ready_at == ate + timedelta(hours=4)
    assert "after the planned start" in result.food.reason


# --- properties -------------------------------------------------------------------------

EARLIEST = datetime(2025, 3, 9, 0, 0)
LATEST = datetime(2025, 3, 10, 10, 0)
_times = st.datetimes(min_value=EARLIEST, max_value=LATEST, timezones=st.just(CLINIC))
_starts = st.datetimes(
    min_value=datetime(2025, 3, 9, 6, 0), max_value=datetime(2025, 3, 10, 20, 0),
    timezones=st.just(CLINIC),
)  # fmt: skip
_clear = st.sampled_from([True, False])


def _effective_ready(result: FastingResult, start: datetime) -> datetime:
    # "OK now" is the same as "ready at the planned start" for ordering purposes.
    return result.ready_at or start


@given(a=_times, b=_times, start=_starts)
def test_a_later_meal_never_gives_an_earlier_ready_time(
    a: datetime, b: datetime, start: datetime
) -> None:
    earlier, later = sorted((a, b))
    first = _check(IntakeTimes(last_food_at=earlier), start=start)
    second = _check(IntakeTimes(last_food_at=later), start=start)
    assert _effective_ready(first, start) <= _effective_ready(second, start)


@given(a=_times, b=_times, clear=_clear, start=_starts)
def test_a_later_drink_never_gives_an_earlier_ready_time(
    a: datetime, b: datetime, clear: bool, start: datetime
) -> None:
    earlier, later = sorted((a, b))
    first = _check(IntakeTimes(last_fluid_at=earlier, clear_fluids_only=clear), start=start)
    second = _check(IntakeTimes(last_fluid_at=later, clear_fluids_only=clear), start=start)
    assert _effective_ready(first, start) <= _effective_ready(second, start)
    assert (first.fluids.ok_at or start) <= (second.fluids.ok_at or start)


@given(food=_times, fluid=_times, clear=_clear, start=_starts)
def test_the_ready_time_is_the_earliest_start_that_is_not_blocked(
    food: datetime, fluid: datetime, clear: bool, start: datetime
) -> None:
    intake = IntakeTimes(food, fluid, clear)
    ready_at = _check(intake, start=start).ready_at
    if ready_at is None:
        return
    assert not _check(intake, start=ready_at).status.blocks
    assert _check(intake, start=ready_at - timedelta(seconds=1)).status is PrepStatus.NOT_READY
