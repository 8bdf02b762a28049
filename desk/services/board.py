"""The day board: who is booked on a local day, in which chair, where each visit stands,
and what blocks it (candidacy, consent, prep, transport, vitals), each badge saying why.

One refresh is a constant number of queries whatever the number of visits: the day's
visits with their patient, screening, transport, prep check and series in one joined
query, then consent, vitals and series history for all of them by IN-lists (no N+1).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from desk.db.models import (
    Candidacy,
    Patient,
    PrepCheck,
    Series,
    Staff,
    Transport,
    Visit,
    VitalsReading,
)
from desk.domain.booking import VisitType
from desk.domain.candidacy import CandidacyState, CandidacyStatus
from desk.domain.consent import ConsentState, ConsentStatus, TreatmentType
from desk.domain.errors import ValidationError
from desk.domain.overruns import infusion_overrun, overrun_text, recovery_overrun
from desk.domain.policy import ClinicPolicy
from desk.domain.readiness import PrepItem
from desk.domain.series import SeriesKind, booster_due_date, is_booster_due, series_overrun
from desk.domain.transport import TransportStatus
from desk.domain.visit_states import VisitState
from desk.domain.vitals import Vitals, VitalsVerdict, classify_vitals, ready_to_leave_at
from desk.services.candidacy import STATUS_COLUMNS, status_from_values
from desk.services.consent import consent_states, treatment_for_visit_type
from desk.services.context import Desk
from desk.services.outcomes import SafetyAlert, safety_alerts
from desk.services.settings import load_policy
from desk.services.transport import transport_check

_S = VisitState
# Visits whose prep still lies ahead: only these can be "blocked".
OPEN_STATES = frozenset({_S.SCHEDULED, _S.ARRIVED, _S.PREP_CLEARED})
CLOSED_STATES = frozenset({_S.CANCELLED, _S.NO_SHOW})
_SHORT_TYPES = {
    VisitType.CONSULTATION: "Consultation",
    VisitType.MOOD_INFUSION: "Mood",
    VisitType.PAIN_INFUSION: "Pain",
    VisitType.BOOSTER: "Booster",
    VisitType.MAINTENANCE: "Maintenance",
}
_IN_CHUNK = 500  # stay under every database's bind-parameter limit
E = TypeVar("E", bound=StrEnum)


class BadgeLevel(StrEnum):
    OK = "ok"
    WARN = "warn"
    BLOCKED = "blocked"
    NONE = "none"  # does not apply (a consultation's consent, a cancelled visit's prep)

    @property
    def symbol(self) -> str:
        """A mark that reads without colour."""
        return {"ok": "✔", "warn": "⚠", "blocked": "✖", "none": "–"}[self.value]


@dataclass(frozen=True)
class Badge:
    text: str  # short: "Valid", "Missing", "Not confirmed"
    level: BadgeLevel
    tooltip: str  # what is missing, in a sentence or two

    @property
    def label(self) -> str:
        return f"{self.level.symbol} {self.text}"


NOT_APPLICABLE = Badge("", BadgeLevel.NONE, "")


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
    version: int = 0
    visit_label: str = ""  # "Mood 3 of 6", "Consultation"
    late: bool = False
    candidacy: Badge = NOT_APPLICABLE
    consent: Badge = NOT_APPLICABLE
    prep: Badge = NOT_APPLICABLE
    transport: Badge = NOT_APPLICABLE
    vitals: Badge = NOT_APPLICABLE
    safety: Badge = NOT_APPLICABLE  # a positive suicide item and its assessment
    warnings: tuple[str, ...] = ()  # series overrun, booster due, infusion/recovery overrun
    safety_notes: tuple[str, ...] = ()  # stops passed: what, why, who (and who co-signed)

    @property
    def badges(self) -> tuple[tuple[str, Badge], ...]:
        return (
            ("Candidacy", self.candidacy),
            ("Consent", self.consent),
            ("Prep", self.prep),
            ("Transport", self.transport),
            ("Vitals", self.vitals),
            ("Safety", self.safety),
        )

    @cached_property
    def blocked_reasons(self) -> tuple[str, ...]:
        """Why this visit cannot go ahead as things stand (only visits still before the
        infusion can be blocked; the badges of later ones are history).

        Worked out once per row: the board asks for it in several cells and its filter."""
        if VisitState(self.status) not in OPEN_STATES:
            return ()
        return tuple(
            f"{name}: {badge.tooltip}" for name, badge in self.badges
            if badge.level is BadgeLevel.BLOCKED
        )

    @property
    def blocked(self) -> bool:
        return bool(self.blocked_reasons)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The aware instants where ``day`` starts and the next day starts, in local time.

    Taken from midnight to midnight (not start + 24 h) so a daylight-saving change day
    is 23 or 25 hours long, as it is on the clinic's wall clock.
    """
    start = datetime.combine(day, time.min).astimezone()
    end = datetime.combine(day + timedelta(days=1), time.min).astimezone()
    return start, end


# Plain columns, not ORM entities: a 200-visit day loads without building 1 000 objects.
_VISIT_COLUMNS = (
    Visit.id, Visit.patient_id, Visit.visit_type, Visit.chair, Visit.scheduled_start,
    Visit.scheduled_end, Visit.status, Visit.version, Visit.late, Visit.series_id,
    Visit.series_index, Visit.screening_override_by, Visit.screening_override_reason,
    Visit.infusion_start, Visit.infusion_end, Visit.discharged_by,
    Visit.discharge_cosigned_by, Visit.early_discharge_reason, Visit.driver_override_reason,
    Visit.collected_by_name,
)
_PATIENT_COLUMNS = (
    Patient.mrn, Patient.preferred_name, Patient.legal_first_name, Patient.legal_last_name,
)
_TRANSPORT_FIELDS = (
    "visit_id", "adult_name", "adult_phone", "relationship", "plan", "confirmed_by",
    "confirmed_at",
)
_PREP_FIELDS = (
    "visit_id", "cleared_at", "hold_reason", "last_food_at", "fasting_confirmed_by",
    "last_fluid_at", "clothing_ok", "overrides",
)


@dataclass(frozen=True)
class PrepState:
    """The prep check columns the board badge reads."""

    cleared_at: datetime | None
    hold_reason: str
    last_food_at: datetime | None
    fasting_confirmed_by: str | None
    last_fluid_at: datetime | None
    clothing_ok: bool | None
    overrides: str  # JSON: item → reason, by, cosigned_by


@dataclass(frozen=True)
class _Loaded:
    """One visit's columns from the day query (``visit`` is the result row itself)."""

    visit: Any
    candidacy: dict[str, Any] | None
    transport: Transport | None
    prep: PrepState | None

    @classmethod
    def of(cls, row: Any) -> _Loaded:
        values = row._mapping
        candidacy = (
            {name: values[f"c_{name}"] for name in STATUS_COLUMNS}
            if values["c_patient_id"] is not None else None
        )
        transport = (
            Transport(**{name: values[f"t_{name}"] for name in _TRANSPORT_FIELDS})
            if values["t_visit_id"] is not None else None
        )
        prep = (
            PrepState(*(values[f"p_{name}"] for name in _PREP_FIELDS[1:]))
            if values["p_visit_id"] is not None else None
        )
        return cls(row, candidacy, transport, prep)


def _day_query(start: datetime, end: datetime) -> Select[*tuple[Any, ...]]:
    candidacy = [getattr(Candidacy, n).label(f"c_{n}") for n in ("patient_id", *STATUS_COLUMNS)]
    transport = [getattr(Transport, n).label(f"t_{n}") for n in _TRANSPORT_FIELDS]
    prep = [getattr(PrepCheck, n).label(f"p_{n}") for n in _PREP_FIELDS]
    return (
        select(*_VISIT_COLUMNS, *_PATIENT_COLUMNS, *candidacy, *transport, *prep,
               Series.planned_count, Series.kind.label("series_kind"))
        .join(Patient, Visit.patient_id == Patient.id)
        .outerjoin(Candidacy, Candidacy.patient_id == Visit.patient_id)
        .outerjoin(Transport, Transport.visit_id == Visit.id)
        .outerjoin(PrepCheck, PrepCheck.visit_id == Visit.id)
        .outerjoin(Series, Series.id == Visit.series_id)
        .where(Visit.scheduled_start >= start, Visit.scheduled_start < end)
        .order_by(Visit.scheduled_start, Visit.chair, Visit.id)
    )


def day_board(desk: Desk, day: date) -> list[BoardRow]:
    """Any signed-in staff: the visits that start on ``day`` (local), earliest first."""
    desk.require()
    start, end = local_day_bounds(day)
    with desk.read() as session:
        policy = load_policy(session)
        loaded = [_Loaded.of(row) for row in session.execute(_day_query(start, end))]
        context = _Context.load(session, loaded, day, desk.now(), policy)
        return [_row(entry, context) for entry in loaded]


@dataclass(frozen=True)
class _Context:
    """What the badges need beyond the day's rows, loaded for all visits at once."""

    day: date
    now: datetime
    policy: ClinicPolicy
    consent: dict[tuple[int, TreatmentType], ConsentStatus]
    vitals: dict[int, list[VitalsReading]]  # every reading per visit, oldest first
    names: dict[str, str]  # user name → full name, for who passed a stop
    series_dates: dict[int, list[date]]  # series id → its infusion days (still booked)
    last_series_day: dict[int, date]  # patient id → day of their last series infusion
    later_infusion: set[int]  # patients with an infusion booked after that day
    alerts: dict[int, SafetyAlert]  # visit id → its safety alert

    @classmethod
    def load(
        cls, session: Session, loaded: Sequence[_Loaded], day: date, now: datetime,
        policy: ClinicPolicy,
    ) -> _Context:
        pairs = {
            (e.visit.patient_id, treatment)
            for e in loaded
            if (treatment := treatment_for_visit_type(e.visit.visit_type)) is not None
        }
        consent: dict[tuple[int, TreatmentType], ConsentStatus] = dict(
            consent_states(session, pairs, day, policy)
        )
        vitals = _visit_vitals(session, [e.visit.id for e in loaded])
        history = _history(session, sorted({e.visit.patient_id for e in loaded}))
        series_dates: dict[int, list[date]] = defaultdict(list)
        last_series_day: dict[int, date] = {}
        for patient_id, series_id, _visit_type, when in history:
            if series_id is not None:
                series_dates[series_id].append(when)
                if when <= day:
                    last_series_day[patient_id] = max(when, last_series_day.get(patient_id, when))
        later = {
            patient_id for patient_id, _series, visit_type, when in history
            if VisitType(visit_type).is_infusion and patient_id in last_series_day
            and when > last_series_day[patient_id]
        }
        alerts = safety_alerts(session, [e.visit.id for e in loaded], policy.time_format)
        rows = session.execute(select(Staff.username, Staff.full_name))
        names = {username: full_name for username, full_name in rows}
        return cls(
            day, now, policy, consent, vitals, names, series_dates, last_series_day, later,
            alerts,
        )


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start:start + _IN_CHUNK]


def _visit_vitals(session: Session, visit_ids: Sequence[int]) -> dict[int, list[VitalsReading]]:
    """Every reading of each visit, oldest first (the badge shows the latest and the worst)."""
    readings: dict[int, list[VitalsReading]] = {}
    for chunk in _chunks(visit_ids):
        rows = session.scalars(
            select(VitalsReading)
            .where(VitalsReading.visit_id.in_(chunk))
            .order_by(VitalsReading.taken_at, VitalsReading.id)
        )
        for reading in rows:
            readings.setdefault(reading.visit_id, []).append(reading)
    return readings


def _history(
    session: Session, patient_ids: Sequence[int]
) -> list[tuple[int, int | None, str, date]]:
    """Every still-booked infusion of these patients: (patient, series, type, local day)."""
    infusions = [t.value for t in VisitType if t.is_infusion]
    closed = [s.value for s in CLOSED_STATES]
    result = []
    for chunk in _chunks(patient_ids):
        rows = session.execute(
            select(Visit.patient_id, Visit.series_id, Visit.visit_type, Visit.scheduled_start)
            .where(Visit.patient_id.in_(chunk), Visit.visit_type.in_(infusions),
                   Visit.status.not_in(closed))
        )
        for patient_id, series_id, visit_type, start in rows:
            result.append((patient_id, series_id, visit_type, start.astimezone().date()))
    return result


def _row(entry: _Loaded, context: _Context) -> BoardRow:
    visit = patient = entry.visit
    state = _enum(VisitState, visit.status)
    visit_type = _enum(VisitType, visit.visit_type)
    applies = visit_type is not None and visit_type.is_infusion and state not in CLOSED_STATES
    badges = _badges(entry, context) if applies else {}
    return BoardRow(
        visit_id=visit.id,
        start=visit.scheduled_start.astimezone(),
        end=visit.scheduled_end.astimezone(),
        patient_id=patient.patient_id,
        patient_name=board_name(patient.preferred_name, patient.legal_first_name,
                                patient.legal_last_name),
        mrn=patient.mrn,
        visit_type=visit.visit_type,
        visit_type_label=_label(VisitType, visit.visit_type),
        chair=visit.chair or "",
        status=visit.status,
        status_label=_label(VisitState, visit.status),
        version=visit.version,
        visit_label=_visit_label(visit, visit_type, visit.planned_count),
        late=visit.late,
        warnings=_warnings(entry, context) if state not in CLOSED_STATES else (),
        safety_notes=_safety_notes(entry, context.names),
        **badges,
    )


def _safety_notes(entry: _Loaded, names: dict[str, str]) -> tuple[str, ...]:
    """Each stop passed for this visit, with the reason and both names, for the tooltip."""
    visit, notes = entry.visit, []

    def who(by: str | None, second: str | None) -> str:
        text = names.get(by or "", by or "someone")
        return f"{text}, co-signed by {names.get(second, second)}" if second else text

    if entry.prep is not None and entry.prep.cleared_at is not None:
        for item, value in json.loads(entry.prep.overrides or "{}").items():
            if isinstance(value, dict):
                label = PrepItem(item).label if item in PrepItem.__members__.values() else item
                by = who(value.get("by"), value.get("cosigned_by"))
                notes.append(f"{label} overridden: {value.get('reason', '')} ({by})")
    signed = who(visit.discharged_by, visit.discharge_cosigned_by)
    if visit.early_discharge_reason:
        notes.append(f"Early discharge: {visit.early_discharge_reason} ({signed})")
    if visit.driver_override_reason:
        whom = visit.collected_by_name or "nobody collecting"
        notes.append(f"Went home with {whom}: {visit.driver_override_reason} ({signed})")
    return tuple(notes)


def _badges(entry: _Loaded, context: _Context) -> dict[str, Badge]:
    visit = entry.visit
    state = VisitState(visit.status)
    treatment = treatment_for_visit_type(visit.visit_type)
    missing = ConsentStatus(ConsentState.MISSING)
    consent = context.consent.get((visit.patient_id, treatment), missing) if treatment else missing
    return {
        "candidacy": candidacy_badge(status_from_values(entry.candidacy, context.policy), visit),
        "consent": consent_badge(consent, context.policy),
        "prep": prep_badge(entry.prep, state),
        "transport": transport_badge(entry.transport, visit, context),
        "vitals": vitals_badge(context.vitals.get(visit.id, []), state, context.policy),
        "safety": safety_badge(context.alerts.get(visit.id)),
    }


def safety_badge(alert: SafetyAlert | None) -> Badge:
    if alert is None:
        return NOT_APPLICABLE
    if alert.open:
        return Badge("Alert", BadgeLevel.BLOCKED, alert.text)
    return Badge("Assessed", BadgeLevel.WARN, alert.text)


def candidacy_badge(status: CandidacyStatus, visit: Any) -> Badge:
    if status.is_candidate:
        return Badge("Candidate", BadgeLevel.OK, "Screening complete, no flags.")
    text = "Flagged" if status.state is CandidacyState.FLAGGED else "Incomplete"
    if visit.screening_override_by:
        return Badge(
            f"{text}, overridden", BadgeLevel.WARN,
            f"{status.details}\nOverridden by {visit.screening_override_by}: "
            f"{visit.screening_override_reason}",
        )
    return Badge(text, BadgeLevel.BLOCKED, status.details)


_CONSENT_TEXT = {
    ConsentState.VALID: "Valid",
    ConsentState.EXPIRED: "Expired",
    ConsentState.NEEDS_RECONSENT: "Re-consent",
    ConsentState.WITHDRAWN: "Withdrawn",
    ConsentState.MISSING: "Missing",
}


def consent_badge(status: ConsentStatus, policy: ClinicPolicy) -> Badge:
    level = BadgeLevel.OK if status.allows_infusion else BadgeLevel.BLOCKED
    return Badge(_CONSENT_TEXT[status.state], level, status.describe(policy.date_format))


def prep_badge(prep: PrepState | None, state: VisitState) -> Badge:
    if state not in OPEN_STATES or (prep is not None and prep.cleared_at is not None):
        return Badge("Cleared", BadgeLevel.OK, "The nurse cleared the prep checklist.")
    if prep is not None and prep.hold_reason.strip():
        return Badge("On hold", BadgeLevel.BLOCKED, f"On hold: {prep.hold_reason.strip()}")
    missing = _prep_missing(prep)
    if state is VisitState.SCHEDULED:
        # Nobody checks prep before the patient arrives: not a block, just not started.
        return Badge("Not started", BadgeLevel.NONE, "Prep is checked after arrival.")
    if prep is None:
        return Badge("Not started", BadgeLevel.WARN, "The nurse has not started the checklist.")
    return Badge("In progress", BadgeLevel.WARN, "Still to confirm: " + ", ".join(missing) + ".")


def _prep_missing(prep: PrepState | None) -> list[str]:
    if prep is None:
        return ["food", "fluids", "clothing / arm access"]
    checks = (
        ("food", prep.last_food_at is not None or prep.fasting_confirmed_by is not None),
        ("fluids", prep.last_fluid_at is not None),
        ("clothing / arm access", prep.clothing_ok is not None),
    )
    return [name for name, done in checks if not done] or ["the nurse's clearance"]


_TRANSPORT_TEXT = {
    TransportStatus.CONFIRMED: ("Confirmed", BadgeLevel.OK),
    TransportStatus.NOT_CONFIRMED: ("Not confirmed", BadgeLevel.WARN),
    TransportStatus.NOT_ACCEPTABLE: ("Not acceptable", BadgeLevel.BLOCKED),
    TransportStatus.NOT_RECORDED: ("None recorded", BadgeLevel.BLOCKED),
}


def transport_badge(row: Transport | None, visit: Any, context: _Context) -> Badge:
    # Judged at the later of the slot start and now: a confirmation counts until the start.
    at = max(visit.scheduled_start, context.now)
    check = transport_check(row, context.policy, at)
    text, level = _TRANSPORT_TEXT[check.status]
    tooltip = check.reason
    if check.status is TransportStatus.CONFIRMED and row is not None:
        tooltip = f"{row.adult_name} ({row.relationship}) takes the patient home."
    return Badge(text, level, tooltip)


_VERDICT_TEXT = {VitalsVerdict.OK: "OK", VitalsVerdict.REVIEW: "Review", VitalsVerdict.HOLD: "Hold"}
_VERDICT_LEVEL = {
    VitalsVerdict.OK: BadgeLevel.OK,
    VitalsVerdict.REVIEW: BadgeLevel.WARN,
    VitalsVerdict.HOLD: BadgeLevel.BLOCKED,
}


def vitals_badge(
    readings: Sequence[VitalsReading], state: VisitState, policy: ClinicPolicy
) -> Badge:
    """The latest reading's numbers and verdict, and the worst verdict of the visit.

    Before the infusion the latest reading decides (a re-measured pressure clears a hold);
    afterwards the column is a record, so a hold during the infusion never shows as blocked.
    """
    if not readings:
        if state is VisitState.SCHEDULED:
            return Badge("Not taken", BadgeLevel.NONE, "Vitals are taken after arrival.")
        return Badge("Not taken", BadgeLevel.WARN, "No pre-infusion vitals yet.")
    try:
        verdicts = [_assess(r, policy) for r in readings]
    except ValidationError as exc:
        return Badge("Check entry", BadgeLevel.BLOCKED, str(exc))
    latest, (verdict, reasons) = readings[-1], verdicts[-1]
    worst = max((v for v, _ in verdicts), key=list(_VERDICT_LEVEL).index)
    text = f"{latest.systolic}/{latest.diastolic} {_VERDICT_TEXT[verdict]}"
    if worst is not verdict:
        text += f" (worst: {_VERDICT_TEXT[worst]})"
    summary = (
        f"Latest at {latest.taken_at.astimezone():{policy.time_format}}: BP "
        f"{latest.systolic}/{latest.diastolic}, HR {latest.heart_rate}, SpO2 {latest.spo2}%"
    )
    tooltip = "\n".join((f"{summary}: {verdict.label.lower()}.", *reasons))
    if worst is not verdict:
        tooltip += f"\nWorst reading of this visit: {worst.label.lower()}."
    level = _VERDICT_LEVEL[verdict]
    if state not in OPEN_STATES and level is BadgeLevel.BLOCKED:
        level = BadgeLevel.WARN
    return Badge(text, level, tooltip)


def _assess(reading: VitalsReading, policy: ClinicPolicy) -> tuple[VitalsVerdict, tuple[str, ...]]:
    vitals = Vitals(reading.systolic, reading.diastolic, reading.heart_rate, reading.spo2)
    assessment = classify_vitals(vitals, policy)
    return assessment.verdict, assessment.reasons


def _warnings(entry: _Loaded, context: _Context) -> tuple[str, ...]:
    visit, policy = entry.visit, context.policy
    warnings = []
    kind = _enum(SeriesKind, visit.series_kind or "")
    if visit.series_id is not None and kind is not None:
        dates = context.series_dates.get(visit.series_id, [])
        overrun = series_overrun(min(dates), dates, policy, kind) if dates else None
        if overrun:
            warnings.append(overrun)
    last = context.last_series_day.get(visit.patient_id)
    if (
        last is not None and visit.series_id is None
        and visit.patient_id not in context.later_infusion
        and is_booster_due(last, context.day, policy)
    ):
        due = booster_due_date(last, policy).strftime(policy.date_format)
        warnings.append(f"Booster due since {due}.")
    warnings.extend(visit_overruns(visit, context.now, policy))
    return tuple(warnings)


def visit_overruns(visit: Any, now: datetime, policy: ClinicPolicy) -> list[str]:
    """An infusion far past its booked length; a patient long past "ready to leave"."""
    state = VisitState(visit.status)
    if state is VisitState.INFUSING and visit.infusion_start is not None:
        booked = visit.scheduled_end - visit.scheduled_start
        if over := infusion_overrun(visit.infusion_start, booked, now):
            return [f"Infusion {overrun_text(over, 'its booked length')}."]
    if state is VisitState.RECOVERY and visit.infusion_end is not None:
        ready = ready_to_leave_at(visit.infusion_end, policy)
        if over := recovery_overrun(ready, now):
            ready_text = f"{ready.astimezone():{policy.time_format}}"
            return [f"Still in recovery: {overrun_text(over, f'ready to leave at {ready_text}')}."]
    return []


def _visit_label(visit: Any, visit_type: VisitType | None, total: int | None) -> str:
    short = _SHORT_TYPES[visit_type] if visit_type else _label(VisitType, visit.visit_type)
    if visit.series_index is not None and total:
        return f"{short} {visit.series_index} of {total}"
    return short


def board_name(preferred: str, first: str, last: str) -> str:
    """The name a board shows: preferred or first name, then the last name's initial."""
    given = (preferred or first).strip()
    initial = last.strip()[:1]
    return f"{given} {initial}." if initial else given


def _enum(kind: type[E], code: str) -> E | None:
    try:
        return kind(code)
    except ValueError:
        return None


def _label(kind: type[VisitType] | type[VisitState], code: str) -> str:
    # A code written by a newer desk (a new visit type) still shows, just unpolished.
    try:
        return kind(code).label
    except ValueError:
        return code.replace("_", " ").capitalize()
