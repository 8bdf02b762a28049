"""Signing in, unlocking an idle-locked session, and break-glass emergency access."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select

from desk.db.models import ClinicSettings, SignInThrottle, Staff
from desk.domain.accounts import (
    LockoutState,
    after_failure,
    after_success,
    is_locked,
    roles_from_text,
)
from desk.domain.errors import AccountDisabled, AccountLocked, NotPermitted, SignInFailed
from desk.domain.locale import format_time
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.services import passwords
from desk.services.context import Actor, Desk, UnitOfWork
from desk.services.settings import load_policy


def sign_in(
    desk: Desk,
    username: str,
    password: str,
    *,
    break_glass: bool = False,
    ignore_lockout: bool = False,
) -> Actor:
    """The Actor for a correct user name and password.

    Failures are counted (and audited) in their own committed transaction; the message
    never says whether the user name or the password was wrong, and a name that is no
    account locks after as many failures as one that is. ``ignore_lockout`` is for the
    operator's ``desk user unlock`` only: the right password still gets through a lockout
    that someone else caused by guessing.
    """
    with desk.write() as uow:
        staff = uow.session.scalars(
            select(Staff).where(Staff.username == username.strip().lower()).with_for_update()
        ).one_or_none()
        if staff is None:
            raise _unknown_name_failure(uow, username, password)
        error = _check_credentials(uow, staff, password, ignore_lockout)
        if error is not None:
            uow.commit()
            raise error
        assert staff is not None
        actor = actor_for(staff, break_glass)
        if break_glass:
            _grant_break_glass(uow, actor)
        staff.last_sign_in_at = desk.now()
        if passwords.needs_rehash(staff.password_hash):
            staff.password_hash = passwords.hash_password(password)
        uow.desk = desk.as_actor(actor)
        uow.audit("auth.break_glass" if break_glass else "auth.sign_in", "staff", staff.id)
        uow.commit()
    return actor


def _check_credentials(
    uow: UnitOfWork, staff: Staff, password: str, ignore_lockout: bool
) -> Exception | None:
    now = uow.desk.now()
    ok = passwords.verify(staff.password_hash, password)
    policy = load_policy(uow.session)
    state = LockoutState(staff.failed_attempts, staff.locked_until)
    if is_locked(state, now) and not ignore_lockout:
        return _locked_error(staff.locked_until, policy)
    if not ok:
        new = after_failure(state, now, policy)
        staff.failed_attempts, staff.locked_until = new.failed_attempts, new.locked_until
        uow.desk = uow.desk.as_actor(actor_for(staff, False))
        uow.audit("auth.sign_in_failed", "staff", staff.id, {"attempt": new.failed_attempts})
        return _locked_error(new.locked_until, policy) if is_locked(new, now) else SignInFailed()
    if staff.disabled:
        return AccountDisabled()
    new = after_success()
    staff.failed_attempts, staff.locked_until = new.failed_attempts, new.locked_until
    return None


def _unknown_name_failure(uow: UnitOfWork, username: str, password: str) -> Exception:
    """The same answer, after the same work, as a wrong password for a real account.

    The typed name is kept only as a hash: it may be a patient's name typed in the wrong
    field. Committed like a real failure, so the next attempt sees the count.
    """
    now = uow.desk.now()
    passwords.verify(None, password)  # the same hashing time as a real account
    key = hashlib.sha256(username.strip().lower().encode("utf-8", "replace")).hexdigest()
    row = uow.session.get(SignInThrottle, key, with_for_update=True)
    if row is None:
        row = SignInThrottle(name_key=key, failed_attempts=0, locked_until=None)
        uow.session.add(row)
    policy = load_policy(uow.session)
    state = LockoutState(row.failed_attempts, row.locked_until)
    if is_locked(state, now):
        return _locked_error(row.locked_until, policy)
    new = after_failure(state, now, policy)
    row.failed_attempts, row.locked_until = new.failed_attempts, new.locked_until
    uow.audit("auth.sign_in_failed", "staff", "unknown", {"attempt": new.failed_attempts})
    uow.commit()
    return _locked_error(new.locked_until, policy) if is_locked(new, now) else SignInFailed()


def _locked_error(locked_until: datetime | None, policy: ClinicPolicy) -> AccountLocked:
    until = format_time(locked_until.astimezone(), policy) if locked_until else "later"
    return AccountLocked(
        f"Too many failed attempts: sign-in is locked until {until}. "
        "Ask the clinic admin if you need access sooner."
    )


def actor_for(staff: Staff, break_glass: bool) -> Actor:
    roles = roles_from_text(staff.roles)
    if break_glass:
        roles = roles | {Role.NURSE}
    return Actor(staff.id, staff.username, staff.full_name, roles, break_glass)


def _grant_break_glass(uow: UnitOfWork, actor: Actor) -> None:
    settings = uow.session.get(ClinicSettings, 1)
    if settings is None or not settings.break_glass_enabled:
        raise NotPermitted("Emergency (break-glass) access is not enabled at this clinic.")


def confirm_password(desk: Desk, password: str) -> Actor:
    """Unlock an idle-locked session: the same person's password, with lockout rules."""
    actor = desk.require()
    return sign_in(desk, actor.username, password, break_glass=actor.break_glass)


def demo_sign_in_hint(desk: Desk) -> str:
    """How to sign in to a demo clinic (its made-up accounts), or "" for a real clinic.

    A demo is a clinic whose demo data was loaded (audited) and whose demo accounts are
    still there; a real clinic with a "rita" of its own is never told a demo password.
    """
    from desk.db.models import AuditEntry
    from desk.services.demo import DEMO_PASSWORD, DEMO_STAFF

    with desk.read() as session:
        demo_loaded = select(AuditEntry.seq).where(AuditEntry.action == "demo.load").limit(1)
        if session.scalar(demo_loaded) is None:
            return ""
        present = set(session.scalars(select(Staff.username).where(
            Staff.username.in_([username for username, _, _ in DEMO_STAFF]),
            Staff.disabled.is_(False),
        )))
    accounts = [
        f"{username} ({', '.join(sorted(r.label.lower() for r in roles))})"
        for username, _, roles in DEMO_STAFF if username in present
    ]
    if not accounts:
        return ""
    return (f"This is a demo clinic with made-up patients. Sign in as {', '.join(accounts)}; "
            f"the password is {DEMO_PASSWORD}.")
