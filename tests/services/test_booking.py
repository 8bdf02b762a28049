"""Booking visits and series, cancelling, rescheduling, no-shows: on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from desk.db.models import AuditEntry, Visit, VisitStatusChange
from desk.domain.booking import BookingConflict, VisitType
from desk.domain.errors import NotPermitted, StaleEdit, TransitionRefused, ValidationError
from desk.domain.roles import Role
from desk.domain.series import SeriesKind
from desk.domain.visit_states import VisitState
from desk.services import audit, booking, visits
from desk.services.booking import ScreeningIncomplete, SeriesSlot
from desk.services.context import Desk
from desk.services.visits import VisitReason
from tests.helpers.fixtures import FakeClock, add_person
from tests.helpers.visits import add_patient

TOMORROW = date(2026, 11, 26)  # the test clock stands on Wednesday 25 November 2026


def at(hour: int, minute: int = 0, day: date = TOMORROW) -> datetime:
    return datetime.combine(day, time(hour, minute))


def visit_count(desk: Desk) -> int:
    with desk.read() as session:
        return session.scalar(select(func.count()).select_from(Visit)) or 0


def test_booked_infusion_reads_back_in_local_time_for_its_default_duration(
    reception_desk: Desk,
) -> None:
    patient = add_patient(reception_desk)
    view = booking.book_visit(reception_desk, patient, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    again = booking.get_visit(reception_desk, view.id)
    assert (again.start, again.end, again.chair) == (at(9), at(11), "Chair 1")
    assert again.status is VisitState.SCHEDULED and again.series_position == ""


def test_double_booked_chair_is_refused_naming_the_visit_in_the_way(reception_desk: Desk) -> None:
    first = add_patient(reception_desk, "Ana", "Silva")
    second = add_patient(reception_desk, "Ben", "Cole")
    booked = booking.book_visit(reception_desk, first, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    with pytest.raises(BookingConflict) as refused:
        booking.book_visit(reception_desk, second, VisitType.PAIN_INFUSION, at(10), "Chair 1")
    message = str(refused.value)
    assert "Chair 1 is already booked for Mood Series infusion" in message
    assert f"MRN {booked.mrn}" in message and "09:00–11:00" in message


def test_patient_cannot_be_in_two_chairs_at_once(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    booking.book_visit(reception_desk, patient, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    with pytest.raises(BookingConflict, match="The patient already has"):
        booking.book_visit(reception_desk, patient, VisitType.CONSULTATION, at(10), None)


def test_booking_after_closing_time_is_refused(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    with pytest.raises(BookingConflict, match="outside opening hours"):
        booking.book_visit(reception_desk, patient, VisitType.PAIN_INFUSION, at(16), "Chair 2")


def test_booking_in_the_past_is_refused(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    with pytest.raises(ValidationError, match="already passed"):
        booking.book_visit(
            reception_desk, patient, VisitType.CONSULTATION, at(9, day=date(2026, 11, 24)), None
        )


def test_cancelled_visit_frees_its_chair(reception_desk: Desk) -> None:
    first = add_patient(reception_desk, "Ana", "Silva")
    second = add_patient(reception_desk, "Ben", "Cole")
    view = booking.book_visit(reception_desk, first, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    visits.cancel_visit(
        reception_desk, view.id, VisitReason("patient_unwell"), expected_version=view.version
    )
    moved_in = booking.book_visit(reception_desk, second, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    assert moved_in.chair == "Chair 1"


def test_infusion_for_unscreened_patient_needs_an_override_that_is_recorded(
    reception_desk: Desk, admin_desk: Desk
) -> None:
    patient = add_patient(reception_desk, screened=False)
    with pytest.raises(ScreeningIncomplete, match="screening incomplete, missing: indication"):
        booking.book_visit(reception_desk, patient, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    assert visit_count(reception_desk) == 0
    view = booking.book_visit(
        reception_desk,
        patient,
        VisitType.MOOD_INFUSION,
        at(9),
        "Chair 1",
        screening_override_reason="Consultation notes arrive by fax this afternoon",
    )
    assert view.screening_override_by == "rita"
    entry = audit.browse(admin_desk, audit.AuditFilter(action="visit.book"))[0]
    assert "screening_override=True" in entry.summary and "fax" not in entry.summary


def test_flagged_patient_also_needs_an_override(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk, flags=("ketamine_allergy",))
    with pytest.raises(ScreeningIncomplete, match="flagged: Ketamine allergy"):
        booking.book_visit(reception_desk, patient, VisitType.BOOSTER, at(9), "Chair 1")


def test_consultation_needs_no_screening(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk, screened=False)
    view = booking.book_visit(reception_desk, patient, VisitType.CONSULTATION, at(9), None)
    assert view.screening_override_by is None and view.end == at(10)


def test_nurse_may_not_book_but_may_record_a_no_show(admin_desk: Desk, clock: FakeClock) -> None:
    nurse = admin_desk.as_actor(add_person(admin_desk, "nina", Role.NURSE))
    patient = add_patient(admin_desk)
    with pytest.raises(NotPermitted):
        booking.book_visit(nurse, patient, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    view = booking.book_visit(admin_desk, patient, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    clock.advance(hours=20)  # the visit's day has come and the patient has not
    closed = visits.mark_no_show(
        nurse, view.id, VisitReason("did_not_arrive"), expected_version=view.version
    )
    assert closed.status is VisitState.NO_SHOW and closed.status_reason == "Did not arrive"


def test_series_proposal_gives_six_free_slots_within_the_window(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    other = add_patient(reception_desk, "Ben", "Cole")
    booking.book_visit(reception_desk, other, VisitType.MOOD_INFUSION, at(10), "Chair 1")
    proposal = booking.propose_series(reception_desk, patient, SeriesKind.MOOD, TOMORROW, time(10))
    assert proposal.complete and len(proposal.slots) == 6
    assert proposal.slots[0].start == at(10) and proposal.slots[0].chair != "Chair 1"
    assert all(s.start.date() <= proposal.window_last_day for s in proposal.slots)
    assert [s.position for s in proposal.slots] == [1, 2, 3, 4, 5, 6]


def test_booked_series_shows_each_infusion_place(reception_desk: Desk, admin_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    proposal = booking.propose_series(reception_desk, patient, SeriesKind.PAIN, TOMORROW, time(9))
    slots = [SeriesSlot(s.start, s.chair) for s in proposal.slots]
    visits = booking.book_series(reception_desk, patient, SeriesKind.PAIN, slots)
    assert [v.series_position for v in visits] == [f"{i} of 6" for i in range(1, 7)]
    assert visits[2].label == "Pain Series infusion 3 of 6"
    assert visits[0].end - visits[0].start == timedelta(hours=3)
    entries = audit.browse(admin_desk, audit.AuditFilter(action="series.book"))
    assert len(entries) == 1 and "infusions=6" in entries[0].summary


def test_series_is_booked_all_or_nothing(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    other = add_patient(reception_desk, "Ben", "Cole")
    proposal = booking.propose_series(reception_desk, patient, SeriesKind.MOOD, TOMORROW, time(9))
    fifth = proposal.slots[4]
    booking.book_visit(reception_desk, other, VisitType.MOOD_INFUSION, fifth.start, fifth.chair)
    before = (visit_count(reception_desk), audit.change_counter(reception_desk))
    slots = [SeriesSlot(s.start, s.chair) for s in proposal.slots]
    with pytest.raises(BookingConflict, match=f"{fifth.chair} is already booked"):
        booking.book_series(reception_desk, patient, SeriesKind.MOOD, slots)
    assert (visit_count(reception_desk), audit.change_counter(reception_desk)) == before


def test_series_problems_point_at_the_slot_that_clashes(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    slots = [SeriesSlot(at(9, day=TOMORROW + timedelta(days=d)), "Chair 1") for d in (0, 1)]
    slots.append(SeriesSlot(at(10, day=TOMORROW), "Chair 2"))  # the patient is in Chair 1
    problems, overrun = booking.series_problems(reception_desk, patient, SeriesKind.MOOD, slots)
    assert problems[1] == ""
    assert "The patient already has infusion 3 of this series" in problems[0]
    assert "The patient already has infusion 1 of this series" in problems[2]
    assert overrun is None


def test_series_running_past_its_window_is_warned_about(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    slots = [SeriesSlot(at(9), "Chair 1"), SeriesSlot(at(9, day=date(2026, 12, 21)), "Chair 1")]
    _, overrun = booking.series_problems(reception_desk, patient, SeriesKind.MOOD, slots)
    assert overrun is not None and "past its 21-day window" in overrun


def test_cancel_needs_a_listed_reason_and_text_for_other(
    reception_desk: Desk, admin_desk: Desk
) -> None:
    patient = add_patient(reception_desk)
    view = booking.book_visit(reception_desk, patient, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    with pytest.raises(ValidationError, match="Choose a reason"):
        visits.cancel_visit(
            reception_desk, view.id, VisitReason("bored"), expected_version=view.version
        )
    with pytest.raises(ValidationError, match="Say why"):
        visits.cancel_visit(
            reception_desk, view.id, VisitReason("other", "  "), expected_version=view.version
        )
    done = visits.cancel_visit(
        reception_desk,
        view.id,
        VisitReason("other", "Moving abroad"),
        expected_version=view.version,
    )
    assert done.status is VisitState.CANCELLED and done.status_reason == "Moving abroad"
    entry = audit.browse(admin_desk, audit.AuditFilter(action="visit.cancel"))[0]
    assert "Moving" not in entry.summary and "note" in entry.summary


def test_status_change_records_who_where_and_why(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    view = booking.book_visit(reception_desk, patient, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    visits.cancel_visit(
        reception_desk,
        view.id,
        VisitReason("patient_request", "work"),
        expected_version=view.version,
    )
    with reception_desk.read() as session:
        change = session.scalars(select(VisitStatusChange)).one()
        assert (change.from_status, change.to_status) == ("scheduled", "cancelled")
        assert (change.by, change.workstation) == ("rita", "front-desk-1")
        assert change.reason == "Patient asked to cancel: work"


def test_cancelled_visit_cannot_be_cancelled_again(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    view = booking.book_visit(reception_desk, patient, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    done = visits.cancel_visit(
        reception_desk, view.id, VisitReason("patient_unwell"), expected_version=view.version
    )
    with pytest.raises(TransitionRefused, match="cancelled"):
        visits.mark_no_show(
            reception_desk, view.id, VisitReason("did_not_arrive"), expected_version=done.version
        )


def test_reschedule_moves_the_visit_and_keeps_its_series_place(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    proposal = booking.propose_series(reception_desk, patient, SeriesKind.MOOD, TOMORROW, time(9))
    booked = booking.book_series(
        reception_desk,
        patient,
        SeriesKind.MOOD,
        [SeriesSlot(s.start, s.chair) for s in proposal.slots],
    )
    moved = visits.reschedule_visit(
        reception_desk,
        booked[0].id,
        at(13),
        "Chair 3",
        VisitReason("patient_request"),
        expected_version=booked[0].version,
    )
    assert (moved.start, moved.end, moved.chair) == (at(13), at(15), "Chair 3")
    assert moved.series_position == "1 of 6" and moved.status is VisitState.SCHEDULED
    assert moved.status_reason.startswith("Moved from 2026-11-26 09:00")


def test_reschedule_into_a_taken_chair_is_refused(reception_desk: Desk) -> None:
    first = add_patient(reception_desk, "Ana", "Silva")
    second = add_patient(reception_desk, "Ben", "Cole")
    booking.book_visit(reception_desk, first, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    view = booking.book_visit(reception_desk, second, VisitType.MOOD_INFUSION, at(13), "Chair 1")
    with pytest.raises(BookingConflict, match="Chair 1 is already booked"):
        visits.reschedule_visit(
            reception_desk,
            view.id,
            at(10),
            "Chair 1",
            VisitReason("clinic"),
            expected_version=view.version,
        )


def test_stale_version_is_refused_naming_who_changed_it(admin_desk: Desk, clock: FakeClock) -> None:
    rita = admin_desk.as_actor(add_person(admin_desk, "rita", Role.RECEPTIONIST))
    from dataclasses import replace

    other_desk = replace(admin_desk, workstation="nurse-station").as_actor(
        add_person(admin_desk, "nina", Role.NURSE)
    )
    patient = add_patient(rita)
    view = booking.book_visit(rita, patient, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    clock.advance(hours=20)
    visits.mark_no_show(
        other_desk, view.id, VisitReason("did_not_arrive"), expected_version=view.version
    )
    with pytest.raises(StaleEdit) as refused:
        visits.cancel_visit(
            rita, view.id, VisitReason("patient_unwell"), expected_version=view.version
        )
    assert "changed at nurse-station by nina at" in str(refused.value)
    assert refused.value.current["status"] == "No-show"


def test_two_desks_racing_on_one_visit_exactly_one_wins(admin_desk: Desk) -> None:
    from dataclasses import replace

    front = admin_desk.as_actor(add_person(admin_desk, "rita", Role.RECEPTIONIST))
    back = replace(admin_desk, workstation="front-desk-2").as_actor(
        add_person(admin_desk, "ravi", Role.RECEPTIONIST)
    )
    patient = add_patient(front)
    view = booking.book_visit(front, patient, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def act(desk: Desk, reason: str) -> None:
        start.wait()
        try:
            visits.cancel_visit(desk, view.id, VisitReason(reason), expected_version=view.version)
            outcomes.append("saved")
        except StaleEdit:
            outcomes.append("stale")

    threads = [
        threading.Thread(target=act, args=(d, r))
        for d, r in ((front, "patient_unwell"), (back, "patient_request"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["saved", "stale"]
    assert len(audit.browse(admin_desk, audit.AuditFilter(action="visit.cancel"))) == 1


def test_each_change_writes_exactly_one_audit_entry(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    counter = audit.change_counter(reception_desk)
    view = booking.book_visit(reception_desk, patient, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    assert audit.change_counter(reception_desk) == counter + 1
    moved = visits.reschedule_visit(
        reception_desk,
        view.id,
        at(11),
        "Chair 1",
        VisitReason("clinic"),
        expected_version=view.version,
    )
    assert audit.change_counter(reception_desk) == counter + 2
    visits.cancel_visit(
        reception_desk, view.id, VisitReason("clinic"), expected_version=moved.version
    )
    assert audit.change_counter(reception_desk) == counter + 3


def test_two_desks_booking_the_same_chair_at_once_cannot_both_win(admin_desk: Desk) -> None:
    from dataclasses import replace

    front = admin_desk.as_actor(add_person(admin_desk, "rita", Role.RECEPTIONIST))
    back = replace(admin_desk, workstation="front-desk-2").as_actor(
        add_person(admin_desk, "ravi", Role.RECEPTIONIST)
    )
    patients = [add_patient(front, "Ana", "Silva"), add_patient(front, "Ben", "Cole")]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def act(desk: Desk, patient: int) -> None:
        start.wait()
        try:
            booking.book_visit(desk, patient, VisitType.MOOD_INFUSION, at(9), "Chair 1")
            outcomes.append("booked")
        except BookingConflict:
            outcomes.append("refused")

    desks = (front, back)
    threads = [threading.Thread(target=act, args=(desks[i], patients[i])) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["booked", "refused"]
    assert visit_count(front) == 1


def test_no_show_is_refused_before_the_visits_day(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    view = booking.book_visit(reception_desk, patient, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    with pytest.raises(TransitionRefused, match=r"only on its day or later.*Cancel it instead"):
        visits.mark_no_show(
            reception_desk, view.id, VisitReason("did_not_arrive"), expected_version=view.version
        )
    assert booking.get_visit(reception_desk, view.id).status is VisitState.SCHEDULED


def test_same_day_no_show_is_reinstated_with_a_reason_and_audited(
    reception_desk: Desk, clock: FakeClock
) -> None:
    patient = add_patient(reception_desk)
    view = booking.book_visit(reception_desk, patient, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    clock.advance(hours=20)  # 10:00 on the visit's day
    closed = visits.mark_no_show(
        reception_desk, view.id, VisitReason("did_not_arrive"), expected_version=view.version
    )
    back = visits.reinstate_visit(
        reception_desk, view.id, VisitReason("arrived_late"), expected_version=closed.version
    )
    assert back.status is VisitState.SCHEDULED
    assert back.status_reason == "The patient arrived after all"
    with reception_desk.read() as session:
        changes = session.scalars(
            select(VisitStatusChange.to_status).where(VisitStatusChange.visit_id == view.id)
            .order_by(VisitStatusChange.id)
        ).all()
        reinstated = session.scalars(
            select(AuditEntry.entity_id).where(AuditEntry.action == "visit.reinstate")
        ).all()
    assert changes == ["no_show", "scheduled"]
    assert reinstated == [str(view.id)]


def test_reinstating_is_refused_once_the_chair_is_taken(reception_desk: Desk) -> None:
    first = add_patient(reception_desk, "Ana", "Silva")
    second = add_patient(reception_desk, "Ben", "Cole")
    view = booking.book_visit(reception_desk, first, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    done = visits.cancel_visit(
        reception_desk, view.id, VisitReason("patient_unwell"), expected_version=view.version
    )
    booking.book_visit(reception_desk, second, VisitType.MOOD_INFUSION, at(10), "Chair 1")
    with pytest.raises(BookingConflict, match="Chair 1 is already booked"):
        visits.reinstate_visit(
            reception_desk, view.id, VisitReason("in_error"), expected_version=done.version
        )


def test_only_a_closed_visit_can_be_reinstated(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    view = booking.book_visit(reception_desk, patient, VisitType.MOOD_INFUSION, at(9), "Chair 1")
    with pytest.raises(TransitionRefused, match="Only a cancelled or no-show visit"):
        visits.reinstate_visit(
            reception_desk, view.id, VisitReason("in_error"), expected_version=view.version
        )
