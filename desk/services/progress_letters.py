"""Progress letters to the referring provider: which are due, the draft, signing.

A letter is due when every booked infusion of a series is over and none was signed for
it. The clinician reads the proposal, writes the plan and signs; the PDF is stored as
sent, so a later reprint is the same document.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from desk.db.models import (
    Candidacy,
    Patient,
    ProgressLetter,
    Series,
    SideEffect,
    Visit,
)
from desk.domain.errors import NotFound, ValidationError
from desk.domain.locale import format_date
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.domain.visit_states import VisitState
from desk.pdf.data import DocumentKind, PatientIdentity, new_document_id
from desk.pdf.progress_letter import LetterScores, ProgressLetterData, render_progress_letter
from desk.services.consent import legal_name, pdf_clinic
from desk.services.context import Desk
from desk.services.infusion import SideEffectKind
from desk.services.outcome_trends import PatientOutcomes, SeriesSummary, load_outcomes
from desk.services.settings import load_policy

MAX_PLAN = 4000  # a paragraph or two; the letter is one or two pages
_CLOSED = (VisitState.CANCELLED.value, VisitState.NO_SHOW.value)


@dataclass(frozen=True)
class LetterDue:
    series_id: int
    patient_id: int
    patient_name: str
    mrn: str
    series_label: str
    last_day: date
    provider_name: str  # "" when screening recorded none: the letter cannot go yet


def letters_due(desk: Desk) -> list[LetterDue]:
    """Any signed-in staff: finished series without a signed letter, oldest first."""
    desk.require()
    open_visit = (
        select(Visit.id)
        .where(Visit.series_id == Series.id, Visit.status != VisitState.DISCHARGED.value,
               Visit.status.not_in(_CLOSED))
        .exists()
    )  # fmt: skip
    last = (
        select(func.max(Visit.scheduled_start))
        .where(Visit.series_id == Series.id, Visit.status == VisitState.DISCHARGED.value)
        .scalar_subquery()
    )
    query = (
        select(Series.id, Series.kind, Patient.id, Patient.legal_first_name,
               Patient.legal_last_name, Patient.mrn, Candidacy.provider_name, last)
        .join(Patient, Patient.id == Series.patient_id)
        .outerjoin(Candidacy, Candidacy.patient_id == Patient.id)
        .where(~open_visit, last.is_not(None),
               ~exists().where(ProgressLetter.series_id == Series.id))
        .order_by(last)
    )  # fmt: skip
    with desk.read() as session:
        return [
            LetterDue(series_id, patient_id, f"{first} {last_name}", mrn,
                      kind.replace("_", " ").title(), ended.astimezone().date(),
                      provider or "")
            for series_id, kind, patient_id, first, last_name, mrn, provider, ended
            in session.execute(query)
        ]  # fmt: skip


@dataclass(frozen=True)
class LetterDraft:
    series_id: int
    patient_id: int
    provider_name: str
    provider_practice: str
    provider_address: str
    summary: SeriesSummary
    proposal_text: str  # the desk's maintenance proposal, for the clinician to judge

    @property
    def ready(self) -> bool:
        return bool(self.provider_name.strip())


def letter_draft(desk: Desk, series_id: int) -> LetterDraft:
    """Any signed-in staff: what the letter for this series will say before the plan."""
    desk.require()
    with desk.read() as session:
        series, outcomes, candidacy = _load(session, series_id, desk)
        summary = _summary(outcomes, series_id)
        proposal = outcomes.proposal
        policy = load_policy(session)
        text = ""
        if proposal is not None:
            when = (
                f" Suggested date: {format_date(proposal.suggested_on, policy)}."
                if proposal.suggested_on else ""
            )
            text = proposal.reason + when
        return LetterDraft(
            series.id, series.patient_id,
            candidacy.provider_name if candidacy else "",
            candidacy.provider_practice if candidacy else "",
            candidacy.provider_address if candidacy else "",
            summary, text,
        )  # fmt: skip


def _load(
    session: Session, series_id: int, desk: Desk
) -> tuple[Series, PatientOutcomes, Candidacy | None]:
    series = session.get(Series, series_id)
    if series is None:
        raise NotFound("That series no longer exists.")
    outcomes = load_outcomes(session, series.patient_id, desk.now().astimezone().date())
    return series, outcomes, session.get(Candidacy, series.patient_id)


def _summary(outcomes: PatientOutcomes, series_id: int) -> SeriesSummary:
    found = [s for s in outcomes.series if s.series_id == series_id]
    if not found:
        raise ValidationError("This series has no infusions left on the books.")
    return found[0]


@dataclass(frozen=True)
class SignedLetter:
    document_id: str
    pdf: bytes


def sign_progress_letter(desk: Desk, series_id: int, plan: str) -> SignedLetter:
    """Clinician only: sign the finished series' letter with the plan."""
    actor = desk.require(Role.CLINICIAN)
    text = plan.strip()
    if not text:
        raise ValidationError("Write the plan for the referring provider.", "plan")
    if len(text) > MAX_PLAN:
        raise ValidationError(f"Keep the plan to {MAX_PLAN} characters.", "plan")
    now = desk.now()
    with desk.write() as uow:
        session = uow.session
        series, outcomes, candidacy = _load(session, series_id, desk)
        summary = _summary(outcomes, series_id)
        if not summary.finished:
            raise ValidationError("The series is not finished yet: its letter waits.")
        if candidacy is None or not candidacy.provider_name.strip():
            raise ValidationError(
                "Record the referring provider on the screening panel first.", "provider"
            )
        patient = uow.get(Patient, series.patient_id, "patient")
        policy = load_policy(session)
        data = ProgressLetterData(
            clinic=pdf_clinic(session),
            document_id=new_document_id(DocumentKind.PROGRESS_LETTER, now.astimezone().date()),
            provider_name=candidacy.provider_name, provider_practice=candidacy.provider_practice,
            provider_address=candidacy.provider_address,
            patient=PatientIdentity(legal_name(patient), patient.dob, patient.mrn),
            series_label=summary.kind_label, infusion_days=summary.days,
            scores=_scores(outcomes, summary), side_effects=_effects(session, series_id, policy),
            plan=text, clinician_name=actor.full_name, signed_at=now, policy=policy,
        )  # fmt: skip
        pdf = render_progress_letter(data)
        session.add(
            ProgressLetter(
                series_id=series_id, patient_id=series.patient_id, signed_at=now,
                signed_by=actor.username, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(),
            )
        )  # fmt: skip
        uow.audit("letter.sign", "series", series_id, {"document_id": data.document_id})
        uow.commit()
    return SignedLetter(data.document_id, pdf)


def _scores(outcomes: PatientOutcomes, summary: SeriesSummary) -> tuple[LetterScores, ...]:
    described = {name: o.describe(name) for name, o in summary.outcomes}
    return tuple(
        LetterScores(
            t.name, t.max_total, tuple((b.lowest, b.label) for b in t.bands),
            tuple((p.day, p.total) for p in t.points
                  if summary.first_day <= p.day <= summary.last_day),
            described.get(t.name, ""),
        )
        for t in outcomes.trends
    )  # fmt: skip


def _effects(session: Session, series_id: int, policy: ClinicPolicy) -> tuple[str, ...]:
    rows = session.execute(
        select(Visit.scheduled_start, SideEffect.effect, SideEffect.note)
        .join(SideEffect, SideEffect.visit_id == Visit.id)
        .where(Visit.series_id == series_id)
        .order_by(Visit.scheduled_start, SideEffect.id)
    )
    lines = []
    for start, effect, note in rows:
        try:
            label = SideEffectKind(effect).label.lower()
        except ValueError:
            label = effect.replace("_", " ")
        day = format_date(start.astimezone().date(), policy)
        lines.append(f"{day}: {label}" + (f" ({note.strip()})" if note.strip() else ""))
    return tuple(lines)
