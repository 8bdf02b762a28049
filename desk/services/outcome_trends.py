"""A patient's scores across series and maintenance: the trend chart's data, each series'
response and remission, the maintenance proposal, and the progress letters due.

One record is three indexed queries by patient (responses, visits, series), whatever the
size of the clinic; the chart and the letter read the same ``PatientOutcomes``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from desk.db.models import (
    Candidacy,
    OutcomeResponse,
    Patient,
    ProgressLetter,
    Series,
    Visit,
)
from desk.domain.booking import VisitType
from desk.domain.errors import NotFound
from desk.domain.instruments import Band
from desk.domain.outcomes import (
    MaintenanceProposal,
    ScorePoint,
    SeriesOutcome,
    instruments_for,
    propose_maintenance,
    series_outcome,
)
from desk.domain.policy import ClinicPolicy
from desk.domain.series import SeriesKind
from desk.domain.visit_states import VisitState
from desk.services.context import Desk
from desk.services.outcomes import instruments
from desk.services.settings import load_policy

# An infusion happened on a day when the visit reached the chair.
_INFUSED = frozenset(
    {VisitState.INFUSING.value, VisitState.RECOVERY.value, VisitState.DISCHARGED.value}
)
_CLOSED = frozenset({VisitState.CANCELLED.value, VisitState.NO_SHOW.value})


class _VisitRow(NamedTuple):
    series_id: int | None
    visit_type: str
    status: str
    start: datetime


@dataclass(frozen=True)
class TrendPoint:
    day: date  # local day the questionnaire was answered
    total: int
    visit_id: int | None


@dataclass(frozen=True)
class InstrumentTrend:
    code: str
    name: str
    max_total: int
    bands: tuple[Band, ...]
    points: tuple[TrendPoint, ...]  # oldest first


@dataclass(frozen=True)
class SeriesSummary:
    series_id: int
    kind_label: str
    days: tuple[date, ...]  # booked infusion days still on the books, in order
    finished: bool  # every booked infusion is over (discharged)
    outcomes: tuple[tuple[str, SeriesOutcome], ...]  # (instrument name, outcome)
    letter_signed: bool

    @property
    def first_day(self) -> date:
        return self.days[0]

    @property
    def last_day(self) -> date:
        return self.days[-1]


@dataclass(frozen=True)
class PatientOutcomes:
    patient_id: int
    patient_name: str
    indication: str
    infusion_days: tuple[date, ...]
    trends: tuple[InstrumentTrend, ...]  # the indication's instruments first
    series: tuple[SeriesSummary, ...]  # oldest first
    proposal: MaintenanceProposal | None  # after the latest finished series

    def trend(self, code: str) -> InstrumentTrend:
        return next(t for t in self.trends if t.code == code)


def patient_outcomes(desk: Desk, patient_id: int) -> PatientOutcomes:
    """Any signed-in staff: the patient's scores, series outcomes and proposal."""
    desk.require()
    today = desk.now().astimezone().date()
    with desk.read() as session:
        return load_outcomes(session, patient_id, today)


def load_outcomes(session: Session, patient_id: int, today: date) -> PatientOutcomes:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound("That patient no longer exists.")
    policy = load_policy(session)
    indication = session.scalar(
        select(Candidacy.indication).where(Candidacy.patient_id == patient_id)
    ) or ""
    trends = _trends(session, patient_id, instruments_for(indication, policy))
    visits = [
        _VisitRow(*row) for row in session.execute(
            select(Visit.series_id, Visit.visit_type, Visit.status, Visit.scheduled_start)
            .where(Visit.patient_id == patient_id, Visit.status.not_in(_CLOSED))
        )
    ]  # fmt: skip
    infusion_days = sorted({
        v.start.astimezone().date() for v in visits
        if v.status in _INFUSED and _is_infusion(v.visit_type)
    })  # fmt: skip
    series = _series(session, patient_id, visits, trends, policy)
    name = f"{patient.legal_first_name} {patient.legal_last_name}"
    primary = _primary(trends, instruments_for(indication, policy))
    return PatientOutcomes(
        patient_id, name, indication, tuple(infusion_days), trends, series,
        _proposal(series, primary, policy, today),
    )  # fmt: skip


def _is_infusion(code: str) -> bool:
    try:
        return VisitType(code).is_infusion
    except ValueError:
        return False


def _trends(
    session: Session, patient_id: int, wanted: tuple[str, ...]
) -> tuple[InstrumentTrend, ...]:
    rows = session.execute(
        select(OutcomeResponse.instrument, OutcomeResponse.taken_at, OutcomeResponse.total,
               OutcomeResponse.visit_id)
        .where(OutcomeResponse.patient_id == patient_id)
        .order_by(OutcomeResponse.taken_at, OutcomeResponse.id)
    )  # fmt: skip
    by_code: dict[str, list[TrendPoint]] = defaultdict(list)
    for code, taken_at, total, visit_id in rows:
        by_code[code].append(TrendPoint(taken_at.astimezone().date(), total, visit_id))
    shipped = instruments()
    # The indication's instruments always show (an empty chart says "not asked yet");
    # others only when the patient has scores on them (the indication changed).
    codes = [c for c in wanted if c in shipped]
    codes += sorted(c for c in by_code if c in shipped and c not in codes)
    return tuple(
        InstrumentTrend(c, shipped[c].name, shipped[c].max_total, shipped[c].bands,
                        tuple(by_code.get(c, ())))
        for c in codes
    )  # fmt: skip


def _series(
    session: Session,
    patient_id: int,
    visits: list[_VisitRow],
    trends: tuple[InstrumentTrend, ...],
    policy: ClinicPolicy,
) -> tuple[SeriesSummary, ...]:
    days: dict[int, list[date]] = defaultdict(list)
    finished: dict[int, bool] = defaultdict(lambda: True)
    for visit in visits:
        if visit.series_id is not None:
            days[visit.series_id].append(visit.start.astimezone().date())
            finished[visit.series_id] &= visit.status == VisitState.DISCHARGED.value
    rows = session.execute(
        select(Series.id, Series.kind,
               exists().where(ProgressLetter.series_id == Series.id).label("signed"))
        .where(Series.patient_id == patient_id)
    ).all()  # fmt: skip
    shipped = instruments()
    summaries = []
    for series_id, kind, signed in rows:
        if not days[series_id]:
            continue  # every visit cancelled: not a series any more
        span = sorted(days[series_id])
        outcomes = []
        for trend in trends:
            points = _within(trend, span[0], span[-1])
            outcome = series_outcome(shipped[trend.code], points, policy)
            if outcome is not None:
                outcomes.append((trend.name, outcome))
        summaries.append(SeriesSummary(
            series_id, _kind_label(kind), tuple(span), finished[series_id], tuple(outcomes),
            bool(signed),
        ))  # fmt: skip
    return tuple(sorted(summaries, key=lambda s: s.first_day))


def _within(trend: InstrumentTrend, first: date, last: date) -> list[ScorePoint]:
    return [ScorePoint(p.day, p.total) for p in trend.points if first <= p.day <= last]


def _kind_label(code: str) -> str:
    try:
        return SeriesKind(code).label
    except ValueError:
        return code.replace("_", " ").capitalize()


def _primary(
    trends: tuple[InstrumentTrend, ...], wanted: tuple[str, ...]
) -> InstrumentTrend | None:
    """The instrument the maintenance rule follows: the indication's first one."""
    for trend in trends:
        if trend.code in wanted:
            return trend
    return None


def _proposal(
    series: tuple[SeriesSummary, ...],
    primary: InstrumentTrend | None,
    policy: ClinicPolicy,
    today: date,
) -> MaintenanceProposal | None:
    done = [s for s in series if s.finished]
    if not done or primary is None:
        return None
    last = done[-1]
    shipped = instruments()
    later = [ScorePoint(p.day, p.total) for p in primary.points if p.day > last.last_day]
    return propose_maintenance(
        shipped[primary.code], _within(primary, last.first_day, last.last_day), later,
        last.last_day, policy, today,
    )  # fmt: skip
