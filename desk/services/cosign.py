"""The two-person rule: a second person confirms with their own password in the same transaction."""

from __future__ import annotations

from sqlalchemy import select

from desk.db.models import Staff
from desk.domain.accounts import LockoutState, after_failure, is_locked, roles_from_text
from desk.domain.errors import NotPermitted
from desk.domain.roles import Role
from desk.services import passwords
from desk.services.context import Actor, UnitOfWork
from desk.services.settings import load_policy

_WRONG = "The second person's user name or password is not correct."


def confirm_cosigner(
    uow: UnitOfWork,
    first: Actor,
    username: str,
    password: str,
    roles: tuple[Role, ...] = (Role.NURSE, Role.CLINICIAN),
) -> Actor:
    """The second person, verified by their own password in this transaction.

    NotPermitted (one clear sentence) if it is the same person as `first`, the password is
    wrong or the account disabled/locked (failed attempts count toward lockout, same message
    as sign-in), or the person holds none of `roles`.

    A wrong password is counted and audited in a commit of its own before NotPermitted is
    raised, so callers confirm the second person before they change anything else.
    """
    name = username.strip().lower()
    if name == first.username:
        raise NotPermitted("The second person must be someone other than you.")
    staff = uow.session.scalars(
        select(Staff).where(Staff.username == name).with_for_update()
    ).one_or_none()
    now = uow.desk.now()
    if staff is None or not passwords.verify(staff.password_hash, password):
        if staff is not None and not is_locked(
            LockoutState(staff.failed_attempts, staff.locked_until), now
        ):
            _count_failure(uow, staff)
        raise NotPermitted(_WRONG)
    if is_locked(LockoutState(staff.failed_attempts, staff.locked_until), now):
        raise NotPermitted("The second person's account is locked after failed attempts.")
    if staff.disabled:
        raise NotPermitted("The second person's account is disabled.")
    held = roles_from_text(staff.roles)
    if not held.intersection(roles):
        names = " or ".join(r.label.lower() for r in roles)
        raise NotPermitted(f"The second person must be a {names}.")
    return Actor(staff.id, staff.username, staff.full_name, held)


def _count_failure(uow: UnitOfWork, staff: Staff) -> None:
    state = after_failure(
        LockoutState(staff.failed_attempts, staff.locked_until),
        uow.desk.now(),
        load_policy(uow.session),
    )
    staff.failed_attempts, staff.locked_until = state.failed_attempts, state.locked_until
    uow.audit("auth.cosign_failed", "staff", staff.id, {"attempt": state.failed_attempts})
    uow.commit()
