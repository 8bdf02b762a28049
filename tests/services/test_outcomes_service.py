"""Questionnaires at a visit and the safety alert: who may enter, what blocks clearing,
who may assess, and what the audit trail keeps."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desk.db.models import AuditEntry, OutcomeResponse
from desk.domain.errors import NotPermitted, PrepNotReady, ValidationError
from desk.domain.instruments import Language
from desk.domain.roles import Role
from desk.domain.visit_states import VisitState
from desk.services import board, nurse_board, outcomes, prep
from desk.services.context import Desk
from tests.helpers.fixtures import add_person
from tests.services.nurse_rows import add_visit, confirm_everything, nurse_and_receptionist

PHQ9_ITEM9 = [1, 1, 2, 1, 0, 1, 0, 0, 1]  # total 7, item 9 "several days"
PHQ9_CLEAN = [1, 1, 2, 1, 0, 1, 0, 0, 0]
GAD7 = [1, 1, 1, 1, 0, 0, 0]


def clinician(admin_desk: Desk) -> Desk:
    return admin_desk.as_actor(add_person(admin_desk, "drrivera", Role.CLINICIAN))


def kiosk(reception: Desk, visit_id: int, code: str, answers: list[int]) -> outcomes.RecordedScore:
    return outcomes.record_answers(
        reception, visit_id, code, answers, language=Language.ES, method="kiosk"
    )


def test_a_mood_patient_is_asked_phq9_and_gad7_and_the_done_ones_drop_out(
    sqlite_admin_desk: Desk,
) -> None:
    _nurse, reception = nurse_and_receptionist(sqlite_admin_desk)
    visit_id = add_visit(reception, first="Sam")
    asked = outcomes.visit_questionnaires(reception, visit_id)
    assert [i.code for i in asked.instruments] == ["phq9", "gad7"]
    assert asked.greeting_name == "Sam"
    kiosk(reception, visit_id, "gad7", GAD7)
    assert [i.code for i in outcomes.visit_questionnaires(reception, visit_id).remaining] == [
        "phq9"
    ]


def test_answers_are_stored_as_given_with_the_score_and_who_handed_over(
    sqlite_admin_desk: Desk,
) -> None:
    _nurse, reception = nurse_and_receptionist(sqlite_admin_desk)
    visit_id = add_visit(reception)
    result = kiosk(reception, visit_id, "phq9", PHQ9_CLEAN)
    assert (result.total, result.band, result.safety_alert) == (6, "Mild", False)
    with reception.read() as session:
        row = session.scalars(select(OutcomeResponse)).one()
        stored = (row.answers, row.language, row.method, row.entered_by)
        summary = session.scalars(
            select(AuditEntry.summary).where(AuditEntry.action == "outcome.record")
        ).one()
    assert stored == ("[1, 1, 2, 1, 0, 1, 0, 0, 0]", "es", "kiosk", "rita")
    assert "[1, 1" not in summary  # the item answers stay out of the audit trail


def test_item_nine_blocks_clearing_until_a_clinician_assesses(admin_desk: Desk) -> None:
    nurse, reception = nurse_and_receptionist(admin_desk)
    doctor = clinician(admin_desk)
    visit_id = add_visit(reception)
    view = confirm_everything(nurse, visit_id)
    assert kiosk(reception, visit_id, "phq9", PHQ9_ITEM9).safety_alert

    row = next(r for r in board.day_board(nurse, nurse.now().astimezone().date())
               if r.visit_id == visit_id)  # fmt: skip
    assert row.blocked and row.safety.text == "Alert"
    waiting = nurse_board.nurse_board(nurse).waiting[0]
    assert "PHQ-9 item 9" in waiting.safety_alert
    with pytest.raises(PrepNotReady, match="PHQ-9 item 9 was answered above 0"):
        prep.clear_for_infusion(nurse, visit_id, expected_version=view.prep_version)

    alert = outcomes.record_safety_assessment(
        doctor, visit_id, risk="low", action="Safety plan reviewed", told="Dr Jones (referrer)"
    )
    assert not alert.open and "Low risk, assessed by Drrivera" in alert.text
    cleared = prep.clear_for_infusion(nurse, visit_id, expected_version=view.prep_version)
    assert cleared.status is VisitState.PREP_CLEARED
    with admin_desk.read() as session:
        summary = session.scalars(
            select(AuditEntry.summary).where(AuditEntry.action == "safety.assess")
        ).one()
    assert "low" in summary and "Safety plan" not in summary


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.NURSE, Role.ADMIN])
def test_only_a_clinician_may_record_the_safety_assessment(
    sqlite_admin_desk: Desk, role: Role
) -> None:
    reception = sqlite_admin_desk.as_actor(add_person(sqlite_admin_desk, "rita", Role.RECEPTIONIST))
    visit_id = add_visit(reception)
    kiosk(reception, visit_id, "phq9", PHQ9_ITEM9)
    someone = sqlite_admin_desk.as_actor(add_person(sqlite_admin_desk, f"x{role.value}", role))
    with pytest.raises(NotPermitted, match="clinician"):
        outcomes.record_safety_assessment(someone, visit_id, risk="low", action="a", told="b")
    assert outcomes.safety_alert(reception, visit_id).open  # type: ignore[union-attr]


def test_a_second_positive_answer_after_the_assessment_reopens_the_alert(
    sqlite_admin_desk: Desk,
) -> None:
    _nurse, reception = nurse_and_receptionist(sqlite_admin_desk)
    doctor = clinician(sqlite_admin_desk)
    visit_id = add_visit(reception)
    kiosk(reception, visit_id, "phq9", PHQ9_ITEM9)
    outcomes.record_safety_assessment(doctor, visit_id, risk="moderate", action="a", told="b")
    outcomes.record_answers(
        reception, visit_id, "phq9", PHQ9_ITEM9, language=Language.EN, method="phone"
    )
    alert = outcomes.safety_alert(reception, visit_id)
    assert alert is not None and alert.open


def test_assessment_without_an_alert_is_refused(sqlite_admin_desk: Desk) -> None:
    doctor = clinician(sqlite_admin_desk)
    visit_id = add_visit(doctor)
    with pytest.raises(ValidationError, match="no safety alert"):
        outcomes.record_safety_assessment(doctor, visit_id, risk="low", action="a", told="b")


def test_incomplete_answers_are_refused_and_nothing_is_stored(sqlite_admin_desk: Desk) -> None:
    _nurse, reception = nurse_and_receptionist(sqlite_admin_desk)
    visit_id = add_visit(reception)
    with pytest.raises(ValidationError, match="9 questions; 8 were answered"):
        kiosk(reception, visit_id, "phq9", PHQ9_CLEAN[:8])
    with reception.read() as session:
        assert session.scalars(select(OutcomeResponse)).first() is None


def test_a_cancelled_visit_takes_no_answers(sqlite_admin_desk: Desk) -> None:
    _nurse, reception = nurse_and_receptionist(sqlite_admin_desk)
    visit_id = add_visit(reception, status="cancelled")
    with pytest.raises(ValidationError, match="cancelled or missed"):
        kiosk(reception, visit_id, "phq9", PHQ9_CLEAN)
