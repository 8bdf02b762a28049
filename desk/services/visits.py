"""Changing a booked visit: cancel, mark no-show, reinstate, move, each with a reason.

Every status change goes through the visit state machine and leaves a
``VisitStatusChange`` row (who, when, where, why) and one audit entry. A closed visit
(cancelled, no-show) may be reinstated while its slot is still free.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from desk.db.models import Visit, VisitStatusChange
from desk.domain.booking import (
    SlotRequest,
    VisitType,
    day_name,
    ensure_bookable,
    no_show_refusal,
)
from desk.domain.errors import TransitionRefused, ValidationError
from desk.domain.roles import Role
from desk.domain.visit_states import VisitState, move_refusal, reinstate, transition
from desk.services.booking import (
    BOOKING_ROLES,
    MAX_REASON_CHARS,
    VisitView,
    booked_visits,
    locked_policy,
    not_in_past,
    to_local,
    to_utc,
    view_of,
)
from desk.services.context import Desk, UnitOfWork
from desk.services.settings import load_policy

# A nurse on the floor records a no-show as readily as the desk does.
NO_SHOW_ROLES = (Role.RECEPTIONIST, Role.ADMIN, Role.NURSE)
OTHER = "other"

CANCEL_REASONS: tuple[tuple[str, str], ...] = (
    ("patient_request", "Patient asked to cancel"),
    ("patient_unwell", "Patient unwell"),
    ("no_transport", "No ride home available"),
    ("screening", "Screening or clinical hold"),
    ("clinic", "Clinic closure or staffing"),
    (OTHER, "Other (say why)"),
)
NO_SHOW_REASONS: tuple[tuple[str, str], ...] = (
    ("did_not_arrive", "Did not arrive"),
    ("not_reachable", "Not reachable by phone"),
    ("too_late", "Arrived too late to start"),
    (OTHER, "Other (say why)"),
)
RESCHEDULE_REASONS: tuple[tuple[str, str], ...] = (
    ("patient_request", "Patient asked to move it"),
    ("clinic", "Clinic or chair not available"),
    ("prep", "Preparation not possible in time"),
    (OTHER, "Other (say why)"),
)
REINSTATE_REASONS: tuple[tuple[str, str], ...] = (
    ("arrived_late", "The patient arrived after all"),
    ("in_error", "Closed by mistake"),
    ("patient_keeps", "The patient wants to keep the visit"),
    (OTHER, "Other (say why)"),
)


@dataclass(frozen=True)
class VisitReason:
    """A pick-list code plus free text (required for "other")."""

    code: str
    note: str = ""

    def text(self, choices: Sequence[tuple[str, str]]) -> str:
        labels = dict(choices)
        if self.code not in labels:
            raise ValidationError("Choose a reason from the list.", "reason")
        note = self.note.strip()
        if len(note) > MAX_REASON_CHARS:
            raise ValidationError("The reason is too long.", "reason")
        if self.code == OTHER:
            if not note:
                raise ValidationError("Say why in a few words.", "reason")
            return note
        return f"{labels[self.code]}: {note}" if note else labels[self.code]


def change_status(uow: UnitOfWork, visit: Visit, target: VisitState, reason: str) -> None:
    """Move ``visit`` to ``target`` through the state machine and record who/when/where/why."""
    transition(VisitState(visit.status), target)
    _record_status(uow, visit, target, reason)


def _record_status(uow: UnitOfWork, visit: Visit, target: VisitState, reason: str) -> None:
    current = VisitState(visit.status)
    desk = uow.desk
    visit.status = target.value
    visit.status_reason = reason
    uow.session.add(VisitStatusChange(
        visit=visit, from_status=current.value, to_status=target.value, at=desk.now(),
        by=desk.actor.username if desk.actor else "system", workstation=desk.workstation,
        reason=reason,
    ))
    uow.touch(visit)


def current_values(visit: Visit) -> dict[str, str]:
    """What a person sees when their save was refused because the visit changed."""
    return {
        "status": VisitState(visit.status).label,
        "start": f"{to_local(visit.scheduled_start):%Y-%m-%d %H:%M}",
        "chair": visit.chair or "—",
    }


def _note(reason: VisitReason) -> dict[str, object]:
    # Free text: the audit records that a note was written, never what it says.
    return {"note": None} if reason.note.strip() else {}


def _open_visit(uow: UnitOfWork, visit_id: int, expected_version: int) -> Visit:
    visit = uow.get(Visit, visit_id, "visit")
    uow.check_version(visit, expected_version, "visit", current_values(visit))
    return visit


def cancel_visit(
    desk: Desk, visit_id: int, reason: VisitReason, *, expected_version: int
) -> VisitView:
    """Receptionist/admin: cancel a visit that has not started, with a reason."""
    desk.require(*BOOKING_ROLES)
    text = reason.text(CANCEL_REASONS)
    with desk.write() as uow:
        visit = _open_visit(uow, visit_id, expected_version)
        change_status(uow, visit, VisitState.CANCELLED, text)
        return _finish(uow, visit, "visit.cancel", reason)


def mark_no_show(
    desk: Desk, visit_id: int, reason: VisitReason, *, expected_version: int
) -> VisitView:
    """Receptionist/admin/nurse: close a visit as a no-show, on or after its day."""
    desk.require(*NO_SHOW_ROLES)
    text = reason.text(NO_SHOW_REASONS)
    with desk.write() as uow:
        policy = load_policy(uow.session)
        visit = _open_visit(uow, visit_id, expected_version)
        transition(VisitState(visit.status), VisitState.NO_SHOW)  # a closed visit says so
        today = desk.now().astimezone().date()
        refusal = no_show_refusal(to_local(visit.scheduled_start), today, policy)
        if refusal:
            raise TransitionRefused(refusal)
        change_status(uow, visit, VisitState.NO_SHOW, text)
        return _finish(uow, visit, "visit.no_show", reason)


def reinstate_visit(
    desk: Desk, visit_id: int, reason: VisitReason, *, expected_version: int
) -> VisitView:
    """Receptionist/admin: put a cancelled or no-show visit back, if its slot is still free.

    Refused for a day already past, or when another visit has taken the chair (or the
    patient has another visit then): the refusal names it.
    """
    desk.require(*BOOKING_ROLES)
    text = reason.text(REINSTATE_REASONS)
    with desk.write() as uow:
        policy = locked_policy(uow)
        visit = _open_visit(uow, visit_id, expected_version)
        target = reinstate(VisitState(visit.status))
        start, end = to_local(visit.scheduled_start), to_local(visit.scheduled_end)
        if start.date() < desk.now().astimezone().date():
            raise TransitionRefused(
                f"This visit was on {day_name(start.date(), policy)}, a day already past; "
                "book a new visit instead."
            )
        request = SlotRequest(visit.patient_id, VisitType(visit.visit_type), start, end,
                              visit.chair, visit_id=visit.id)
        ensure_bookable(request, booked_visits(uow.session, to_utc(start), to_utc(end)), policy)
        _record_status(uow, visit, target, text)
        return _finish(uow, visit, "visit.reinstate", reason)


def _finish(uow: UnitOfWork, visit: Visit, action: str, reason: VisitReason) -> VisitView:
    uow.session.flush()
    uow.audit(action, "visit", visit.id, {
        "status": visit.status, "reason": reason.code, **_note(reason),
    })
    uow.commit()
    return view_of(uow.session, visit)


def reschedule_visit(
    desk: Desk,
    visit_id: int,
    start_local: datetime,
    chair: str | None,
    reason: VisitReason,
    *,
    expected_version: int,
) -> VisitView:
    """Receptionist/admin: move a scheduled visit to a new time and chair, with a reason.

    The visit keeps its id and its place in a series; moving it is not a state change,
    so the state machine is untouched, but the history records the move like one.
    """
    desk.require(*BOOKING_ROLES)
    text = reason.text(RESCHEDULE_REASONS)
    not_in_past(desk.now(), start_local)
    with desk.write() as uow:
        policy = locked_policy(uow)
        visit = _open_visit(uow, visit_id, expected_version)
        state = VisitState(visit.status)
        if move_refusal(state):
            raise TransitionRefused(move_refusal(state))
        old_start = to_local(visit.scheduled_start)
        end_local = start_local + (to_local(visit.scheduled_end) - old_start)
        request = SlotRequest(visit.patient_id, VisitType(visit.visit_type), start_local,
                              end_local, chair, visit_id=visit.id)
        existing = booked_visits(uow.session, to_utc(start_local), to_utc(end_local))
        ensure_bookable(request, existing, policy)
        visit.scheduled_start, visit.scheduled_end = to_utc(start_local), to_utc(end_local)
        visit.chair = chair
        _record_status(uow, visit, state, f"Moved from {old_start:%Y-%m-%d %H:%M}: {text}")
        uow.session.flush()
        uow.audit("visit.reschedule", "visit", visit.id, {
            "chair": chair, "reason": reason.code, **_note(reason),
        })
        uow.commit()
        return view_of(uow.session, visit)
