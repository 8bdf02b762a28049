"""Series proposals (window, free chairs, clinic hours), positions, overrun and boosters."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.domain.booking import BookedVisit, overlaps
from desk.domain.policy import ClinicPolicy
from desk.domain.series import (
    ProposedInfusion,
    SeriesKind,
    SeriesProposal,
    booster_due_date,
    is_booster_due,
    propose_series,
    series_overrun,
    series_position,
    window_last_day,
)

POLICY = ClinicPolicy()
MONDAY = date(2026, 5, 4)
PATIENT = 1


def propose(
    start: date = MONDAY,
    existing: tuple[BookedVisit, ...] = (),
    policy: ClinicPolicy = POLICY,
    kind: SeriesKind = SeriesKind.MOOD,
    preferred: time | None = time(9, 0),
) -> SeriesProposal:
    return propose_series(
        kind, start, patient_id=PATIENT, existing=existing, policy=policy, preferred_time=preferred
    )


def whole_day(day: date, chair: str, visit_id: int, patient_id: int = 99) -> BookedVisit:
    return BookedVisit(
        visit_id,
        patient_id,
        datetime.combine(day, time(8)),
        datetime.combine(day, time(18)),
        chair,
    )


def test_free_clinic_gets_monday_wednesday_friday_for_two_weeks_at_the_preferred_time() -> None:
    proposal = propose()
    assert proposal.complete and proposal.shortfall == ""
    days = [slot.start.date() for slot in proposal.slots]
    assert [(d - MONDAY).days for d in days] == [0, 2, 4, 7, 9, 11]
    assert {slot.start.time() for slot in proposal.slots} == {time(9)}
    assert {slot.chair for slot in proposal.slots} == {"Chair 1"}
    assert [slot.label for slot in proposal.slots] == [f"{n} of 6" for n in range(1, 7)]
    assert all(slot.end - slot.start == timedelta(hours=2) for slot in proposal.slots)


def test_pain_series_slots_last_the_pain_duration() -> None:
    proposal = propose(kind=SeriesKind.PAIN)
    assert all(slot.end - slot.start == timedelta(hours=3) for slot in proposal.slots)


def test_start_on_saturday_begins_on_monday_and_skips_weekends() -> None:
    proposal = propose(start=MONDAY - timedelta(days=2))
    assert proposal.slots[0].start.date() == MONDAY
    assert all(slot.start.weekday() < 5 for slot in proposal.slots)


def test_busy_chair_moves_the_infusion_to_another_chair() -> None:
    proposal = propose(existing=(whole_day(MONDAY, "Chair 1", 1),))
    assert proposal.slots[0].chair == "Chair 2"
    assert proposal.slots[0].start == datetime.combine(MONDAY, time(9))


def test_all_chairs_busy_moves_the_infusion_to_the_nearest_free_time() -> None:
    busy = tuple(
        BookedVisit(n, 99, datetime.combine(MONDAY, time(9)), datetime.combine(MONDAY, time(10)), c)
        for n, c in enumerate(POLICY.chairs)
    )
    first = propose(existing=busy).slots[0]
    assert first.start == datetime.combine(MONDAY, time(10))


def test_patient_own_visit_that_day_is_avoided() -> None:
    own = BookedVisit(
        5, PATIENT, datetime.combine(MONDAY, time(8)), datetime.combine(MONDAY, time(12)), None
    )
    first = propose(existing=(own,)).slots[0]
    assert first.start >= own.end


def test_preferred_time_too_late_for_the_duration_is_pulled_back_to_fit() -> None:
    first = propose(preferred=time(17, 0)).slots[0]
    assert first.end == datetime.combine(MONDAY, time(18))


def test_full_week_days_fall_back_to_consecutive_days_to_stay_in_the_window() -> None:
    policy = ClinicPolicy(mood_series_window_days=8)
    proposal = propose(policy=policy)
    assert proposal.complete
    assert proposal.slots[-1].start.date() <= window_last_day(MONDAY, SeriesKind.MOOD, policy)


def test_no_room_in_the_window_gives_a_partial_proposal_with_a_sentence() -> None:
    busy = tuple(
        whole_day(MONDAY + timedelta(days=d), chair, 100 * d + n)
        for d in range(7, 30)
        for n, chair in enumerate(POLICY.chairs)
    )
    proposal = propose(existing=busy)
    assert not proposal.complete
    assert len(proposal.slots) == 5  # Monday to Friday of the first week, every day
    assert proposal.shortfall.startswith("Only 5 of 6 infusions fit")


def test_duration_longer_than_the_opening_hours_proposes_nothing() -> None:
    proposal = propose_series(
        SeriesKind.MOOD,
        MONDAY,
        patient_id=1,
        existing=(),
        policy=POLICY,
        duration=timedelta(hours=11),
    )
    assert proposal.slots == ()


busy_visits = st.lists(
    st.builds(
        lambda day, start, minutes, chair, patient: BookedVisit(
            0,
            patient,
            datetime.combine(MONDAY + timedelta(days=day), time(8)) + timedelta(minutes=start),
            datetime.combine(MONDAY + timedelta(days=day), time(8))
            + timedelta(minutes=start + minutes),
            chair,
        ),
        day=st.integers(min_value=-2, max_value=30),
        start=st.integers(min_value=0, max_value=600),
        minutes=st.integers(min_value=15, max_value=600),
        chair=st.sampled_from((*POLICY.chairs, None)),
        patient=st.sampled_from((PATIENT, 2, 3)),
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(
    busy_visits,
    st.integers(min_value=0, max_value=6),
    st.sampled_from(list(SeriesKind)),
    st.times(),
)
def test_proposals_never_overlap_busy_slots_and_stay_in_window_and_hours(
    busy: list[BookedVisit], offset: int, kind: SeriesKind, preferred: time
) -> None:
    proposal = propose(MONDAY + timedelta(days=offset), tuple(busy), kind=kind, preferred=preferred)
    slots = proposal.slots
    for slot in slots:
        assert_inside_hours(slot)
        for visit in busy:
            if overlaps(slot.start, slot.end, visit.start, visit.end):
                assert visit.chair != slot.chair and visit.patient_id != PATIENT
    if slots:
        first = slots[0].start.date()
        assert all(s.start.date() <= proposal.window_last_day for s in slots)
        assert proposal.window_last_day == window_last_day(first, kind, POLICY)
        days = [s.start.date() for s in slots]
        assert all((b - a).days >= POLICY.series_min_gap_days for a, b in pairwise(days))


def assert_inside_hours(slot: ProposedInfusion) -> None:
    assert slot.start.weekday() in POLICY.clinic_weekdays
    assert slot.start.date() == slot.end.date()
    assert POLICY.opening_time <= slot.start.time()
    assert slot.end.time() <= POLICY.closing_time


@pytest.mark.parametrize(("index", "total", "text"), [(1, 6, "1 of 6"), (3, 6, "3 of 6")])
def test_series_position_reads_n_of_total(index: int, total: int, text: str) -> None:
    assert series_position(index, total) == text


@pytest.mark.parametrize(("index", "total"), [(0, 6), (7, 6)])
def test_series_position_outside_the_series_is_an_error(index: int, total: int) -> None:
    with pytest.raises(ValueError, match="not within"):
        series_position(index, total)


def test_window_counts_the_first_infusion_day_as_day_one() -> None:
    assert window_last_day(MONDAY, SeriesKind.MOOD, POLICY) == MONDAY + timedelta(days=20)


def test_series_ending_on_the_last_window_day_does_not_overrun() -> None:
    dates = [MONDAY, MONDAY + timedelta(days=20)]
    assert series_overrun(MONDAY, dates, POLICY, SeriesKind.MOOD) is None


def test_series_one_day_past_its_window_warns_with_the_window_end() -> None:
    dates = [MONDAY, MONDAY + timedelta(days=21)]
    warning = series_overrun(MONDAY, dates, POLICY, SeriesKind.MOOD)
    assert warning == (
        "The Mood Series runs 1 day past its 21-day window, which ends on 05/24/2026."
    )


def test_overrun_counts_the_latest_infusion() -> None:
    dates = [MONDAY + timedelta(days=24), MONDAY + timedelta(days=22)]
    warning = series_overrun(MONDAY, dates, POLICY, SeriesKind.PAIN)
    assert warning is not None and "runs 4 days past" in warning


def test_booster_is_due_the_policy_number_of_days_after_the_last_infusion() -> None:
    last = MONDAY + timedelta(days=11)
    due = booster_due_date(last, POLICY)
    assert due == last + timedelta(days=POLICY.booster_due_days_after_series)
    assert not is_booster_due(last, due - timedelta(days=1), POLICY)
    assert is_booster_due(last, due, POLICY)


def test_slots_as_asked_carry_no_note() -> None:
    assert [slot.note for slot in propose().slots] == [""] * 6


def test_a_closed_start_day_is_said_on_the_first_slot() -> None:
    first = propose(start=MONDAY - timedelta(days=1)).slots[0]
    assert first.start.date() == MONDAY
    assert first.note == "The clinic is closed on Sunday 05/03/2026."


def test_a_time_shift_names_why_and_the_new_start() -> None:
    busy = tuple(
        BookedVisit(n, 99, datetime.combine(MONDAY, time(9)), datetime.combine(MONDAY, time(10)), c)
        for n, c in enumerate(POLICY.chairs)
    )
    first = propose(existing=busy).slots[0]
    assert first.note == "Every chair is taken at 09:00. Nearest free start: 10:00."


def test_a_preferred_time_too_late_says_it_is_outside_opening_hours() -> None:
    first = propose(preferred=time(17, 0)).slots[0]
    assert first.note.startswith("17:00–19:00 is outside opening hours")
    assert first.note.endswith("Nearest free start: 16:00.")


def test_a_full_day_is_said_on_the_slot_that_moved_past_it() -> None:
    full = tuple(whole_day(MONDAY, chair, n) for n, chair in enumerate(POLICY.chairs))
    first = propose(existing=full).slots[0]
    assert first.start.date() == MONDAY + timedelta(days=1)
    assert first.note == "No chair is free on Monday 05/04/2026."
