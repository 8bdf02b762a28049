"""Tomorrow's call list: who to phone, prep times, the ticks (the ride tick is the way home's
confirmation), the PDF."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from desk.db.models import Transport
from desk.domain.booking import VisitType
from desk.domain.errors import NotPermitted, StaleEdit, TransitionRefused, ValidationError
from desk.domain.roles import Role
from desk.domain.transport import PickupPlan, ResponsibleAdult, TransportStatus
from desk.services import audit, board, booking, call_list, transport, visits
from desk.services.context import Desk
from tests.helpers.fixtures import add_person
from tests.helpers.visits import add_patient

TOMORROW = date(2026, 11, 26)


def at(hour: int) -> datetime:
    return datetime.combine(TOMORROW, time(hour))


def test_lists_tomorrows_infusions_with_prep_times_but_not_consultations(
    reception_desk: Desk,
) -> None:
    ana = add_patient(reception_desk, "Ana", "Silva")
    ben = add_patient(reception_desk, "Ben", "Cole")
    cancelled = add_patient(reception_desk, "Cy", "Park")
    booking.book_visit(reception_desk, ana, VisitType.MOOD_INFUSION, at(10), "Chair 1")
    booking.book_visit(reception_desk, ben, VisitType.CONSULTATION, at(9), None)
    gone = booking.book_visit(reception_desk, cancelled, VisitType.BOOSTER, at(9), "Chair 2")
    visits.cancel_visit(
        reception_desk,
        gone.id,
        visits.VisitReason("patient_unwell"),
        expected_version=gone.version,
    )
    entries = call_list.call_list(reception_desk, TOMORROW)
    assert [e.patient_name for e in entries] == ["Ana Silva"]
    entry = entries[0]
    assert entry.phone == "(201) 555-0123" and entry.treatment_label == "Mood Series infusion"
    assert f"{entry.no_food_after:%H:%M}" == "06:00"
    assert f"{entry.clear_fluids_until:%H:%M}" == "08:00"
    assert not entry.ride_confirmed and entry.driver_name is None


def _way_home(desk: Desk, visit_id: int) -> None:
    transport.record_transport(
        desk, visit_id, ResponsibleAdult("Kim O'Neill", "+12015550199", "sister"),
        PickupPlan.FAMILY_DRIVES, None,
    )


def test_ride_tick_is_the_way_homes_confirmation_the_board_shows(
    reception_desk: Desk, admin_desk: Desk
) -> None:
    patient = add_patient(reception_desk)
    view = booking.book_visit(reception_desk, patient, VisitType.MOOD_INFUSION, at(10), "Chair 1")
    _way_home(reception_desk, view.id)
    entry = call_list.call_list(reception_desk, TOMORROW)[0]
    assert not entry.ride_confirmed
    call_list.record_call(
        reception_desk, view.id, ride_confirmed=True, prep_explained=False,
        expected_version=entry.version, transport_version=entry.transport_version,
    )
    entry = call_list.call_list(reception_desk, TOMORROW)[0]
    assert entry.ride_confirmed and not entry.prep_explained
    way_home = transport.transport_for(reception_desk, view.id)
    assert way_home.status is TransportStatus.CONFIRMED and way_home.confirmed_by == "Rita"
    row = board.day_board(reception_desk, TOMORROW)[0]
    assert row.transport.label.endswith("Confirmed")
    confirmations = audit.browse(admin_desk, audit.AuditFilter(action="transport.confirm"))
    assert len(confirmations) == 1
    call_list.record_call(
        reception_desk, view.id, ride_confirmed=False, prep_explained=True,
        expected_version=entry.version, transport_version=entry.transport_version,
    )
    entry = call_list.call_list(reception_desk, TOMORROW)[0]
    assert entry.prep_explained and not entry.ride_confirmed
    assert board.day_board(reception_desk, TOMORROW)[0].transport.label.endswith("Not confirmed")
    assert len(audit.browse(admin_desk, audit.AuditFilter(action="transport.unconfirm"))) == 1
    assert len(audit.browse(admin_desk, audit.AuditFilter(action="visit.call"))) == 1


def test_ride_tick_without_a_recorded_adult_says_to_record_one(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    view = booking.book_visit(reception_desk, patient, VisitType.MOOD_INFUSION, at(10), "Chair 1")
    with pytest.raises(ValidationError, match="Record who takes the patient home"):
        call_list.record_call(
            reception_desk, view.id, ride_confirmed=True, prep_explained=False,
            expected_version=view.version,
        )


def test_stale_tick_is_refused(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    view = booking.book_visit(reception_desk, patient, VisitType.MOOD_INFUSION, at(10), "Chair 1")
    call_list.record_call(
        reception_desk,
        view.id,
        ride_confirmed=False,
        prep_explained=True,
        expected_version=view.version,
    )
    with pytest.raises(StaleEdit):
        call_list.record_call(
            reception_desk,
            view.id,
            ride_confirmed=False,
            prep_explained=False,
            expected_version=view.version,
        )


def test_closed_visit_takes_no_ticks(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    view = booking.book_visit(reception_desk, patient, VisitType.MOOD_INFUSION, at(10), "Chair 1")
    done = visits.cancel_visit(
        reception_desk, view.id, visits.VisitReason("clinic"), expected_version=view.version
    )
    with pytest.raises(TransitionRefused):
        call_list.record_call(
            reception_desk,
            view.id,
            ride_confirmed=True,
            prep_explained=True,
            expected_version=done.version,
        )


def test_driver_name_comes_from_the_transport_record(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    view = booking.book_visit(reception_desk, patient, VisitType.PAIN_INFUSION, at(9), "Chair 4")
    with reception_desk.write() as uow:
        uow.session.add(
            Transport(
                visit_id=view.id,
                adult_name="Kim O'Neill",
                adult_phone="+12015550199",
                relationship="sister",
                plan="family_drives",
            )
        )
        uow.commit()
    assert call_list.call_list(reception_desk, TOMORROW)[0].driver_name == "Kim O'Neill"


def test_pdf_is_rendered_and_its_printing_audited(reception_desk: Desk, admin_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    booking.book_visit(reception_desk, patient, VisitType.MOOD_INFUSION, at(10), "Chair 1")
    pdf = call_list.call_list_pdf(reception_desk, TOMORROW)
    assert pdf.startswith(b"%PDF")
    entry = audit.browse(admin_desk, audit.AuditFilter(action="call_list.print"))[0]
    assert "entries=1" in entry.summary and "Silva" not in entry.summary


def test_signed_in_staff_only(admin_desk: Desk) -> None:
    with pytest.raises(NotPermitted):
        call_list.call_list(admin_desk.as_actor(None), TOMORROW)
    nurse = admin_desk.as_actor(add_person(admin_desk, "nina", Role.NURSE))
    assert call_list.call_list(nurse, TOMORROW) == []
