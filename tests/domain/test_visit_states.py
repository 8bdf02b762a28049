"""Visit state machine: legal changes, refusals a nurse understands, and random walks."""

from __future__ import annotations

import contextlib
import re
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.domain.errors import TransitionRefused
from desk.domain.visit_states import ALLOWED_TRANSITIONS, VisitState, can_transition, transition

S = VisitState

# Written out by hand, not derived from the module, so a change to the machine must be
# made on purpose in both places.
LEGAL = {
    (S.SCHEDULED, S.ARRIVED),
    (S.SCHEDULED, S.NO_SHOW),
    (S.SCHEDULED, S.CANCELLED),
    (S.ARRIVED, S.PREP_CLEARED),
    (S.ARRIVED, S.NO_SHOW),
    (S.ARRIVED, S.CANCELLED),
    (S.PREP_CLEARED, S.INFUSING),
    (S.PREP_CLEARED, S.ARRIVED),
    (S.INFUSING, S.RECOVERY),
    (S.RECOVERY, S.DISCHARGED),
}
TERMINAL = {S.DISCHARGED, S.NO_SHOW, S.CANCELLED}
ILLEGAL = sorted(set(product(S, S)) - LEGAL)


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL))
def test_legal_changes_return_the_target(current: VisitState, target: VisitState) -> None:
    assert transition(current, target) is target
    assert can_transition(current, target)


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_every_other_change_is_refused_with_a_sentence(
    current: VisitState, target: VisitState
) -> None:
    assert not can_transition(current, target)
    with pytest.raises(TransitionRefused) as caught:
        transition(current, target)
    message = str(caught.value)
    assert message.endswith(".")
    assert "_" not in message  # labels, never enum values


def test_the_machine_table_matches_the_agreed_transitions() -> None:
    table = {(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets}
    assert table == LEGAL
    assert set(ALLOWED_TRANSITIONS) == set(VisitState)


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        (S.INFUSING, S.CANCELLED, "A visit that is infusing cannot be cancelled; "
                                  "end the infusion first."),
        (S.INFUSING, S.NO_SHOW, "A visit that is infusing cannot be marked no-show; "
                                "end the infusion first."),
        (S.PREP_CLEARED, S.CANCELLED, "A visit that is cleared for infusion cannot be "
                                      "cancelled; put it on hold first."),
        (S.RECOVERY, S.CANCELLED, "A visit that is in recovery cannot be cancelled; "
                                  "discharge the patient when recovery is complete."),
        (S.SCHEDULED, S.INFUSING, "A visit that is scheduled cannot go straight to "
                                  "infusing; check the patient in first."),
        (S.ARRIVED, S.INFUSING, "A visit that is arrived cannot go straight to infusing; "
                                "clear the prep checklist first."),
        (S.INFUSING, S.DISCHARGED, "A visit that is infusing cannot go straight to "
                                   "discharged; end the infusion first."),
        (S.RECOVERY, S.INFUSING, "A visit that is in recovery cannot go back to infusing."),
        (S.ARRIVED, S.ARRIVED, "The visit is already arrived."),
        (S.DISCHARGED, S.ARRIVED, "This visit is closed: the patient was discharged."),
        (S.NO_SHOW, S.ARRIVED,
         "This visit is closed as a no-show; reinstate it or book a new one."),
        (S.CANCELLED, S.SCHEDULED, "This visit was cancelled; reinstate it or book a new one."),
    ],
)  # fmt: skip
def test_refusals_tell_the_nurse_what_to_do(
    current: VisitState, target: VisitState, message: str
) -> None:
    with pytest.raises(TransitionRefused, match=f"^{re.escape(message)}$"):
        transition(current, target)


def test_only_discharged_no_show_and_cancelled_are_terminal() -> None:
    assert {s for s in VisitState if s.is_terminal} == TERMINAL


def test_every_state_has_its_own_human_label() -> None:
    labels = [s.label for s in VisitState]
    assert all(label and "_" not in label for label in labels)
    assert len(set(labels)) == len(labels)


@given(st.lists(st.sampled_from(list(VisitState)), max_size=40))
def test_random_event_sequences_only_ever_take_legal_steps(events: list[VisitState]) -> None:
    state = S.SCHEDULED
    for target in events:
        before = state
        try:
            state = transition(state, target)
        except TransitionRefused:
            assert (before, target) not in LEGAL
            assert state is before
        else:
            assert (before, target) in LEGAL


@given(st.lists(st.sampled_from(list(VisitState)), max_size=40))
def test_terminal_states_stay_terminal(events: list[VisitState]) -> None:
    state = S.SCHEDULED
    reached_terminal: VisitState | None = None
    for target in events:
        with contextlib.suppress(TransitionRefused):
            state = transition(state, target)
        if reached_terminal is not None:
            assert state is reached_terminal
        elif state in TERMINAL:
            reached_terminal = state


@given(st.lists(st.sampled_from(list(VisitState)), max_size=40))
def test_a_visit_is_never_infused_twice_or_discharged_without_infusion(
    events: list[VisitState],
) -> None:
    state = S.SCHEDULED
    history = [state]
    for target in events:
        try:
            state = transition(state, target)
        except TransitionRefused:
            continue
        history.append(state)
    assert history.count(S.INFUSING) <= 1
    if S.DISCHARGED in history:
        assert history.index(S.INFUSING) < history.index(S.RECOVERY) < history.index(S.DISCHARGED)


def test_only_closed_visits_can_be_reinstated_and_only_scheduled_ones_moved() -> None:
    from desk.domain.visit_states import move_refusal, reinstate

    assert reinstate(S.NO_SHOW) is S.SCHEDULED and reinstate(S.CANCELLED) is S.SCHEDULED
    with pytest.raises(TransitionRefused, match="this one is arrived"):
        reinstate(S.ARRIVED)
    assert move_refusal(S.SCHEDULED) == ""
    assert move_refusal(S.NO_SHOW) == "Only a scheduled visit can be moved; this one is no-show."
