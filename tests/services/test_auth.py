"""Sign-in, lockout and break-glass, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from desk.domain.errors import AccountDisabled, AccountLocked, NotPermitted, SignInFailed
from desk.domain.roles import Role
from desk.services import audit, auth, settings, staff
from desk.services.context import Desk
from tests.helpers.fixtures import ADMIN_PASSWORD, STAFF_PASSWORD, FakeClock, add_person


def test_correct_password_signs_in_with_roles(admin_desk: Desk) -> None:
    actor = auth.sign_in(admin_desk.as_actor(None), "ADMIN ", ADMIN_PASSWORD)
    assert actor.username == "admin"
    assert actor.roles == {Role.ADMIN}


def test_wrong_password_and_unknown_user_give_the_same_message(admin_desk: Desk) -> None:
    anonymous = admin_desk.as_actor(None)
    with pytest.raises(SignInFailed) as wrong_password:
        auth.sign_in(anonymous, "admin", "not-the-password")
    with pytest.raises(SignInFailed) as unknown_user:
        auth.sign_in(anonymous, "nobody", ADMIN_PASSWORD)
    assert str(wrong_password.value) == str(unknown_user.value)
    assert "user name or password" in str(unknown_user.value)


def test_fifth_failure_locks_for_fifteen_minutes(admin_desk: Desk, clock: FakeClock) -> None:
    add_person(admin_desk, "rita", Role.RECEPTIONIST)
    anonymous = admin_desk.as_actor(None)
    for _ in range(4):
        with pytest.raises(SignInFailed):
            auth.sign_in(anonymous, "rita", "wrong-password")
    with pytest.raises(AccountLocked):
        auth.sign_in(anonymous, "rita", "wrong-password")
    with pytest.raises(AccountLocked):
        auth.sign_in(anonymous, "rita", STAFF_PASSWORD)
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(AccountLocked):
        auth.sign_in(anonymous, "rita", STAFF_PASSWORD)
    clock.advance(seconds=1)
    assert auth.sign_in(anonymous, "rita", STAFF_PASSWORD).username == "rita"


def test_success_resets_the_failure_count(admin_desk: Desk) -> None:
    add_person(admin_desk, "rita", Role.RECEPTIONIST)
    anonymous = admin_desk.as_actor(None)
    for _ in range(4):
        with pytest.raises(SignInFailed):
            auth.sign_in(anonymous, "rita", "wrong-password")
    auth.sign_in(anonymous, "rita", STAFF_PASSWORD)
    for _ in range(4):
        with pytest.raises(SignInFailed):
            auth.sign_in(anonymous, "rita", "wrong-password")
    assert auth.sign_in(anonymous, "rita", STAFF_PASSWORD).username == "rita"


def test_disabled_account_cannot_sign_in(admin_desk: Desk) -> None:
    add_person(admin_desk, "rita", Role.RECEPTIONIST)
    staff.set_disabled(admin_desk, "rita", True)
    with pytest.raises(AccountDisabled):
        auth.sign_in(admin_desk.as_actor(None), "rita", STAFF_PASSWORD)


def test_failed_attempts_are_audited_and_chain_stays_intact(admin_desk: Desk) -> None:
    with pytest.raises(SignInFailed):
        auth.sign_in(admin_desk.as_actor(None), "admin", "wrong-password")
    entries = audit.browse(admin_desk, audit.AuditFilter(action="auth.sign_in_failed"))
    assert len(entries) == 1 and entries[0].actor == "admin"
    count, problem = audit.verify(admin_desk)
    assert problem is None and count >= 3


def test_break_glass_refused_unless_enabled(admin_desk: Desk) -> None:
    add_person(admin_desk, "rita", Role.RECEPTIONIST)
    with pytest.raises(NotPermitted):
        auth.sign_in(admin_desk.as_actor(None), "rita", STAFF_PASSWORD, break_glass=True)


def test_break_glass_grants_nurse_for_the_session_and_is_audited(admin_desk: Desk) -> None:
    info = settings.clinic_info(admin_desk)
    settings.update_clinic(
        admin_desk, expected_version=info.version, name=info.name, address=info.address,
        phone=info.phone, costs_text=info.costs_text, policy=info.policy,
        break_glass_enabled=True,
    )
    add_person(admin_desk, "rita", Role.RECEPTIONIST)
    actor = auth.sign_in(admin_desk.as_actor(None), "rita", STAFF_PASSWORD, break_glass=True)
    assert actor.has(Role.NURSE) and actor.break_glass
    assert audit.browse(admin_desk, audit.AuditFilter(action="auth.break_glass"))
