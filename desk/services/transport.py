"""The way home for one visit: record the responsible adult and confirm the plan by phone.

Reception and nurses both use this. The rule (who is acceptable, when a confirmation
counts) is ``desk.domain.transport``; here the rows are loaded, changed and audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.db.models import Staff, Transport, Visit
from desk.domain.errors import NotFound, ValidationError
from desk.domain.phones import format_phone, normalise_phone
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.domain.transport import (
    PhoneConfirmation,
    PickupPlan,
    ResponsibleAdult,
    TransportCheck,
    TransportPlan,
    TransportStatus,
    check_transport,
)
from desk.domain.visit_states import VisitState
from desk.services.context import Desk, UnitOfWork
from desk.services.settings import load_policy

TRANSPORT_ROLES = (Role.RECEPTIONIST, Role.NURSE)
# Once the patient has gone home (or never came) the way home is history, not a plan.
_CLOSED = frozenset({VisitState.DISCHARGED, VisitState.NO_SHOW, VisitState.CANCELLED})


@dataclass(frozen=True)
class TransportView:
    """A visit's way home as the transport panel and the board badge show it."""

    visit_id: int
    recorded: bool
    adult_name: str
    adult_phone: str  # formatted for reading
    relationship: str
    pickup: PickupPlan | None
    confirmed_by: str | None
    confirmed_at: datetime | None  # local time zone
    status: TransportStatus
    reason: str
    version: int  # 0 while nothing is recorded

    @property
    def badge(self) -> str:
        """Short text for a board badge: "Ride confirmed", "Ride not confirmed"…"""
        return {
            TransportStatus.CONFIRMED: "Ride confirmed",
            TransportStatus.NOT_CONFIRMED: "Ride not confirmed",
            TransportStatus.NOT_ACCEPTABLE: "Ride not acceptable",
            TransportStatus.NOT_RECORDED: "No ride recorded",
        }[self.status]


def plan_from_row(row: Transport | None) -> TransportPlan | None:
    """The domain plan stored in ``row``; None when nothing usable is recorded."""
    if row is None or not row.plan:
        return None
    try:
        pickup = PickupPlan(row.plan)
        adult = ResponsibleAdult(row.adult_name, row.adult_phone, row.relationship)
    except (ValueError, ValidationError):
        return None  # a half-filled or unknown row counts as not recorded
    confirmation = None
    if row.confirmed_by and row.confirmed_at is not None:
        confirmation = PhoneConfirmation(row.confirmed_by, row.confirmed_at)
    return TransportPlan(pickup, adult, confirmation)


def transport_check(row: Transport | None, policy: ClinicPolicy, at: datetime) -> TransportCheck:
    """The badge state for a board: is the way home confirmed as of ``at``?"""
    return check_transport(plan_from_row(row), starts_at=at, policy=policy)


def view_from_row(
    visit_id: int,
    row: Transport | None,
    policy: ClinicPolicy,
    now: datetime,
    names: Mapping[str, str] | None = None,
) -> TransportView:
    """The panel's view of ``row``; ``names`` maps user names to full names for display."""
    check = transport_check(row, policy, now)
    if row is None:
        return TransportView(
            visit_id, False, "", "", "", None, None, None, check.status, check.reason, 0
        )
    try:
        pickup: PickupPlan | None = PickupPlan(row.plan)
    except ValueError:
        pickup = None
    return TransportView(
        visit_id=visit_id,
        recorded=True,
        adult_name=row.adult_name,
        adult_phone=_readable_phone(row.adult_phone, policy.phone_region),
        relationship=row.relationship,
        pickup=pickup,
        confirmed_by=(names or {}).get(row.confirmed_by, row.confirmed_by)
        if row.confirmed_by
        else None,
        confirmed_at=row.confirmed_at.astimezone() if row.confirmed_at else None,
        status=check.status,
        reason=check.reason,
        version=row.version,
    )


def _readable_phone(stored: str, region: str) -> str:
    try:
        return format_phone(stored, region)
    except phonenumbers.NumberParseException:  # an odd stored number still shows as typed
        return stored


def transport_for(desk: Desk, visit_id: int) -> TransportView:
    """Any signed-in staff: the way home recorded for the visit."""
    desk.require()
    with desk.read() as session:
        _visit(session, visit_id)
        policy = load_policy(session)
        row = session.get(Transport, visit_id)
        return view_from_row(visit_id, row, policy, desk.now(), _names(session, row))


def _visit(session: Session, visit_id: int) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound("That visit no longer exists.")
    return visit


def record_transport(
    desk: Desk,
    visit_id: int,
    adult: ResponsibleAdult,
    plan: PickupPlan,
    expected_version: int | None,
) -> TransportView:
    """Reception or nurse: record or change the responsible adult and the pickup plan.

    A change of adult, phone or plan drops an earlier phone confirmation: it was for
    someone else. Unacceptable plans are recorded (the desk must know) and show as such.
    """
    desk.require(*TRANSPORT_ROLES)
    with desk.write() as uow:
        visit = uow.get(Visit, visit_id, "visit")
        _require_open(visit)
        policy = load_policy(uow.session)
        phone = normalise_phone(adult.phone, policy.phone_region, field="adult_phone")
        row = uow.session.get(Transport, visit_id)
        created = row is None
        if row is None:
            row = Transport(visit_id=visit_id)
            uow.session.add(row)
        else:
            uow.check_version(row, expected_version, "way home", _current(row))
        new = (adult.name.strip(), phone, adult.relationship.strip(), plan.value)
        changed = (row.adult_name, row.adult_phone, row.relationship, row.plan) != new
        if changed:
            row.adult_name, row.adult_phone, row.relationship, row.plan = new
            row.confirmed_by, row.confirmed_at = None, None
        uow.touch(row)
        uow.audit(
            "transport.record",
            "visit",
            visit_id,
            {
                "plan": plan.value,
                "adult_name": None,
                "adult_phone": None,
                "created": created,
                "confirmation_cleared": changed and not created,
            },
        )
        uow.commit()
        return view_from_row(visit_id, row, policy, desk.now(), _names(uow.session, row))


def confirm_by_phone(
    desk: Desk, visit_id: int, expected_version: int | None = None
) -> TransportView:
    """Reception or nurse: the responsible adult confirmed the plan on the phone just now."""
    desk.require(*TRANSPORT_ROLES)
    with desk.write() as uow:
        row = set_phone_confirmation(uow, visit_id, True, expected_version)
        policy = load_policy(uow.session)
        uow.commit()
        return view_from_row(visit_id, row, policy, desk.now(), _names(uow.session, row))


def set_phone_confirmation(
    uow: UnitOfWork, visit_id: int, confirmed: bool, expected_version: int | None
) -> Transport:
    """Confirm (or take back) the way home inside ``uow``: the one place a ride is confirmed.

    The transport panel and the call list's "Ride confirmed" tick both come here, so the
    board, the panel and the call list read one record and the audit tells one story.
    """
    actor = uow.desk.require(*TRANSPORT_ROLES)
    visit = uow.get(Visit, visit_id, "visit")
    _require_open(visit)
    policy = load_policy(uow.session)
    row = uow.session.get(Transport, visit_id)
    plan = plan_from_row(row)
    if row is None or plan is None:
        raise ValidationError(
            "Record who takes the patient home (Way home) before confirming the ride.",
            "adult_name",
        )
    uow.check_version(row, expected_version, "way home", _current(row))
    if confirmed:
        check = check_transport(plan, starts_at=uow.desk.now(), policy=policy)
        if check.status is TransportStatus.NOT_ACCEPTABLE:
            raise ValidationError(check.reason, "plan")
        row.confirmed_by, row.confirmed_at = actor.username, uow.desk.now()
    else:
        row.confirmed_by, row.confirmed_at = None, None
    uow.touch(row)
    action = "transport.confirm" if confirmed else "transport.unconfirm"
    uow.audit(action, "visit", visit_id, {"plan": row.plan})
    return row


def _names(session: Session, row: Transport | None) -> dict[str, str]:
    if row is None or not row.confirmed_by:
        return {}
    found = session.scalar(select(Staff.full_name).where(Staff.username == row.confirmed_by))
    return {row.confirmed_by: found} if found else {}


def _require_open(visit: Visit) -> None:
    if visit.status in _CLOSED:
        raise ValidationError(
            "This visit is closed; its way home can no longer be changed.", "visit"
        )


def _current(row: Transport) -> dict[str, str]:
    return {
        "responsible adult": row.adult_name,
        "plan": row.plan,
        "confirmed by": row.confirmed_by or "not confirmed",
    }
