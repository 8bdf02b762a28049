"""The nurse's view of the day: each chair's patient and who is waiting for prep.

One query loads today's visits in the clinic with their patient, hold reason and vitals
times; the check points and the time to leave come from ``desk.domain.vitals``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from desk.db.models import Patient, PrepCheck, Visit, VitalsReading
from desk.domain.booking import VisitType
from desk.domain.errors import ValidationError
from desk.domain.locale import format_time
from desk.domain.policy import ClinicPolicy
from desk.domain.visit_states import VisitState
from desk.domain.vitals import (
    CheckpointState,
    CheckpointStatus,
    Vitals,
    VitalsVerdict,
    classify_vitals,
    next_check_due,
    ready_to_leave_at,
    vitals_checkpoints,
)
from desk.services.board import board_name, local_day_bounds, visit_overruns
from desk.services.context import Desk
from desk.services.outcomes import SafetyAlert, safety_alerts
from desk.services.settings import load_policy

IN_CHAIR = (VisitState.PREP_CLEARED, VisitState.INFUSING, VisitState.RECOVERY)
NO_CHAIR = "No chair"


@dataclass(frozen=True)
class ChairView:
    """One chair and the patient in it (``visit_id`` None when the chair is free)."""

    chair: str
    visit_id: int | None = None
    patient_name: str = ""
    mrn: str = ""
    status: VisitState | None = None
    infusion_start: datetime | None = None  # local time zone
    elapsed_minutes: int | None = None  # while infusing
    next_check: CheckpointStatus | None = None
    ready_to_leave_at: datetime | None = None  # in recovery
    vitals_text: str = ""  # "146/93 Review (worst: Hold)", latest reading first
    worst_verdict: VitalsVerdict | None = None
    overrun: str = ""  # "⚠ 25 min past its booked length", or ""

    @property
    def status_label(self) -> str:
        return self.status.label if self.status else "Free"

    def next_check_text(self, policy: ClinicPolicy) -> str:
        """ "During the infusion: due 10:40" / "…: overdue since 10:40" / "" when none."""
        check = self.next_check
        if check is None or self.status not in IN_CHAIR:
            return ""
        if check.due_at is None:
            return f"{check.checkpoint.label}: {check.state.label.lower()}"
        at = format_time(check.due_at.astimezone(), policy)
        if check.state is CheckpointState.OVERDUE:
            return f"{check.checkpoint.label}: overdue since {at}"
        return f"{check.checkpoint.label}: {check.state.label.lower()} {at}"


@dataclass(frozen=True)
class WaitingView:
    """A patient who has arrived and is not yet cleared for the infusion."""

    visit_id: int
    patient_name: str
    mrn: str
    chair: str
    scheduled_start: datetime  # local time zone
    arrived_at: datetime | None
    waiting_minutes: int | None
    hold_reason: str
    safety_alert: str = ""  # an open or assessed suicide-item alert, in words


@dataclass(frozen=True)
class NurseBoard:
    day: date
    chairs: tuple[ChairView, ...]
    waiting: tuple[WaitingView, ...]


@dataclass
class _Visit:
    visit: Visit
    patient: Patient
    hold_reason: str
    readings: list[VitalsReading]

    @property
    def reading_times(self) -> list[datetime]:
        return [r.taken_at for r in self.readings]


def nurse_board(desk: Desk, day: date | None = None) -> NurseBoard:
    """Any signed-in staff: today's chairs and the prep queue, in one query."""
    desk.require()
    now = desk.now()
    day = day or now.astimezone().date()
    start, end = local_day_bounds(day)
    states = [s.value for s in (VisitState.ARRIVED, *IN_CHAIR)]
    # Consultations never come to the chairs: they are not waiting for prep.
    infusions = [t.value for t in VisitType if t.is_infusion]
    query = (
        select(Visit, Patient, PrepCheck.hold_reason, VitalsReading)
        .join(Patient, Visit.patient_id == Patient.id)
        .outerjoin(PrepCheck, PrepCheck.visit_id == Visit.id)
        .outerjoin(VitalsReading, VitalsReading.visit_id == Visit.id)
        .where(
            Visit.scheduled_start >= start,
            Visit.scheduled_start < end,
            Visit.status.in_(states),
            Visit.visit_type.in_(infusions),
        )
        .order_by(Visit.scheduled_start, Visit.id, VitalsReading.taken_at)
    )
    with desk.read() as session:
        policy = load_policy(session)
        visits: dict[int, _Visit] = {}
        for visit, patient, hold_reason, reading in session.execute(query):
            entry = visits.setdefault(visit.id, _Visit(visit, patient, hold_reason or "", []))
            if reading is not None:
                entry.readings.append(reading)
        # Built inside the session: the rows' attributes expire when it ends.
        waiting = [v for v in visits.values() if v.visit.status == VisitState.ARRIVED]
        alerts = safety_alerts(session, [v.visit.id for v in waiting], policy.time_format)
        return NurseBoard(
            day,
            _chairs(visits.values(), policy, now),
            tuple(_waiting(v, now, alerts.get(v.visit.id)) for v in waiting),
        )


def _chairs(visits: Iterable[_Visit], policy: ClinicPolicy, now: datetime) -> tuple[ChairView, ...]:
    seated = [v for v in visits if v.visit.status in IN_CHAIR]
    by_chair: dict[str, list[ChairView]] = {}
    for entry in seated:
        by_chair.setdefault(entry.visit.chair or NO_CHAIR, []).append(
            _chair_view(entry, policy, now)
        )
    rows: list[ChairView] = []
    for chair in policy.chairs:
        rows.extend(by_chair.pop(chair, [ChairView(chair)]))
    for leftover in by_chair.values():  # a chair since renamed in the settings, or none
        rows.extend(leftover)
    return tuple(rows)


def _chair_view(entry: _Visit, policy: ClinicPolicy, now: datetime) -> ChairView:
    visit, patient = entry.visit, entry.patient
    checks = vitals_checkpoints(
        entry.reading_times,
        infusion_start=visit.infusion_start,
        infusion_end=visit.infusion_end,
        now=now,
        policy=policy,
    )
    status = VisitState(visit.status)
    elapsed = None
    if status is VisitState.INFUSING and visit.infusion_start is not None:
        elapsed = max(0, int((now - visit.infusion_start).total_seconds() // 60))
    leave = ready_to_leave_at(visit.infusion_end, policy) if visit.infusion_end else None
    return ChairView(
        chair=visit.chair or NO_CHAIR,
        visit_id=visit.id,
        patient_name=board_name(
            patient.preferred_name, patient.legal_first_name, patient.legal_last_name
        ),
        mrn=patient.mrn,
        status=status,
        infusion_start=visit.infusion_start.astimezone() if visit.infusion_start else None,
        elapsed_minutes=elapsed,
        next_check=next_check_due(checks),
        ready_to_leave_at=leave.astimezone() if leave else None,
        **_vitals_summary(entry.readings, policy),
        overrun=" ".join(visit_overruns(visit, now, policy)),
    )


def _vitals_summary(readings: list[VitalsReading], policy: ClinicPolicy) -> dict[str, Any]:
    """The latest reading and its verdict, and the worst verdict of the visit so far."""
    if not readings:
        return {}
    verdicts = []
    for row in readings:
        vitals = Vitals(row.systolic, row.diastolic, row.heart_rate, row.spo2)
        try:
            verdicts.append(classify_vitals(vitals, policy).verdict)
        except ValidationError:  # a value stored before a limit changed: show, never crash
            verdicts.append(VitalsVerdict.REVIEW)
    order = list(VitalsVerdict)
    worst = max(verdicts, key=order.index)
    latest = readings[-1]
    text = f"{latest.systolic}/{latest.diastolic} {verdicts[-1].label}"
    if worst is not verdicts[-1]:
        text += f" (worst: {worst.label})"
    return {"vitals_text": text, "worst_verdict": worst}


def _waiting(entry: _Visit, now: datetime, alert: SafetyAlert | None) -> WaitingView:
    visit, patient = entry.visit, entry.patient
    arrived = visit.arrived_at
    return WaitingView(
        visit_id=visit.id,
        patient_name=board_name(
            patient.preferred_name, patient.legal_first_name, patient.legal_last_name
        ),
        mrn=patient.mrn,
        chair=visit.chair or "",
        scheduled_start=visit.scheduled_start.astimezone(),
        arrived_at=arrived.astimezone() if arrived else None,
        waiting_minutes=max(0, int((now - arrived).total_seconds() // 60)) if arrived else None,
        hold_reason=entry.hold_reason,
        safety_alert=alert.text if alert else "",
    )
