"""Tomorrow's call list: who to phone, prep times, ticks recorded on the visit, the PDF."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from desk.db.models import Transport, Visit
from desk.domain.booking import VisitType
from desk.domain.errors import NotPermitted, StaleEdit, TransitionRefused
from desk.domain.roles import Role
from desk.services import audit, booking, call_list, visits
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


def test_ticks_are_recorded_on_the_visit_with_who_and_when(
    reception_desk: Desk, admin_desk: Desk
) -> None:
    patient = add_patient(reception_desk)
    view = booking.book_visit(reception_desk, patient, VisitType.MOOD_INFUSION, at(10), "Chair 1")
    call_list.record_call(
        reception_desk,
        view.id,
        ride_confirmed=True,
        prep_explained=False,
        expected_version=view.version,
    )
    entry = call_list.call_list(reception_desk, TOMORROW)[0]
    assert entry.ride_confirmed and not entry.prep_explained
    with reception_desk.read() as session:
        visit = session.get(Visit, view.id)
        assert visit is not None
        assert visit.ride_confirmed_by == "rita" and visit.ride_confirmed_at == reception_desk.now()
    call_list.record_call(
        reception_desk,
        view.id,
        ride_confirmed=False,
        prep_explained=True,
        expected_version=entry.version,
    )
    entry = call_list.call_list(reception_desk, TOMORROW)[0]
    assert entry.prep_explained and not entry.ride_confirmed
    entries = audit.browse(admin_desk, audit.AuditFilter(action="visit.call"))
    assert len(entries) == 2


def test_stale_tick_is_refused(reception_desk: Desk) -> None:
    patient = add_patient(reception_desk)
    view = booking.book_visit(reception_desk, patient, VisitType.MOOD_INFUSION, at(10), "Chair 1")
    call_list.record_call(
        reception_desk,
        view.id,
        ride_confirmed=True,
        prep_explained=False,
        expected_version=view.version,
    )
    with pytest.raises(StaleEdit):
        call_list.record_call(
            reception_desk,
            view.id,
            ride_confirmed=True,
            prep_explained=True,
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
