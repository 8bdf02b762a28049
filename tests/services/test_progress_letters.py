"""A finished series: its trend, response and remission, the booster proposal, the letters
due, and the signed progress letter read back from the PDF."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from desk.db.models import Candidacy, ProgressLetter, Series, SideEffect, Visit
from desk.domain.errors import NotPermitted, ValidationError
from desk.domain.instruments import Language
from desk.domain.outcomes import ProposalKind
from desk.domain.roles import Role
from desk.services import outcome_trends, outcomes, progress_letters
from desk.services.context import Desk
from tests.helpers.fixtures import FakeClock, add_person
from tests.services.nurse_rows import add_visit

FIRST_DAY = date(2026, 11, 2)
# PHQ-9 at each of the six infusions: 20 → 8 is a 60 % drop (response), not remission.
PHQ9_SERIES = (
    [3, 3, 2, 2, 2, 2, 2, 2, 2], [3, 2, 2, 2, 2, 2, 2, 1, 0], [2, 2, 2, 2, 2, 1, 1, 1, 0],
    [2, 2, 1, 1, 1, 1, 1, 1, 0], [2, 1, 1, 1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1, 1, 1, 0],
)


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour)).astimezone()


def finished_series(desk: Desk, clock: FakeClock) -> tuple[int, int]:
    """Six discharged mood infusions two days apart, a PHQ-9 at each; (patient, series)."""
    clock.now = at(FIRST_DAY)
    first = add_visit(desk, status="discharged", start_in_minutes=0)
    with desk.sessions() as db:
        patient_id = db.get(Visit, first).patient_id  # type: ignore[union-attr]
        candidacy = db.get(Candidacy, patient_id)
        assert candidacy is not None
        candidacy.provider_name, candidacy.provider_practice = "Dr Ana Rivera", "Bayside Psychiatry"
        candidacy.provider_address = "12 Harbour Road\nPort Town, ME 04101"
        series = Series(patient_id=patient_id, kind="mood", start_date=FIRST_DAY,
                        planned_count=6, created_at=clock.now)  # fmt: skip
        db.add(series)
        db.flush()
        visit_ids = [first]
        db.get(Visit, first).series_id = series.id  # type: ignore[union-attr]
        for n in range(1, 6):
            start = at(FIRST_DAY + timedelta(days=2 * n))
            visit = Visit(patient_id=patient_id, visit_type="mood_infusion", chair="Chair 1",
                          scheduled_start=start, scheduled_end=start + timedelta(hours=2),
                          status="discharged", created_at=clock.now, series_id=series.id,
                          series_index=n + 1)  # fmt: skip
            db.add(visit)
            db.flush()
            visit_ids.append(visit.id)
        db.add(SideEffect(visit_id=visit_ids[1], effect="nausea", note="settled with ginger",
                          recorded_at=clock.now, recorded_by="nina"))  # fmt: skip
        db.commit()
        series_id = series.id
    for n, (visit_id, answers) in enumerate(zip(visit_ids, PHQ9_SERIES, strict=True)):
        clock.now = at(FIRST_DAY + timedelta(days=2 * n), 8)
        outcomes.record_answers(desk, visit_id, "phq9", answers, language=Language.EN,
                                method="kiosk")  # fmt: skip
    return patient_id, series_id


def test_finished_series_shows_response_and_proposes_maintenance(
    sqlite_admin_desk: Desk, clock: FakeClock
) -> None:
    desk = sqlite_admin_desk.as_actor(add_person(sqlite_admin_desk, "nina", Role.NURSE))
    patient_id, _series = finished_series(desk, clock)
    clock.now = at(FIRST_DAY + timedelta(days=14))
    view = outcome_trends.patient_outcomes(desk, patient_id)
    assert [p.total for p in view.trend("phq9").points] == [20, 16, 13, 10, 9, 8]
    assert len(view.infusion_days) == 6
    (series,) = view.series
    assert series.finished and not series.letter_signed
    name, outcome = series.outcomes[0]
    assert (name, outcome.response, outcome.remission) == ("PHQ-9", True, False)
    assert view.proposal is not None and view.proposal.kind is ProposalKind.MAINTENANCE
    assert view.proposal.suggested_on == series.last_day + timedelta(days=28)


def test_a_rise_of_five_after_the_series_proposes_a_booster(
    sqlite_admin_desk: Desk, clock: FakeClock
) -> None:
    desk = sqlite_admin_desk.as_actor(add_person(sqlite_admin_desk, "nina", Role.NURSE))
    patient_id, _series = finished_series(desk, clock)
    clock.now = at(FIRST_DAY + timedelta(days=30))
    with desk.sessions() as db:
        later = Visit(patient_id=patient_id, visit_type="maintenance", chair="Chair 1",
                      scheduled_start=clock.now, scheduled_end=clock.now + timedelta(hours=2),
                      status="arrived", created_at=clock.now)  # fmt: skip
        db.add(later)
        db.commit()
        later_id = later.id
    outcomes.record_answers(desk, later_id, "phq9", [2, 2, 2, 2, 1, 1, 1, 2, 0],
                            language=Language.EN, method="phone")  # fmt: skip
    proposal = outcome_trends.patient_outcomes(desk, patient_id).proposal
    assert proposal is not None and proposal.kind is ProposalKind.BOOSTER_NOW
    assert "best of 8 to 13" in proposal.reason


def test_progress_letter_is_due_then_signed_by_the_clinician_and_reads_back(
    sqlite_admin_desk: Desk, clock: FakeClock
) -> None:
    nurse = sqlite_admin_desk.as_actor(add_person(sqlite_admin_desk, "nina", Role.NURSE))
    doctor = sqlite_admin_desk.as_actor(add_person(sqlite_admin_desk, "drhale", Role.CLINICIAN))
    _patient, series_id = finished_series(nurse, clock)
    clock.now = at(FIRST_DAY + timedelta(days=12))
    due = progress_letters.letters_due(nurse)
    assert [(d.series_id, d.provider_name) for d in due] == [(series_id, "Dr Ana Rivera")]
    with pytest.raises(NotPermitted, match="clinician"):
        progress_letters.sign_progress_letter(nurse, series_id, "Maintenance in four weeks.")
    with pytest.raises(ValidationError, match="Write the plan"):
        progress_letters.sign_progress_letter(doctor, series_id, "  ")

    draft = progress_letters.letter_draft(doctor, series_id)
    assert draft.ready and "maintenance infusion is suggested" in draft.proposal_text
    letter = progress_letters.sign_progress_letter(doctor, series_id, draft.proposal_text)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.pdf)).pages)
    text = " ".join(text.split())
    assert "Dr Ana Rivera" in text and "12 Harbour Road" in text
    assert "11/02/2026" in text and "11/12/2026" in text  # first and last infusion
    assert "PHQ-9 20 → 8 (-60 %), response, not in remission" in text
    assert "nausea (settled with ginger)" in text
    assert "Electronically signed by Drhale" in text
    assert progress_letters.letters_due(nurse) == []
    with nurse.read() as db:
        stored = db.scalars(select(ProgressLetter.pdf)).one()
    assert stored == letter.pdf


def test_no_letter_while_the_series_has_infusions_ahead(
    sqlite_admin_desk: Desk, clock: FakeClock
) -> None:
    nurse = sqlite_admin_desk.as_actor(add_person(sqlite_admin_desk, "nina", Role.NURSE))
    doctor = sqlite_admin_desk.as_actor(add_person(sqlite_admin_desk, "drhale", Role.CLINICIAN))
    _patient, series_id = finished_series(nurse, clock)
    with nurse.sessions() as db:
        last = db.scalars(select(Visit).where(Visit.series_index == 6)).one()
        last.status = "scheduled"
        db.commit()
    assert progress_letters.letters_due(nurse) == []
    with pytest.raises(ValidationError, match="not finished"):
        progress_letters.sign_progress_letter(doctor, series_id, "plan")
