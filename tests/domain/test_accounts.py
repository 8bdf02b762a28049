"""Password policy, user names and lockout counting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desk.domain.accounts import (
    MAX_LOCKOUT_MINUTES,
    LockoutState,
    after_failure,
    check_password,
    is_locked,
    normalise_username,
    parse_roles,
)
from desk.domain.errors import ValidationError
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role

POLICY = ClinicPolicy()
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_nine_character_password_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 10"):
        check_password("123456789", POLICY)


def test_ten_character_password_is_accepted() -> None:
    check_password("1234567890", POLICY)


def test_password_with_control_characters_is_refused() -> None:
    with pytest.raises(ValidationError):
        check_password("abcdefghij\x00", POLICY)


@pytest.mark.parametrize("raw", ["Rita", " rita ", "RITA"])
def test_usernames_are_case_insensitive(raw: str) -> None:
    assert normalise_username(raw) == "rita"


@pytest.mark.parametrize("raw", ["", "a", "rita smith", "rita;drop", "-rita"])
def test_bad_usernames_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError):
        normalise_username(raw)


def test_unknown_role_names_the_valid_ones() -> None:
    with pytest.raises(ValidationError, match="receptionist, nurse, clinician, admin"):
        parse_roles(["doctor"])


def test_roles_parse_case_insensitively() -> None:
    assert parse_roles(["Nurse", "ADMIN"]) == {Role.NURSE, Role.ADMIN}


def test_four_failures_do_not_lock_and_the_fifth_does() -> None:
    state = LockoutState(0, None)
    for _ in range(4):
        state = after_failure(state, NOW, POLICY)
        assert not is_locked(state, NOW)
    state = after_failure(state, NOW, POLICY)
    assert is_locked(state, NOW)
    assert is_locked(state, NOW + timedelta(minutes=14, seconds=59))
    assert not is_locked(state, NOW + timedelta(minutes=15))


def test_a_failure_after_the_lockout_ends_starts_counting_again() -> None:
    locked = LockoutState(0, NOW)
    state = after_failure(locked, NOW + timedelta(seconds=1), POLICY)
    assert state == LockoutState(1, None)


@pytest.mark.parametrize(("minutes", "attempts"), [(10**12, 5), (-5, 5), (15, 0), (15, -3)])
def test_an_absurd_lockout_setting_never_crashes_or_locks_for_more_than_a_day(
    minutes: int, attempts: int
) -> None:
    policy = ClinicPolicy(lockout_minutes=minutes, lockout_attempts=attempts)
    state = LockoutState(0, None)
    for _ in range(max(attempts, 1)):
        state = after_failure(state, NOW, policy)
    assert is_locked(state, NOW)
    assert not is_locked(state, NOW + timedelta(minutes=MAX_LOCKOUT_MINUTES))
