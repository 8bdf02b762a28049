"""Check-in: identity read back, arrival and lateness, screening override, racing desks."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from desk.db.models import Visit, VisitStatusChange
from desk.domain.booking import VisitType
from desk.domain.errors import NotPermitted, StaleEdit, TransitionRefused, ValidationError
from desk.domain.roles import Role
from desk.domain.visit_states import VisitState
from desk.services import audit, booking, checkin, visits
from desk.services.booking import ScreeningIncomplete, VisitView
from desk.services.context import Desk
from tests.helpers.fixtures import FakeClock, add_person
from tests.helpers.visits import DOB, add_patient

TODAY = date(2026, 11, 25)


def book_today(
    desk: Desk,
    clock: FakeClock,
    hour: int = 15,
    *,
    screened: bool = True,
    visit_type: VisitType = VisitType.MOOD_INFUSION,
) -> VisitView:
    """A visit this afternoon, booked at 08:00 local so the slot is still ahead."""
    clock.now = datetime.combine(TODAY, time(8)).astimezone(UTC)
    patient = add_patient(desk, screened=screened)
    chair = "Chair 1" if visit_type.needs_chair else None
    view = booking.book_visit(
        desk,
        patient,
        visit_type,
        datetime.combine(TODAY, time(hour)),
        chair,
        screening_override_reason=None if screened else "notes on the way",
    )
    return view


def arrive_at(clock: FakeClock, hour: int, minute: int = 0) -> None:
    clock.now = datetime.combine(TODAY, time(hour, minute)).astimezone(UTC)


def test_check_in_on_time_marks_the_visit_arrived(reception_desk: Desk, clock: FakeClock) -> None:
    view = book_today(reception_desk, clock)
    arrive_at(clock, 14, 50)
    done = checkin.check_in(
        reception_desk,
        view.id,
        dob_confirmed=DOB,
        contact_confirmed=True,
        expected_version=view.version,
    )
    assert done.status is VisitState.ARRIVED and not done.late
    with reception_desk.read() as session:
        visit = session.get(Visit, view.id)
        assert visit is not None
        assert visit.identity_confirmed_by == "rita"
        assert visit.arrived_at == clock.now
        change = session.scalars(select(VisitStatusChange)).one()
        assert (change.to_status, change.by) == ("arrived", "rita")


def test_arrival_after_the_slot_start_is_late(reception_desk: Desk, clock: FakeClock) -> None:
    view = book_today(reception_desk, clock)
    arrive_at(clock, 15, 20)
    done = checkin.check_in(
        reception_desk,
        view.id,
        dob_confirmed=DOB,
        contact_confirmed=True,
        expected_version=view.version,
    )
    assert done.late


def test_typed_arrival_time_decides_lateness(reception_desk: Desk, clock: FakeClock) -> None:
    view = book_today(reception_desk, clock)
    arrive_at(clock, 15, 30)
    done = checkin.check_in(
        reception_desk,
        view.id,
        dob_confirmed=DOB,
        contact_confirmed=True,
        expected_version=view.version,
        arrived_at_local=datetime.combine(TODAY, time(14, 55)),
    )
    assert not done.late


def test_wrong_date_of_birth_is_refused(reception_desk: Desk, clock: FakeClock) -> None:
    view = book_today(reception_desk, clock)
    arrive_at(clock, 14, 50)
    with pytest.raises(ValidationError, match="date of birth does not match") as refused:
        checkin.check_in(
            reception_desk,
            view.id,
            dob_confirmed=date(1980, 7, 15),
            contact_confirmed=True,
            expected_version=view.version,
        )
    assert refused.value.field == "dob"
    assert booking.get_visit(reception_desk, view.id).status is VisitState.SCHEDULED


def test_contact_details_must_be_confirmed(reception_desk: Desk, clock: FakeClock) -> None:
    view = book_today(reception_desk, clock)
    with pytest.raises(ValidationError, match="emergency contact"):
        checkin.check_in(
            reception_desk,
            view.id,
            dob_confirmed=DOB,
            contact_confirmed=False,
            expected_version=view.version,
        )


def test_arrival_in_the_future_or_another_day_is_refused(
    reception_desk: Desk, clock: FakeClock
) -> None:
    view = book_today(reception_desk, clock)
    arrive_at(clock, 14)
    with pytest.raises(ValidationError, match="in the future"):
        checkin.check_in(
            reception_desk,
            view.id,
            dob_confirmed=DOB,
            contact_confirmed=True,
            expected_version=view.version,
            arrived_at_local=datetime.combine(TODAY, time(14, 30)),
        )
    clock.now = datetime.combine(date(2026, 11, 26), time(9)).astimezone(UTC)
    with pytest.raises(ValidationError, match="only on the day"):
        checkin.check_in(
            reception_desk,
            view.id,
            dob_confirmed=DOB,
            contact_confirmed=True,
            expected_version=view.version,
        )


def test_unscreened_infusion_needs_a_nurse_override_at_check_in(
    admin_desk: Desk, clock: FakeClock
) -> None:
    rita = admin_desk.as_actor(add_person(admin_desk, "rita", Role.RECEPTIONIST))
    nina = admin_desk.as_actor(add_person(admin_desk, "nina", Role.NURSE))
    view = book_today(rita, clock, screened=False)
    arrive_at(clock, 14, 50)
    with pytest.raises(ScreeningIncomplete):
        checkin.check_in(
            rita, view.id, dob_confirmed=DOB, contact_confirmed=True, expected_version=view.version
        )
    with pytest.raises(NotPermitted, match="nurse or an admin"):
        checkin.check_in(
            rita,
            view.id,
            dob_confirmed=DOB,
            contact_confirmed=True,
            expected_version=view.version,
            screening_override_reason="trust me",
        )
    done = checkin.check_in(
        nina,
        view.id,
        dob_confirmed=DOB,
        contact_confirmed=True,
        expected_version=view.version,
        screening_override_reason="Dr Hale confirmed by phone",
    )
    assert done.status is VisitState.ARRIVED and done.screening_override_by == "nina"
    with admin_desk.read() as session:
        visit = session.get(Visit, view.id)
        assert visit is not None
        assert visit.screening_override_reason == (
            "notes on the way\nAt check-in (nina): Dr Hale confirmed by phone"
        )
    entry = audit.browse(admin_desk, audit.AuditFilter(action="visit.check_in"))[0]
    assert "screening_override=True" in entry.summary and "Hale" not in entry.summary


def test_consultation_checks_in_without_screening(reception_desk: Desk, clock: FakeClock) -> None:
    view = book_today(reception_desk, clock, screened=False, visit_type=VisitType.CONSULTATION)
    arrive_at(clock, 14, 50)
    done = checkin.check_in(
        reception_desk,
        view.id,
        dob_confirmed=DOB,
        contact_confirmed=True,
        expected_version=view.version,
    )
    assert done.status is VisitState.ARRIVED


def test_check_in_sheet_shows_what_the_desk_confirms(admin_desk: Desk, clock: FakeClock) -> None:
    rita = admin_desk.as_actor(add_person(admin_desk, "rita", Role.RECEPTIONIST))
    view = book_today(rita, clock, screened=False)
    sheet = checkin.check_in_sheet(rita, view.id)
    assert sheet.legal_name == "Zoë O'Neill" and sheet.phone == "(201) 555-0123"
    assert (sheet.emergency_name, sheet.emergency_relationship) == ("Kim O'Neill", "sister")
    assert sheet.needs_override and not sheet.may_override
    assert sheet.screening_text.startswith("screening incomplete")
    assert checkin.check_in_sheet(admin_desk, view.id).may_override


def test_cancelled_visit_cannot_be_checked_in(reception_desk: Desk, clock: FakeClock) -> None:
    view = book_today(reception_desk, clock)
    done = visits.cancel_visit(
        reception_desk,
        view.id,
        visits.VisitReason("patient_unwell"),
        expected_version=view.version,
    )
    arrive_at(clock, 14, 50)
    with pytest.raises(TransitionRefused, match="cancelled"):
        checkin.check_in(
            reception_desk,
            view.id,
            dob_confirmed=DOB,
            contact_confirmed=True,
            expected_version=done.version,
        )


def test_two_desks_checking_in_the_same_visit_exactly_one_wins(
    admin_desk: Desk, clock: FakeClock
) -> None:
    front = admin_desk.as_actor(add_person(admin_desk, "rita", Role.RECEPTIONIST))
    nurse = replace(admin_desk, workstation="nurse-station").as_actor(
        add_person(admin_desk, "nina", Role.NURSE)
    )
    view = book_today(front, clock)
    arrive_at(clock, 14, 50)
    start = threading.Barrier(2)
    outcomes: list[str] = []
    stale: list[StaleEdit] = []

    def act(desk: Desk) -> None:
        start.wait()
        try:
            checkin.check_in(
                desk,
                view.id,
                dob_confirmed=DOB,
                contact_confirmed=True,
                expected_version=view.version,
            )
            outcomes.append(desk.workstation)
        except StaleEdit as exc:
            stale.append(exc)

    threads = [threading.Thread(target=act, args=(d,)) for d in (front, nurse)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(outcomes) == 1 and len(stale) == 1
    assert f"changed at {outcomes[0]}" in str(stale[0])
    assert stale[0].current["status"] == "Arrived"
    assert len(audit.browse(admin_desk, audit.AuditFilter(action="visit.check_in"))) == 1
