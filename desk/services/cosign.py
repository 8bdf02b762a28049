"""The two-person rule: a second clinician confirms a hard-stop override with their own password.

The second person types their user name and password on the first person's desk. Their
password is checked inside the override's own transaction, under the same lockout rules as
sign-in: a wrong password counts toward their lockout (that count is committed even though
the override is refused), and the message never says whether the name or password was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from desk.db.models import Staff
from desk.domain.accounts import LockoutState, after_failure, after_success, is_locked
from desk.domain.errors import NotPermitted
from desk.domain.roles import Role
from desk.domain.stops import Stop, needs_cosigner, override_refusal
from desk.services import passwords
from desk.services.auth import actor_for
from desk.services.context import Actor, UnitOfWork
from desk.services.settings import load_policy

WRONG = "Second clinician: the user name or password is not correct."


@dataclass(frozen=True)
class Cosignature:
    """The second person's credentials as typed in the override dialog (never stored)."""

    username: str
    password: str = field(repr=False)


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
    """
    name = username.strip().lower()
    if not name or not password:
        raise NotPermitted("A second clinician must confirm with their own user name and password.")
    if name == first.username:
        raise NotPermitted("The second clinician must be someone other than you.")
    staff = uow.session.scalars(
        select(Staff).where(Staff.username == name).with_for_update()
    ).one_or_none()
    now = uow.desk.now()
    if staff is None:
        passwords.verify(None, password)  # same time as a known name: no user enumeration
        raise NotPermitted(WRONG)
    state = LockoutState(staff.failed_attempts, staff.locked_until)
    if is_locked(state, now):
        raise NotPermitted("Second clinician: too many failed attempts; the account is locked.")
    if not passwords.verify(staff.password_hash, password):
        _count_failure(uow, staff.id, state)
        raise NotPermitted(WRONG)
    if staff.disabled:
        raise NotPermitted("Second clinician: this account is disabled.")
    second = actor_for(staff, break_glass=False)
    if not second.has(*roles):
        names = " or ".join(r.label.lower() for r in roles)
        raise NotPermitted(f"The second person must be a {names}.")
    new = after_success()
    staff.failed_attempts, staff.locked_until = new.failed_attempts, new.locked_until
    return second


def _count_failure(uow: UnitOfWork, staff_id: int, state: LockoutState) -> None:
    """Commit the failed attempt on its own: the refused override writes nothing else."""
    uow.session.rollback()
    staff = uow.get(Staff, staff_id, "staff member")
    new = after_failure(state, uow.desk.now(), load_policy(uow.session))
    staff.failed_attempts, staff.locked_until = new.failed_attempts, new.locked_until
    uow.audit("auth.cosign_failed", "staff", staff_id, {"attempt": new.failed_attempts})
    uow.commit()


def cosign_stops(
    uow: UnitOfWork,
    first: Actor,
    reasons: dict[Stop, str],
    cosignature: Cosignature | None,
) -> Actor | None:
    """The verified second clinician if any of ``reasons``' stops is hard; None if all soft.

    NotPermitted names the first stop that lacks a reason or a co-signer.
    """
    for stop, reason in reasons.items():
        refusal = override_refusal(stop, reason, cosigned=True)
        if refusal is not None:
            raise NotPermitted(refusal)
    hard = needs_cosigner(reasons)
    if not hard:
        return None
    if cosignature is None:
        raise NotPermitted(override_refusal(hard[0], reasons[hard[0]], cosigned=False) or "")
    return confirm_cosigner(uow, first, cosignature.username, cosignature.password)
