"""Outcome rules: which questionnaires a visit asks for, response and remission across a
series, the maintenance / booster proposal, and what a safety assessment must contain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from desk.domain.candidacy import Indication
from desk.domain.errors import ValidationError
from desk.domain.instruments import Instrument
from desk.domain.policy import ClinicPolicy

MAX_ASSESSMENT_TEXT = 2000  # a few sentences; a pasted document is a mistake


def instruments_for(indication: str, policy: ClinicPolicy) -> tuple[str, ...]:
    """The instrument codes a visit asks for, from the patient's indication and the policy.

    An unknown or empty indication asks the mood set: a patient is never asked nothing
    because screening is unfinished.
    """
    try:
        known = Indication(indication)
    except ValueError:
        known = None
    if known is not None and known.is_chronic_pain:
        return policy.outcomes_pain_instruments
    if known is Indication.PTSD:
        return policy.outcomes_ptsd_instruments
    return policy.outcomes_mood_instruments


def extra_safety_items(code: str, policy: ClinicPolicy) -> tuple[int, ...]:
    """Item numbers of ``code`` the clinic treats like PHQ-9 item 9 ("pcl5:16" entries).

    Entries that do not parse are skipped: a setting saved once never breaks a visit.
    """
    items = []
    for entry in policy.extra_safety_items:
        name, _, number = entry.partition(":")
        if name.strip() == code and number.strip().isdigit():
            items.append(int(number))
    return tuple(items)


@dataclass(frozen=True)
class ScorePoint:
    day: date
    total: int


@dataclass(frozen=True)
class SeriesOutcome:
    """How one instrument moved from the series' first score to the latest one."""

    baseline: int
    latest: int
    best: int
    change_percent: float | None  # negative is better; None when the baseline is 0
    response: bool
    remission: bool | None  # None when the instrument defines no remission

    def describe(self, name: str) -> str:
        change = "" if self.change_percent is None else f" ({self.change_percent:+.0f} %)"
        words = [f"{name} {self.baseline} → {self.latest}{change}"]
        words.append("response" if self.response else "no response")
        if self.remission is not None:
            words.append("remission" if self.remission else "not in remission")
        return ", ".join(words)


def series_outcome(
    instrument: Instrument, points: Sequence[ScorePoint], policy: ClinicPolicy
) -> SeriesOutcome | None:
    """Response (a drop of at least the policy's percentage from the first score) and
    remission (latest below the instrument's cut-off); None without any score."""
    if not points:
        return None
    ordered = sorted(points, key=lambda p: p.day)
    baseline, latest = ordered[0].total, ordered[-1].total
    change = None if baseline == 0 else (latest - baseline) * 100.0 / baseline
    response = change is not None and -change >= policy.response_drop_percent
    remission = (
        None if instrument.remission_below is None else latest < instrument.remission_below
    )
    return SeriesOutcome(
        baseline, latest, min(p.total for p in ordered), change, response, remission
    )


class ProposalKind(StrEnum):
    BOOSTER_NOW = "booster_now"
    MAINTENANCE = "maintenance"
    REVIEW_PLAN = "review_plan"
    NO_SCORES = "no_scores"


@dataclass(frozen=True)
class MaintenanceProposal:
    """What the desk suggests to the clinician; nothing is booked from it."""

    kind: ProposalKind
    suggested_on: date | None
    reason: str


def propose_maintenance(
    instrument: Instrument,
    series_points: Sequence[ScorePoint],
    later_points: Sequence[ScorePoint],
    series_last_day: date,
    policy: ClinicPolicy,
    today: date,
) -> MaintenanceProposal:
    """After a series: a booster now when the score rose by the policy's points from its
    best, a plan review when the series brought no response, else maintenance on schedule.

    ``series_points`` are the scores during the series, ``later_points`` those after it.
    """
    outcome = series_outcome(instrument, series_points, policy)
    if outcome is None:
        return MaintenanceProposal(
            ProposalKind.NO_SCORES, None,
            f"No {instrument.name} scores in the series: nothing to base a proposal on.",
        )  # fmt: skip
    every = sorted([*series_points, *later_points], key=lambda p: p.day)
    best = min(p.total for p in every)
    latest = every[-1]
    if latest.total - best >= policy.booster_rise_points:
        return MaintenanceProposal(
            ProposalKind.BOOSTER_NOW, today,
            f"{instrument.name} rose from its best of {best} to {latest.total}: "
            "a booster infusion is suggested now.",
        )  # fmt: skip
    if not outcome.response:
        return MaintenanceProposal(
            ProposalKind.REVIEW_PLAN, None,
            f"No response after the series ({outcome.describe(instrument.name)}): "
            "review the treatment plan with the patient before any maintenance.",
        )  # fmt: skip
    due = max(series_last_day + timedelta(days=policy.booster_due_days_after_series), today)
    return MaintenanceProposal(
        ProposalKind.MAINTENANCE, due,
        f"Response holds ({outcome.describe(instrument.name)}): "
        "a maintenance infusion is suggested on schedule.",
    )  # fmt: skip


class RiskLevel(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"

    @property
    def label(self) -> str:
        return f"{self.value.capitalize()} risk"


@dataclass(frozen=True)
class SafetyAssessment:
    """A clinician's assessment after a positive suicide item."""

    risk: RiskLevel
    action: str  # what was done: safety plan, crisis line, infusion deferred, …
    told: str  # who was told: the referring provider, the emergency contact, …

    @classmethod
    def checked(cls, risk: str, action: str, told: str) -> SafetyAssessment:
        try:
            level = RiskLevel(risk)
        except ValueError:
            raise ValidationError("Choose the risk level.", "risk") from None
        texts = {"action": action.strip(), "told": told.strip()}
        for field, text in texts.items():
            if not text:
                what = "the action taken" if field == "action" else "who was told"
                raise ValidationError(f"Record {what}.", field)
            if len(text) > MAX_ASSESSMENT_TEXT:
                raise ValidationError(f"Keep this to {MAX_ASSESSMENT_TEXT} characters.", field)
        return cls(level, texts["action"], texts["told"])
