"""The day board: who is booked on a local day, in which chair, and where each visit stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from desk.db.models import Patient, Visit
from desk.domain.booking import VisitType
from desk.domain.visit_states import VisitState
from desk.services.context import Desk


@dataclass(frozen=True)
class BoardRow:
    visit_id: int
    start: datetime  # aware, in the workstation's local time zone
    end: datetime
    patient_id: int
    patient_name: str  # preferred (or legal first) name and last initial: "Sam L."
    mrn: str
    visit_type: str  # code, e.g. "mood_infusion"
    visit_type_label: str
    chair: str
    status: str  # VisitState value
    status_label: str


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The aware instants where ``day`` starts and the next day starts, in local time.

    Taken from midnight to midnight (not start + 24 h) so a daylight-saving change day
    is 23 or 25 hours long, as it is on the clinic's wall clock.
    """
    start = datetime.combine(day, time.min).astimezone()
    end = datetime.combine(day + timedelta(days=1), time.min).astimezone()
    return start, end


def day_board(desk: Desk, day: date) -> list[BoardRow]:
    """Any signed-in staff: the visits that start on ``day`` (local), earliest first."""
    desk.require()
    start, end = local_day_bounds(day)
    query = (
        select(Visit, Patient)
        .join(Patient, Visit.patient_id == Patient.id)
        .where(Visit.scheduled_start >= start, Visit.scheduled_start < end)
        .order_by(Visit.scheduled_start, Visit.chair, Visit.id)
    )
    with desk.read() as session:
        return [_row(visit, patient) for visit, patient in session.execute(query)]


def _row(visit: Visit, patient: Patient) -> BoardRow:
    return BoardRow(
        visit_id=visit.id,
        start=visit.scheduled_start.astimezone(),
        end=visit.scheduled_end.astimezone(),
        patient_id=patient.id,
        patient_name=board_name(patient.preferred_name, patient.legal_first_name,
                                patient.legal_last_name),
        mrn=patient.mrn,
        visit_type=visit.visit_type,
        visit_type_label=_label(VisitType, visit.visit_type),
        chair=visit.chair or "",
        status=visit.status,
        status_label=_label(VisitState, visit.status),
    )


def board_name(preferred: str, first: str, last: str) -> str:
    """The name a board shows: preferred or first name, then the last name's initial."""
    given = (preferred or first).strip()
    initial = last.strip()[:1]
    return f"{given} {initial}." if initial else given


def _label(kind: type[VisitType] | type[VisitState], code: str) -> str:
    # A code written by a newer desk (a new visit type) still shows, just unpolished.
    try:
        return kind(code).label
    except ValueError:
        return code.replace("_", " ").capitalize()
