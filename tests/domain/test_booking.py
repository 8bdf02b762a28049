"""Booking conflicts: chair and patient double-booking, opening hours, visit durations."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from desk.domain.booking import (
    BookedVisit,
    BookingConflict,
    ConflictKind,
    SlotRequest,
    VisitType,
    default_duration,
    ensure_bookable,
    find_conflicts,
)
from desk.domain.errors import ValidationError
from desk.domain.policy import ClinicPolicy

POLICY = ClinicPolicy()
MONDAY = datetime(2026, 5, 4)


def at(hour: int, minute: int = 0, day: datetime = MONDAY) -> datetime:
    return day.replace(hour=hour, minute=minute)


EXISTING = BookedVisit(
    visit_id=11,
    patient_id=1,
    start=at(9),
    end=at(11),
    chair="Chair 1",
    label="Mood Series infusion 3 of 6, MRN 4141-5926",
)


def request(
    start: datetime,
    end: datetime,
    chair: str | None = "Chair 1",
    patient_id: int = 2,
    visit_type: VisitType = VisitType.MOOD_INFUSION,
    visit_id: int | None = None,
) -> SlotRequest:
    return SlotRequest(patient_id, visit_type, start, end, chair, visit_id)


def kinds(req: SlotRequest) -> list[ConflictKind]:
    return [c.kind for c in find_conflicts(req, [EXISTING], POLICY)]


@pytest.mark.parametrize(
    ("visit_type", "minutes"),
    [
        (VisitType.CONSULTATION, 60),
        (VisitType.MOOD_INFUSION, 120),
        (VisitType.PAIN_INFUSION, 180),
        (VisitType.BOOSTER, 120),
        (VisitType.MAINTENANCE, 120),
    ],
)
def test_default_durations_come_from_policy(visit_type: VisitType, minutes: int) -> None:
    assert default_duration(visit_type, POLICY) == timedelta(minutes=minutes)
    longer = ClinicPolicy(
        consultation_minutes=61,
        mood_infusion_minutes=121,
        pain_infusion_minutes=181,
        booster_minutes=121,
        maintenance_minutes=121,
    )
    assert default_duration(visit_type, longer) == timedelta(minutes=minutes + 1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (at(8), at(9), []),  # ends exactly when the other starts
        (at(11), at(13), []),  # starts exactly when the other ends
        (at(8), at(9, 1), [ConflictKind.CHAIR_DOUBLE_BOOKED]),
        (at(10, 59), at(12), [ConflictKind.CHAIR_DOUBLE_BOOKED]),
        (at(9, 30), at(10), [ConflictKind.CHAIR_DOUBLE_BOOKED]),  # inside
        (at(8), at(12), [ConflictKind.CHAIR_DOUBLE_BOOKED]),  # around
    ],
)
def test_chair_overlap_boundaries(
    start: datetime, end: datetime, expected: list[ConflictKind]
) -> None:
    assert kinds(request(start, end)) == expected


def test_other_chair_at_the_same_time_is_free() -> None:
    assert kinds(request(at(9), at(11), chair="Chair 2")) == []


def test_patient_cannot_be_in_two_chairs_at_once() -> None:
    assert kinds(request(at(10), at(12), chair="Chair 2", patient_id=1)) == [
        ConflictKind.PATIENT_DOUBLE_BOOKED
    ]


def test_same_patient_same_chair_reports_both_conflicts() -> None:
    assert kinds(request(at(10), at(12), patient_id=1)) == [
        ConflictKind.CHAIR_DOUBLE_BOOKED,
        ConflictKind.PATIENT_DOUBLE_BOOKED,
    ]


def test_conflict_names_the_conflicting_visit() -> None:
    [conflict] = find_conflicts(request(at(10), at(12)), [EXISTING], POLICY)
    assert conflict.visit == EXISTING
    assert conflict.message == (
        "Chair 1 is already booked for Mood Series infusion 3 of 6, MRN 4141-5926 (09:00–11:00)."
    )


def test_visit_without_label_is_named_by_its_id() -> None:
    unlabelled = BookedVisit(12, 1, at(9), at(11), "Chair 3")
    [conflict] = find_conflicts(request(at(9), at(10), chair="Chair 3"), [unlabelled], POLICY)
    assert "visit #12 (09:00–11:00)" in conflict.message


def test_rescheduling_a_visit_does_not_conflict_with_its_old_slot() -> None:
    assert kinds(request(at(10), at(12), patient_id=1, visit_id=11)) == []


def test_consultation_needs_no_chair_but_still_cannot_double_book_the_patient() -> None:
    consult = request(at(10), at(11), chair=None, patient_id=1, visit_type=VisitType.CONSULTATION)
    assert kinds(consult) == [ConflictKind.PATIENT_DOUBLE_BOOKED]
    other = request(at(10), at(11), chair=None, visit_type=VisitType.CONSULTATION)
    assert kinds(other) == []


@pytest.mark.parametrize(
    ("start", "end", "bookable"),
    [
        (at(8), at(10), True),
        (at(16), at(18), True),
        (at(7, 59), at(10), False),
        (at(16, 1), at(18, 1), False),
        (at(17), at(19), False),
        (at(17), at(9) + timedelta(days=1), False),  # runs overnight
    ],
)
def test_opening_hours_boundaries(start: datetime, end: datetime, bookable: bool) -> None:
    conflicts = find_conflicts(request(start, end, chair="Chair 4"), [], POLICY)
    assert (conflicts == []) is bookable
    if not bookable:
        assert conflicts[0].kind is ConflictKind.OUTSIDE_OPENING_HOURS
        assert "outside opening hours (08:00–18:00)" in conflicts[0].message


def test_weekend_is_outside_opening_hours_by_default() -> None:
    saturday = MONDAY + timedelta(days=5)
    [conflict] = find_conflicts(request(at(9, day=saturday), at(11, day=saturday)), [], POLICY)
    assert conflict.message == "The clinic is closed on Saturdays."


def test_clinic_open_on_saturday_by_policy_accepts_saturday() -> None:
    saturday = MONDAY + timedelta(days=5)
    policy = ClinicPolicy(clinic_weekdays=(0, 1, 2, 3, 4, 5))
    assert find_conflicts(request(at(9, day=saturday), at(11, day=saturday)), [], policy) == []


def test_infusion_without_chair_is_refused_naming_the_chair_field() -> None:
    with pytest.raises(ValidationError, match="Choose a chair") as caught:
        find_conflicts(request(at(9), at(11), chair=None), [], POLICY)
    assert caught.value.field == "chair"


def test_unknown_chair_is_refused() -> None:
    with pytest.raises(ValidationError, match="no chair called 'Chair 9'"):
        find_conflicts(request(at(9), at(11), chair="Chair 9"), [], POLICY)


def test_visit_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationError, match="end after it starts"):
        find_conflicts(request(at(11), at(11)), [], POLICY)


def test_ensure_bookable_raises_with_every_conflict_named() -> None:
    with pytest.raises(BookingConflict) as caught:
        ensure_bookable(request(at(17), at(19), patient_id=1), [EXISTING], POLICY)
    assert [c.kind for c in caught.value.conflicts] == [ConflictKind.OUTSIDE_OPENING_HOURS]
    with pytest.raises(BookingConflict, match="already booked"):
        ensure_bookable(request(at(10), at(12)), [EXISTING], POLICY)


def test_ensure_bookable_accepts_a_free_slot() -> None:
    ensure_bookable(request(at(12), at(14)), [EXISTING], POLICY)


def test_next_open_day_skips_the_weekend_and_keeps_an_open_day() -> None:
    from desk.domain.booking import next_open_day

    saturday = date(2026, 11, 28)
    assert next_open_day(saturday, ClinicPolicy()) == date(2026, 11, 30)
    assert next_open_day(date(2026, 11, 27), ClinicPolicy()) == date(2026, 11, 27)


def test_closed_day_notice_names_both_days_and_is_empty_when_nothing_was_skipped() -> None:
    from desk.domain.booking import closed_day_notice

    saturday, monday = date(2026, 11, 28), date(2026, 11, 30)
    assert closed_day_notice(saturday, monday, ClinicPolicy()) == (
        "The clinic is closed on Saturday 11/28/2026; showing the next open day, "
        "Monday 11/30/2026."
    )
    assert closed_day_notice(monday, monday, ClinicPolicy()) == ""


def test_no_show_is_refused_before_the_visits_day_only() -> None:
    from desk.domain.booking import no_show_refusal

    today = date(2026, 11, 27)
    visit = datetime(2026, 11, 30, 9, 0)
    assert "only on its day or later" in no_show_refusal(visit, today, ClinicPolicy())
    assert no_show_refusal(visit, date(2026, 11, 30), ClinicPolicy()) == ""
    assert no_show_refusal(visit, date(2026, 12, 1), ClinicPolicy()) == ""
