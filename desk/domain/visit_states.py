"""The visit state machine: which state changes are allowed, and why the others are not."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from desk.domain.errors import TransitionRefused


class VisitState(StrEnum):
    SCHEDULED = "scheduled"
    ARRIVED = "arrived"
    PREP_CLEARED = "prep_cleared"
    INFUSING = "infusing"
    RECOVERY = "recovery"
    DISCHARGED = "discharged"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_terminal(self) -> bool:
        return not ALLOWED_TRANSITIONS[self]


_LABELS = {
    VisitState.SCHEDULED: "Scheduled",
    VisitState.ARRIVED: "Arrived",
    VisitState.PREP_CLEARED: "Cleared for infusion",
    VisitState.INFUSING: "Infusing",
    VisitState.RECOVERY: "In recovery",
    VisitState.DISCHARGED: "Discharged",
    VisitState.NO_SHOW: "No-show",
    VisitState.CANCELLED: "Cancelled",
}

_S = VisitState  # short alias for the tables below
ALLOWED_TRANSITIONS: Mapping[VisitState, frozenset[VisitState]] = MappingProxyType(
    {
        _S.SCHEDULED: frozenset({_S.ARRIVED, _S.NO_SHOW, _S.CANCELLED}),
        _S.ARRIVED: frozenset({_S.PREP_CLEARED, _S.NO_SHOW, _S.CANCELLED}),
        # Back to arrived is a hold after clearing (e.g. blood pressure rose before the start).
        _S.PREP_CLEARED: frozenset({_S.INFUSING, _S.ARRIVED}),
        _S.INFUSING: frozenset({_S.RECOVERY}),
        _S.RECOVERY: frozenset({_S.DISCHARGED}),
        _S.DISCHARGED: frozenset(),
        _S.NO_SHOW: frozenset(),
        _S.CANCELLED: frozenset(),
    }
)
"""Every legal change; a state with no way out is terminal."""

# The main road, used to tell a nurse which step a skipped-ahead change is missing.
_PATHWAY = (_S.SCHEDULED, _S.ARRIVED, _S.PREP_CLEARED, _S.INFUSING, _S.RECOVERY, _S.DISCHARGED)
_NEXT_STEP = {
    _S.SCHEDULED: "check the patient in first",
    _S.ARRIVED: "clear the prep checklist first",
    _S.PREP_CLEARED: "start the infusion first",
    _S.INFUSING: "end the infusion first",
}

_TERMINAL_REASONS = {
    _S.DISCHARGED: "This visit is closed: the patient was discharged.",
    _S.NO_SHOW: "This visit is closed as a no-show; reinstate it or book a new one.",
    _S.CANCELLED: "This visit was cancelled; reinstate it or book a new one.",
}

# Why a visit past check-in cannot simply be closed, and what to do instead.
_CANNOT_CLOSE_HINT = {
    _S.PREP_CLEARED: "put it on hold first",
    _S.INFUSING: "end the infusion first",
    _S.RECOVERY: "discharge the patient when recovery is complete",
}


def can_transition(current: VisitState, target: VisitState) -> bool:
    return target in ALLOWED_TRANSITIONS[current]


def transition(current: VisitState, target: VisitState) -> VisitState:
    """Return ``target`` if the change is allowed, else raise TransitionRefused with why."""
    if can_transition(current, target):
        return target
    raise TransitionRefused(_refusal_reason(current, target))


def _refusal_reason(current: VisitState, target: VisitState) -> str:
    """The sentence a nurse sees when ``current`` cannot become ``target``."""
    if current.is_terminal:
        return _TERMINAL_REASONS[current]
    if current is target:
        return f"The visit is already {current.label.lower()}."
    here = f"A visit that is {current.label.lower()}"
    if target in (_S.CANCELLED, _S.NO_SHOW) and current in _CANNOT_CLOSE_HINT:
        verb = "cancelled" if target is _S.CANCELLED else "marked no-show"
        return f"{here} cannot be {verb}; {_CANNOT_CLOSE_HINT[current]}."
    if _PATHWAY.index(target) > _PATHWAY.index(current):
        return f"{here} cannot go straight to {target.label.lower()}; {_NEXT_STEP[current]}."
    return f"{here} cannot go back to {target.label.lower()}."


# A closed visit may be put back while its slot is free: the patient turned up late after
# all, or the visit was closed by mistake. This is not a step of the daily road, so it is
# kept out of ALLOWED_TRANSITIONS (no nurse's "Next" ever offers it).
REINSTATABLE = frozenset({_S.NO_SHOW, _S.CANCELLED})


def reinstate(current: VisitState) -> VisitState:
    """SCHEDULED for a cancelled or no-show visit; TransitionRefused with why for others."""
    if current in REINSTATABLE:
        return _S.SCHEDULED
    raise TransitionRefused(
        "Only a cancelled or no-show visit can be reinstated; "
        f"this one is {current.label.lower()}."
    )


def move_refusal(current: VisitState) -> str:
    """Why a visit in ``current`` cannot be moved at all ("" when it can)."""
    if current is _S.SCHEDULED:
        return ""
    return f"Only a scheduled visit can be moved; this one is {current.label.lower()}."
