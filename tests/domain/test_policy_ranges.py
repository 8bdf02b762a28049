"""Every policy number has a range; a clinic can never lock itself out."""

from __future__ import annotations

from dataclasses import replace

import pytest

from desk.domain.errors import ValidationError
from desk.domain.policy import RANGES, ClinicPolicy, check_setting, clamp_setting, validate_policy


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("idle_lock_minutes", 0, "1–60 min"),
        ("idle_lock_minutes", 61, "1–60 min"),
        ("lockout_minutes", 0, "1–1440 min"),
        ("lockout_minutes", 10**12, "1–1440 min"),
        ("lockout_attempts", 2, "3–20 attempts"),
        ("lockout_attempts", 21, "3–20 attempts"),
        ("password_min_length", 7, "8–128 characters"),
        ("min_observation_minutes", -1, "0–480 min"),
        ("min_observation_minutes", 481, "0–480 min"),
        ("idle_lock_minutes", float("nan"), "1–60 min"),
    ],
)
def test_a_number_outside_its_range_is_refused_naming_the_range(
    name: str, value: float, allowed: str
) -> None:
    with pytest.raises(ValidationError, match=allowed) as err:
        check_setting(name, value)
    assert err.value.field == name


@pytest.mark.parametrize(
    ("name", "value"),
    [("idle_lock_minutes", 1), ("idle_lock_minutes", 60), ("lockout_minutes", 1440),
     ("lockout_attempts", 3), ("password_min_length", 8), ("min_observation_minutes", 0),
     ("min_observation_minutes", 480)],
)  # fmt: skip
def test_the_ends_of_each_range_are_allowed(name: str, value: float) -> None:
    check_setting(name, value)


def test_the_defaults_are_valid_and_inside_every_range() -> None:
    validate_policy(ClinicPolicy())
    for name, limits in RANGES.items():
        assert limits.low <= getattr(ClinicPolicy(), name) <= limits.high, name


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bp_review_systolic": 160, "bp_hold_systolic": 160}, "systolic review limit"),
        ({"bp_review_diastolic": 110}, "diastolic review limit"),
        ({"hr_review_low": 100, "hr_review_high": 90}, "low heart-rate limit"),
        ({"clear_fluids_not_ready_minutes": 150}, "not-ready time"),
    ],
)
def test_vitals_limits_must_be_in_order(changes: dict[str, int], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_policy(replace(ClinicPolicy(), **changes))


def test_a_stored_value_out_of_range_is_pulled_into_it_so_no_desk_crashes() -> None:
    assert clamp_setting("idle_lock_minutes", 0.0) == 1.0
    assert clamp_setting("lockout_minutes", 10**12) == 1440
    assert clamp_setting("idle_lock_minutes", float("nan")) == 1.0
    assert clamp_setting("phone_region", "US") == "US"
