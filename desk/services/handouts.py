"""Patient handouts: prep instructions for a patient's upcoming visits, discharge sheets.

The times on a prep sheet are the patient's own appointments in the clinic's local time,
worked out from the clinic's fasting settings; nothing is stored (each print gets its own
document number, so a sheet found later can be matched to when it was printed).
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.db.models import PrepCheck, Series, SideEffect, Transport, Visit
from desk.domain.errors import NotFound
from desk.domain.policy import ClinicPolicy
from desk.domain.readiness import PrepItem
from desk.domain.visit_states import VisitState
from desk.pdf import (
    DischargeHandout,
    DocumentKind,
    PrepHandout,
    UpcomingVisit,
    new_document_id,
    render_discharge_instructions,
    render_prep_instructions,
)
from desk.services.consent import legal_name, patient_row, pdf_clinic, treatment_for_visit_type
from desk.services.context import Desk
from desk.services.infusion import collected_text, discharge_overrides, effect_label
from desk.services.prep import signed_by, staff_names
from desk.services.settings import load_policy

MAX_PREP_VISITS = 12


def prep_instructions_pdf(desk: Desk, patient_id: int, language: str = "en") -> bytes:
    """The patient's prep sheet for their booked infusions from now on (any staff)."""
    desk.require()
    now = desk.now()
    with desk.read() as session:
        patient = patient_row(session, patient_id)
        policy = load_policy(session)
        rows = session.execute(
            select(Visit, Transport.adult_name, Series.planned_count)
            .outerjoin(Transport, Transport.visit_id == Visit.id)
            .outerjoin(Series, Series.id == Visit.series_id)
            .where(
                Visit.patient_id == patient_id,
                Visit.status == VisitState.SCHEDULED.value,
                Visit.scheduled_start >= now,
            )
            .order_by(Visit.scheduled_start)
        ).all()
        visits = [
            UpcomingVisit(
                starts_at=visit.scheduled_start.astimezone(),
                treatment=treatment,
                driver_name=driver or None,
                series_position=visit.series_index if planned else None,
                series_total=planned,
            )
            for visit, driver, planned in rows
            if (treatment := treatment_for_visit_type(visit.visit_type)) is not None
        ][:MAX_PREP_VISITS]
        handout = PrepHandout(
            clinic=pdf_clinic(session),
            patient_name=legal_name(patient),
            visits=tuple(visits),
            document_id=new_document_id(DocumentKind.PREP, now.astimezone().date()),
            language=language,
            policy=policy,
            created_at=now.astimezone(),
        )
    return render_prep_instructions(handout)


def discharge_instructions_pdf(
    desk: Desk, visit_id: int, language: str = "en", *, document_id: str | None = None
) -> bytes:
    """The sheet the patient takes home after this visit's infusion (any staff).

    ``document_id``: the number printed on the sheet (the viewer names a saved copy by it).
    """
    desk.require()
    now = desk.now()
    with desk.read() as session:
        visit = session.get(Visit, visit_id)
        if visit is None:
            raise NotFound("That visit no longer exists.")
        patient = patient_row(session, visit.patient_id)
        policy = load_policy(session)
        handout = DischargeHandout(
            clinic=pdf_clinic(session),
            patient_name=legal_name(patient),
            infusion_day=(visit.infusion_start or visit.scheduled_start).astimezone().date(),
            document_id=document_id
            or new_document_id(DocumentKind.DISCHARGE, now.astimezone().date()),
            next_appointment=_next_appointment(session, visit),
            language=language,
            policy=policy,
            created_at=now.astimezone(),
            visit_facts=_visit_facts(session, visit, policy),
        )
    return render_discharge_instructions(handout)


def _visit_facts(
    session: Session, visit: Visit, policy: ClinicPolicy
) -> tuple[tuple[str, str], ...]:
    """What happened at this visit, for the sheet: only once the patient is discharged."""
    if visit.discharged_at is None:
        return ()
    names = staff_names(session)
    at = visit.discharged_at.astimezone()
    facts = [("discharged", f"{at:{policy.time_format}}, {at:{policy.date_format}}")]
    collected = collected_text(visit)
    facts.append(("collected", collected.removeprefix("Collected by ")))
    facts.append(("nurse", names.get(visit.discharged_by or "", visit.discharged_by or "")))
    effects = session.scalars(
        select(SideEffect).where(SideEffect.visit_id == visit.id).order_by(SideEffect.id)
    ).all()
    for effect in effects:
        when = effect.recorded_at.astimezone()
        note = f" — {effect.note}" if effect.note else ""
        facts.append(
            ("side_effects", f"{effect_label(effect.effect)} at {when:{policy.time_format}}{note}")
        )
    if not effects:
        facts.append(("side_effects", "none"))
    if visit.infusion_stopped_for:
        facts.append(("stopped", effect_label(visit.infusion_stopped_for)))
    facts.extend(("override", line) for line in _clearance_overrides(session, visit, names))
    facts.extend(("override", line) for line in discharge_overrides(visit, names))
    return tuple(facts)


def _clearance_overrides(session: Session, visit: Visit, names: dict[str, str]) -> list[str]:
    """The checklist items passed by override at clearance, with who (and who co-signed)."""
    row = session.get(PrepCheck, visit.id)
    stored = json.loads(row.overrides or "{}") if row is not None else {}
    return [
        f"{PrepItem(key).label}: {value.get('reason', '')} ({signed_by(value, names)})"
        for key, value in stored.items()
        if key in PrepItem.__members__.values() and isinstance(value, dict)
    ]


def _next_appointment(session: Session, visit: Visit) -> datetime | None:
    start = session.scalar(
        select(Visit.scheduled_start)
        .where(
            Visit.patient_id == visit.patient_id,
            Visit.id != visit.id,
            Visit.status == VisitState.SCHEDULED.value,
            Visit.scheduled_start > visit.scheduled_start,
        )
        .order_by(Visit.scheduled_start)
        .limit(1)
    )
    return start.astimezone() if start is not None else None
