"""Rows for nurse-station tests: a screened patient with consent and an arrived visit.

Inserted straight into the tables so the nurse tests do not depend on the reception
screens; the helpers at the bottom walk a visit through prep with the real services.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from desk.db.models import (
    Candidacy,
    ConsentDocument,
    ConsentTemplate,
    InfusionOrder,
    Patient,
    Visit,
)
from desk.domain.roles import Role
from desk.domain.transport import PickupPlan, ResponsibleAdult
from desk.domain.vitals import Vitals
from desk.services import prep, transport
from desk.services.context import Desk
from tests.helpers.fixtures import add_person

_numbers = itertools.count(1)
ADULT = ResponsibleAdult("Maria Lopez", "201-555-0123", "Sister")
GOOD_VITALS = Vitals(systolic=122, diastolic=78, heart_rate=72, spo2=98)


def add_visit(
    desk: Desk,
    *,
    status: str = "arrived",
    start_in_minutes: int = 30,
    chair: str | None = "Chair 1",
    first: str = "Sam",
    last: str = "Lee",
    consent: bool = True,
    screened: bool = True,
    visit_type: str = "mood_infusion",
    ordered: bool = True,
) -> int:
    """A patient (screened, consented) with one mood infusion today; returns the visit id.

    ``ordered``: a clinician's order for 0.5 mg/kg at 70 kg is on file (no order is a hard
    stop at the start).
    """
    now = desk.now()
    n = next(_numbers)
    with desk.sessions() as session:
        patient = Patient(
            mrn=f"T{n:06d}", legal_first_name=first, legal_last_name=last,
            dob=date(1980, 1, 1), created_at=now,
        )  # fmt: skip
        session.add(patient)
        session.flush()
        if screened:
            session.add(_candidacy(patient.id))
        if consent:
            _add_consent(session, patient.id, now)
        start = now + timedelta(minutes=start_in_minutes)
        visit = Visit(
            patient_id=patient.id, visit_type=visit_type, chair=chair,
            scheduled_start=start, scheduled_end=start + timedelta(hours=2), status=status,
            arrived_at=now if status != "scheduled" else None, created_at=now,
        )  # fmt: skip
        session.add(visit)
        session.flush()
        if ordered and visit_type != "consultation":
            session.add(standard_order(patient.id, visit.id, now))
        session.commit()
        return visit.id


def standard_order(patient_id: int, visit_id: int, now: datetime) -> InfusionOrder:
    return InfusionOrder(
        patient_id=patient_id, visit_id=visit_id, drug="Ketamine", dose_ug_per_kg=500,
        weight_g=70_000, weight_source="entered", dose_ug=35_000, duration_min=40,
        rate_ug_per_h=52_500, ordered_by="cleo", ordered_at=now,
    )  # fmt: skip


def _candidacy(patient_id: int) -> Candidacy:
    return Candidacy(
        patient_id=patient_id, indication="treatment_resistant_depression",
        diagnosis_confirmed_by="Dr Rivera", diagnosis_confirmed_on=date(2026, 1, 5),
        provider_name="Dr Rivera", consultation_on=date(2026, 1, 10),
        history_reviewed_by="Dr Rivera", history_reviewed_on=date(2026, 1, 10),
    )  # fmt: skip


def _add_consent(session: object, patient_id: int, now: datetime) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    template = session.scalars(select(ConsentTemplate)).first()
    if template is None:
        template = ConsentTemplate(
            template_key="ketamine-iv", version="1.0", major=1, minor=0, language="en",
            treatments="mood_series,pain_series", text="consent", sha256="0" * 64,
            imported_at=now, imported_by="admin",
        )  # fmt: skip
        session.add(template)
        session.flush()
    session.add(
        ConsentDocument(
            document_uid=f"doc-{patient_id}-{next(_numbers)}",
            patient_id=patient_id,
            template_id=template.id,
            treatment="mood_series",
            method="paper",
            signed_at=now - timedelta(days=10),
            witness="nina",
            witnessed_at=now - timedelta(days=10),
            pdf=b"%PDF-1.4",
            sha256="1" * 64,
        )
    )


def nurse_and_receptionist(admin_desk: Desk) -> tuple[Desk, Desk]:
    nurse = admin_desk.as_actor(add_person(admin_desk, "nina", Role.NURSE))
    reception = admin_desk.as_actor(add_person(admin_desk, "rita", Role.RECEPTIONIST))
    return nurse, reception


def confirm_everything(nurse: Desk, visit_id: int) -> prep.PrepView:
    """Food 5 h ago, clear fluids 3 h ago, arms accessible, ride confirmed, vitals OK."""
    now = nurse.now()
    view = prep.readiness(nurse, visit_id)
    view = prep.record_intake(
        nurse, visit_id, now - timedelta(hours=5), now - timedelta(hours=3), True,
        view.prep_version,
    )  # fmt: skip
    view = prep.confirm_clothing(nurse, visit_id, True, view.prep_version)
    ride = transport.record_transport(nurse, visit_id, ADULT, PickupPlan.FAMILY_DRIVES, None)
    transport.confirm_by_phone(nurse, visit_id, ride.version)
    prep.record_vitals(nurse, visit_id, GOOD_VITALS)
    return prep.readiness(nurse, visit_id)
