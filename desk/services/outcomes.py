"""Symptom questionnaires at each visit and the suicide-item safety alert.

The story: the desk hands the kiosk to the patient (or reads the questions on the phone);
each completed questionnaire is scored by ``desk.domain.instruments`` and stored as given.
A positive safety item (PHQ-9 item 9, or an item the clinic added) opens an alert on the
visit that blocks prep clearance until a clinician records a safety assessment.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.db.models import (
    Candidacy,
    OutcomeResponse,
    SafetyAssessmentRecord,
    Staff,
    Visit,
)
from desk.domain.errors import NotFound, PrepNotReady, ValidationError
from desk.domain.instruments import Instrument, Language, instrument_from_data, score
from desk.domain.outcomes import SafetyAssessment, extra_safety_items, instruments_for
from desk.domain.roles import Role
from desk.domain.visit_states import VisitState
from desk.resources import resource_path
from desk.services.context import Desk
from desk.services.settings import load_policy

# Whoever may check a patient in may hand over the kiosk; clinicians ask on the phone too.
ENTRY_ROLES = (Role.RECEPTIONIST, Role.NURSE, Role.ADMIN, Role.CLINICIAN)
METHODS = frozenset({"kiosk", "phone"})
_CLOSED = frozenset({VisitState.CANCELLED.value, VisitState.NO_SHOW.value})
_IN_CHUNK = 500


@cache
def instruments() -> dict[str, Instrument]:
    """Every shipped questionnaire by code, read once from ``resources/instruments``."""
    found: dict[str, Instrument] = {}
    for path in sorted(resource_path("instruments").glob("*.json")):
        item = instrument_from_data(json.loads(path.read_text(encoding="utf-8")))
        found[item.code] = item
    return found


def instrument(code: str) -> Instrument:
    try:
        return instruments()[code]
    except KeyError:
        raise ValidationError(f"There is no questionnaire called '{code}'.") from None


@dataclass(frozen=True)
class VisitQuestionnaires:
    """What the kiosk or the phone entry asks for one visit, and what is done already."""

    visit_id: int
    greeting_name: str  # the preferred or first name only: the kiosk shows nothing else
    instruments: tuple[Instrument, ...]
    answered: frozenset[str]  # instrument codes already completed for this visit

    @property
    def remaining(self) -> tuple[Instrument, ...]:
        return tuple(i for i in self.instruments if i.code not in self.answered)


def visit_questionnaires(desk: Desk, visit_id: int) -> VisitQuestionnaires:
    """Reception, nurse or clinician: the visit's questionnaires, by the patient's indication."""
    desk.require(*ENTRY_ROLES)
    with desk.read() as session:
        visit = _open_visit(session, visit_id)
        policy = load_policy(session)
        indication = session.scalar(
            select(Candidacy.indication).where(Candidacy.patient_id == visit.patient_id)
        )
        shipped = instruments()
        # A code the shipped files do not know (a typo in the settings) is skipped.
        wanted = tuple(
            shipped[c] for c in instruments_for(indication or "", policy) if c in shipped
        )
        done = session.scalars(
            select(OutcomeResponse.instrument).where(OutcomeResponse.visit_id == visit_id)
        )
        patient = visit.patient
        name = (patient.preferred_name or patient.legal_first_name).strip()
        return VisitQuestionnaires(visit_id, name, wanted, frozenset(done))


def _open_visit(session: Session, visit_id: int) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound("That visit no longer exists.")
    if visit.status in _CLOSED:
        raise ValidationError("This visit was cancelled or missed; it takes no questionnaires.")
    return visit


@dataclass(frozen=True)
class RecordedScore:
    instrument: str
    total: int
    band: str
    safety_alert: bool


def record_answers(
    desk: Desk,
    visit_id: int,
    code: str,
    answers: Sequence[int],
    *,
    language: Language,
    method: str,
) -> RecordedScore:
    """Store one completed questionnaire for the visit; a positive safety item opens the
    alert. ``method`` is "kiosk" (the patient typed) or "phone" (staff read it out)."""
    actor = desk.require(*ENTRY_ROLES)
    if method not in METHODS:
        raise ValidationError("Say whether the patient answered on the kiosk or the phone.")
    item = instrument(code)
    with desk.write() as uow:
        visit = uow.get(Visit, visit_id, "visit")
        if visit.status in _CLOSED:
            raise ValidationError("This visit was cancelled or missed; it takes no answers.")
        policy = load_policy(uow.session)
        result = score(item, list(answers), extra_safety_items(code, policy))
        uow.session.add(
            OutcomeResponse(
                patient_id=visit.patient_id, visit_id=visit_id, instrument=code,
                answers=json.dumps(list(answers)), total=result.total, band=result.band,
                safety_items=" ".join(str(n) for n in result.safety_items),
                language=language.value, method=method, taken_at=desk.now(),
                entered_by=actor.username,
            )
        )  # fmt: skip
        # The total and band are clinical data, but the audit needs to say a score exists;
        # the item answers stay out of it.
        uow.audit(
            "outcome.record", "visit", visit_id,
            {"instrument": code, "method": method,
             "safety_alert": result.needs_safety_assessment},
        )  # fmt: skip
        uow.commit()
    return RecordedScore(code, result.total, result.band, result.needs_safety_assessment)


# --- the safety alert ------------------------------------------------------------------


@dataclass(frozen=True)
class SafetyAlert:
    """A positive safety item on a visit, and the assessment that answers it (if any)."""

    visit_id: int
    response_id: int  # the latest positive questionnaire
    raised_at: datetime  # local time zone
    items: tuple[str, ...]  # "PHQ-9 item 9"
    assessed: str  # "High risk, assessed by Dr Rivera at 10:42" or ""

    @property
    def open(self) -> bool:
        return not self.assessed

    @property
    def text(self) -> str:
        what = ", ".join(self.items)
        if self.open:
            return f"{what} answered above 0: a clinician must assess before clearing."
        return f"Safety alert ({what}) assessed: {self.assessed}."


def safety_alerts(
    session: Session, visit_ids: Iterable[int], time_format: str
) -> dict[int, SafetyAlert]:
    """The alert of each visit that has one, in two queries whatever the number of visits.

    An alert is open until an assessment answers its latest positive questionnaire: a
    second positive questionnaire later the same visit needs a new assessment.
    """
    ids = sorted(set(visit_ids))
    positives: dict[int, list[OutcomeResponse]] = {}
    assessments: dict[int, SafetyAssessmentRecord] = {}
    # An empty day runs the same statements: a board's query count never depends on data.
    chunks = [ids[start:start + _IN_CHUNK] for start in range(0, len(ids), _IN_CHUNK)] or [[]]
    for chunk in chunks:
        for row in session.scalars(
            select(OutcomeResponse)
            .where(OutcomeResponse.visit_id.in_(chunk), OutcomeResponse.safety_items != "")
            .order_by(OutcomeResponse.taken_at, OutcomeResponse.id)
        ):
            positives.setdefault(row.visit_id or 0, []).append(row)
        for record in session.scalars(
            select(SafetyAssessmentRecord)
            .where(SafetyAssessmentRecord.visit_id.in_(chunk))
            .order_by(SafetyAssessmentRecord.id)
        ):
            assessments[record.visit_id] = record  # ordered: the latest wins
    assessors = {r.assessed_by for r in assessments.values()}
    names = {
        username: full_name for username, full_name in session.execute(
            select(Staff.username, Staff.full_name).where(Staff.username.in_(assessors))
        )
    }
    return {
        visit_id: _alert(visit_id, rows, assessments.get(visit_id), names, time_format)
        for visit_id, rows in positives.items()
    }


def _alert(
    visit_id: int, rows: list[OutcomeResponse], record: SafetyAssessmentRecord | None,
    names: dict[str, str], time_format: str,
) -> SafetyAlert:
    shipped = instruments()
    items = tuple(
        f"{shipped[r.instrument].name if r.instrument in shipped else r.instrument} item {n}"
        for r in rows for n in r.safety_items.split()
    )
    latest = rows[-1]
    assessed = ""
    if record is not None and record.response_id >= latest.id:
        who = names.get(record.assessed_by, record.assessed_by)
        at = record.assessed_at.astimezone().strftime(time_format)
        assessed = f"{_risk_label(record.risk_level)}, assessed by {who} at {at}"
    return SafetyAlert(
        visit_id, latest.id, latest.taken_at.astimezone(), tuple(dict.fromkeys(items)), assessed
    )


def _risk_label(code: str) -> str:
    return f"{code.capitalize()} risk"


def safety_alert(desk: Desk, visit_id: int) -> SafetyAlert | None:
    """Any signed-in staff: the visit's safety alert, if it has one."""
    desk.require()
    with desk.read() as session:
        return _alert_of(session, visit_id)


def _alert_of(session: Session, visit_id: int) -> SafetyAlert | None:
    return safety_alerts(session, [visit_id], load_policy(session).time_format).get(visit_id)


def refuse_clearing_on_open_alert(session: Session, visit_id: int) -> None:
    """PrepNotReady while the visit has a safety alert no clinician has assessed."""
    alert = _alert_of(session, visit_id)
    if alert is not None and alert.open:
        raise PrepNotReady(
            f"Not cleared. {', '.join(alert.items)} was answered above 0: a clinician must "
            "record a safety assessment first."
        )


def record_safety_assessment(
    desk: Desk, visit_id: int, *, risk: str, action: str, told: str
) -> SafetyAlert:
    """Clinician only: the safety assessment that answers the visit's alert."""
    actor = desk.require(Role.CLINICIAN)
    assessment = SafetyAssessment.checked(risk, action, told)
    with desk.write() as uow:
        uow.get(Visit, visit_id, "visit")
        alert = _alert_of(uow.session, visit_id)
        if alert is None:
            raise ValidationError("This visit has no safety alert to assess.")
        uow.session.add(
            SafetyAssessmentRecord(
                visit_id=visit_id, response_id=alert.response_id,
                risk_level=assessment.risk.value, action=assessment.action,
                told=assessment.told, assessed_at=desk.now(), assessed_by=actor.username,
            )
        )  # fmt: skip
        uow.audit(
            "safety.assess", "visit", visit_id,
            {"risk": assessment.risk.value, "action": None, "told": None},
        )  # fmt: skip
        uow.commit()
    found = safety_alert(desk, visit_id)
    assert found is not None
    return found
