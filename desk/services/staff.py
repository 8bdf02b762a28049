"""Staff accounts: add, list, disable, reset passwords, change roles (admins only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from desk.db.models import Staff
from desk.domain.accounts import (
    check_full_name,
    check_password,
    normalise_username,
    roles_from_text,
    roles_to_text,
)
from desk.domain.errors import NotFound, ValidationError
from desk.domain.roles import Role
from desk.services import passwords
from desk.services.context import Desk, UnitOfWork
from desk.services.settings import load_policy


@dataclass(frozen=True)
class StaffView:
    id: int
    username: str
    full_name: str
    roles: frozenset[Role]
    disabled: bool
    locked_until: datetime | None
    last_sign_in_at: datetime | None
    version: int


def _view(row: Staff) -> StaffView:
    return StaffView(
        row.id,
        row.username,
        row.full_name,
        roles_from_text(row.roles),
        row.disabled,
        row.locked_until,
        row.last_sign_in_at,
        row.version,
    )


def list_staff(desk: Desk) -> list[StaffView]:
    desk.require(Role.ADMIN)
    with desk.read() as session:
        return [_view(r) for r in session.scalars(select(Staff).order_by(Staff.username))]


def add_staff(
    desk: Desk, username: str, full_name: str, roles: frozenset[Role], password: str
) -> StaffView:
    desk.require(Role.ADMIN)
    with desk.write() as uow:
        row = create_staff_row(uow, username, full_name, roles, password)
        uow.audit("staff.add", "staff", row.id, {"username": row.username, "roles": row.roles})
        uow.commit()
        return _view(row)


def create_staff_row(
    uow: UnitOfWork, username: str, full_name: str, roles: frozenset[Role], password: str
) -> Staff:
    """Validate and insert a staff row (no audit; the caller audits)."""
    name = normalise_username(username)
    if not roles:
        raise ValidationError("Give the person at least one role.", "role")
    check_password(password, load_policy(uow.session))
    if uow.session.scalars(select(Staff.id).where(Staff.username == name)).first():
        raise ValidationError(f"The user name '{name}' is already taken.", "username")
    row = Staff(
        username=name,
        full_name=check_full_name(full_name),
        password_hash=passwords.hash_password(password),
        roles=roles_to_text(roles),
        disabled=False,
        failed_attempts=0,
        created_at=uow.desk.now(),
    )
    uow.touch(row)
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError:
        raise ValidationError(f"The user name '{name}' is already taken.", "username") from None
    return row


def _by_username(uow: UnitOfWork, username: str) -> Staff:
    row = uow.session.scalars(
        select(Staff).where(Staff.username == username.strip().lower()).with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound(f"There is no staff account '{username.strip()}'.")
    return row


def set_disabled(desk: Desk, username: str, disabled: bool) -> StaffView:
    actor = desk.require(Role.ADMIN)
    with desk.write() as uow:
        row = _by_username(uow, username)
        if disabled and row.id == actor.staff_id:
            raise ValidationError("You cannot disable your own account.", "username")
        if disabled and Role.ADMIN in roles_from_text(row.roles):
            _ensure_another_admin(uow, row.id)
        row.disabled = disabled
        uow.touch(row)
        uow.audit("staff.disable" if disabled else "staff.enable", "staff", row.id)
        uow.commit()
        return _view(row)


def _ensure_another_admin(uow: UnitOfWork, leaving_id: int) -> None:
    others = uow.session.scalars(
        select(Staff).where(Staff.id != leaving_id, Staff.disabled.is_(False))
    )
    if not any(Role.ADMIN in roles_from_text(s.roles) for s in others):
        raise ValidationError("The clinic must keep at least one active admin.", "role")


def reset_password(desk: Desk, username: str, password: str) -> StaffView:
    """Admin: set a new password; also clears a lockout."""
    desk.require(Role.ADMIN)
    with desk.write() as uow:
        row = _by_username(uow, username)
        check_password(password, load_policy(uow.session))
        row.password_hash = passwords.hash_password(password)
        row.failed_attempts, row.locked_until = 0, None
        uow.touch(row)
        uow.audit("staff.reset_password", "staff", row.id)
        uow.commit()
        return _view(row)


def unlock(desk: Desk, username: str) -> StaffView:
    """Admin: end a lockout now (the password stays as it is)."""
    desk.require(Role.ADMIN)
    with desk.write() as uow:
        row = _by_username(uow, username)
        row.failed_attempts, row.locked_until = 0, None
        uow.touch(row)
        uow.audit("staff.unlock", "staff", row.id)
        uow.commit()
        return _view(row)


def set_roles(
    desk: Desk, username: str, roles: frozenset[Role], expected_version: int | None
) -> StaffView:
    desk.require(Role.ADMIN)
    if not roles:
        raise ValidationError("Give the person at least one role.", "role")
    with desk.write() as uow:
        row = _by_username(uow, username)
        uow.check_version(row, expected_version, "staff account", {"roles": row.roles})
        if Role.ADMIN in roles_from_text(row.roles) and Role.ADMIN not in roles:
            _ensure_another_admin(uow, row.id)
        row.roles = roles_to_text(roles)
        uow.touch(row)
        uow.audit("staff.set_roles", "staff", row.id, {"roles": row.roles})
        uow.commit()
        return _view(row)


def change_own_password(desk: Desk, current: str, new: str) -> None:
    actor = desk.require()
    with desk.write() as uow:
        row = uow.get(Staff, actor.staff_id, "staff account")
        if not passwords.verify(row.password_hash, current):
            raise ValidationError("The current password is not correct.", "current")
        check_password(new, load_policy(uow.session))
        row.password_hash = passwords.hash_password(new)
        uow.touch(row)
        uow.audit("staff.change_password", "staff", row.id)
        uow.commit()
