"""Staff account rules: password policy, lockout after failed attempts, role sets."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from desk.domain.errors import ValidationError
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role, parse_role

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MAX_PASSWORD_LENGTH = 1024  # argon2 hashes anything, but a pasted novel is a mistake
# A lockout longer than a day is a typing error in the settings, not a policy: it would
# lock staff out for years (or overflow the calendar).
MAX_LOCKOUT_MINUTES = 24 * 60


def normalise_username(text: str) -> str:
    name = text.strip().lower()
    if not USERNAME_RE.match(name):
        raise ValidationError(
            "A user name is 2–40 characters: letters, digits, dot, dash or underscore, "
            "starting with a letter or digit.",
            "username",
        )
    return name


def check_password(password: str, policy: ClinicPolicy) -> None:
    """ValidationError unless the password meets the clinic's policy."""
    if len(password) < policy.password_min_length:
        raise ValidationError(
            f"The password must be at least {policy.password_min_length} characters long.",
            "password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError("The password is too long.", "password")
    if any(unicodedata.category(ch) == "Cc" for ch in password):
        raise ValidationError("The password contains control characters.", "password")


def check_full_name(text: str) -> str:
    name = text.strip()
    if not name or len(name) > 200 or any(unicodedata.category(c) == "Cc" for c in name):
        raise ValidationError("Enter the person's full name (up to 200 characters).", "full_name")
    return name


def roles_to_text(roles: frozenset[Role]) -> str:
    return " ".join(sorted(r.value for r in roles))


def roles_from_text(text: str) -> frozenset[Role]:
    return frozenset(parse_role(part) for part in text.split())


def parse_roles(names: list[str]) -> frozenset[Role]:
    if not names:
        raise ValidationError("Give the person at least one role.", "role")
    return frozenset(parse_role(n) for n in names)


@dataclass(frozen=True)
class LockoutState:
    failed_attempts: int
    locked_until: datetime | None


def is_locked(state: LockoutState, now: datetime) -> bool:
    return state.locked_until is not None and now < state.locked_until


def after_failure(state: LockoutState, now: datetime, policy: ClinicPolicy) -> LockoutState:
    """Count a failed attempt; the Nth consecutive failure locks for the clinic's minutes."""
    attempts = (
        0
        if state.locked_until is not None and now >= state.locked_until
        else (state.failed_attempts)
    )
    attempts += 1
    if attempts >= max(policy.lockout_attempts, 1):
        minutes = min(max(policy.lockout_minutes, 1), MAX_LOCKOUT_MINUTES)
        return LockoutState(0, now + timedelta(minutes=minutes))
    return LockoutState(attempts, None)


def after_success() -> LockoutState:
    return LockoutState(0, None)
