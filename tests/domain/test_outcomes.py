"""Response, remission, the booster proposal, instruments by indication, safety assessments."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from desk.domain.errors import ValidationError
from desk.domain.outcomes import (
    ProposalKind,
    RiskLevel,
    SafetyAssessment,
    ScorePoint,
    extra_safety_items,
    instruments_for,
    propose_maintenance,
    series_outcome,
)
from desk.domain.policy import DEFAULT_POLICY
from tests.domain.test_instruments import load

DAY = date(2031, 3, 3)
PHQ9, GAD7, NRS = load("phq9"), load("gad7"), load("pain_nrs")


def points(*totals: int, start: date = DAY, gap: int = 2) -> list[ScorePoint]:
    return [ScorePoint(start + timedelta(days=gap * n), t) for n, t in enumerate(totals)]


@pytest.mark.parametrize(
    ("totals", "response", "remission", "change"),
    [
        ((20, 15, 10), True, False, -50.0),  # exactly half: response
        ((20, 15, 11), False, False, -45.0),  # 45 % drop: no response
        ((20, 8, 4), True, True, -80.0),  # below 5: remission
        ((8, 6, 5), False, False, -37.5),  # 5 is not below 5
        ((4, 4, 4), False, True, 0.0),  # remission without response (started low)
        ((10, 12, 14), False, False, 40.0),  # worse
    ],
)
def test_phq9_response_and_remission(
    totals: tuple[int, ...], response: bool, remission: bool, change: float
) -> None:
    outcome = series_outcome(PHQ9, points(*totals), DEFAULT_POLICY)
    assert outcome is not None
    assert (outcome.response, outcome.remission, outcome.change_percent) == (
        response, remission, change,
    )


def test_response_is_measured_from_the_first_score_by_date_not_by_order_given() -> None:
    shuffled = list(reversed(points(18, 12, 9)))
    outcome = series_outcome(GAD7, shuffled, DEFAULT_POLICY)
    assert outcome is not None and (outcome.baseline, outcome.latest) == (18, 9)
    assert outcome.response


def test_pain_scale_has_response_but_no_remission() -> None:
    outcome = series_outcome(NRS, points(8, 5, 3), DEFAULT_POLICY)
    assert outcome is not None
    assert outcome.response and outcome.remission is None
    assert "remission" not in outcome.describe("Pain NRS")


def test_a_baseline_of_zero_never_counts_as_response() -> None:
    outcome = series_outcome(PHQ9, points(0, 0), DEFAULT_POLICY)
    assert outcome is not None and not outcome.response and outcome.change_percent is None


def test_clinic_response_threshold_is_a_setting() -> None:
    strict = replace(DEFAULT_POLICY, response_drop_percent=60)
    outcome = series_outcome(PHQ9, points(20, 10), strict)
    assert outcome is not None and not outcome.response


def test_no_scores_no_outcome() -> None:
    assert series_outcome(PHQ9, [], DEFAULT_POLICY) is None


SERIES = points(20, 16, 12, 10, 9, 8)  # six infusions, response
LAST = SERIES[-1].day


def test_booster_suggested_when_phq9_rises_five_from_its_best() -> None:
    later = points(9, 13, start=LAST + timedelta(days=14), gap=7)  # best 8 → 13
    proposal = propose_maintenance(PHQ9, SERIES, later, LAST, DEFAULT_POLICY, DAY + timedelta(60))
    assert proposal.kind is ProposalKind.BOOSTER_NOW
    assert "best of 8 to 13" in proposal.reason
    assert proposal.suggested_on == DAY + timedelta(60)


def test_a_rise_of_four_keeps_the_maintenance_schedule() -> None:
    later = points(12, start=LAST + timedelta(days=14))
    today = LAST + timedelta(days=15)
    proposal = propose_maintenance(PHQ9, SERIES, later, LAST, DEFAULT_POLICY, today)
    assert proposal.kind is ProposalKind.MAINTENANCE
    due_days = DEFAULT_POLICY.booster_due_days_after_series
    assert proposal.suggested_on == LAST + timedelta(days=due_days)


def test_overdue_maintenance_is_suggested_for_today_not_in_the_past() -> None:
    today = LAST + timedelta(days=90)
    proposal = propose_maintenance(PHQ9, SERIES, [], LAST, DEFAULT_POLICY, today)
    assert proposal.suggested_on == today


def test_no_response_asks_for_a_plan_review_instead_of_maintenance() -> None:
    flat = points(20, 19, 18, 18, 17, 16)
    proposal = propose_maintenance(PHQ9, flat, [], flat[-1].day, DEFAULT_POLICY, DAY)
    assert proposal.kind is ProposalKind.REVIEW_PLAN
    assert proposal.suggested_on is None


def test_no_scores_gives_no_proposal() -> None:
    proposal = propose_maintenance(PHQ9, [], [], LAST, DEFAULT_POLICY, DAY)
    assert proposal.kind is ProposalKind.NO_SCORES


@pytest.mark.parametrize(
    ("indication", "expected"),
    [
        ("treatment_resistant_depression", ("phq9", "gad7")),
        ("anxiety_disorder", ("phq9", "gad7")),
        ("ptsd", ("phq9", "gad7", "pcl5")),
        ("crps", ("pain_nrs",)),
        ("migraine", ("pain_nrs",)),
        ("", ("phq9", "gad7")),  # screening not finished: the mood set
        ("from_a_newer_desk", ("phq9", "gad7")),
    ],
)
def test_instruments_follow_the_indication(indication: str, expected: tuple[str, ...]) -> None:
    assert instruments_for(indication, DEFAULT_POLICY) == expected


def test_clinic_can_change_the_instruments_of_an_indication() -> None:
    policy = replace(DEFAULT_POLICY, outcomes_pain_instruments=("pain_nrs", "phq9"))
    assert instruments_for("fibromyalgia", policy) == ("pain_nrs", "phq9")


def test_extra_safety_items_skip_entries_that_do_not_parse() -> None:
    policy = replace(DEFAULT_POLICY, extra_safety_items=("pcl5:16", "pcl5", "gad7:x", "pcl5:2"))
    assert extra_safety_items("pcl5", policy) == (16, 2)
    assert extra_safety_items("gad7", policy) == ()


def test_safety_assessment_needs_risk_action_and_who_was_told() -> None:
    checked = SafetyAssessment.checked("high", " Safety plan; infusion deferred ", "Dr Rivera")
    assert checked.risk is RiskLevel.HIGH
    assert (checked.action, checked.told) == ("Safety plan; infusion deferred", "Dr Rivera")
    with pytest.raises(ValidationError, match="risk level"):
        SafetyAssessment.checked("", "plan", "Dr Rivera")
    with pytest.raises(ValidationError, match="action taken"):
        SafetyAssessment.checked("low", "  ", "Dr Rivera")
    with pytest.raises(ValidationError, match="who was told"):
        SafetyAssessment.checked("low", "plan", "")
    with pytest.raises(ValidationError, match="2000"):
        SafetyAssessment.checked("low", "x" * 2001, "Dr Rivera")
