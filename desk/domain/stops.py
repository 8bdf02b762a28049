"""Hard stops and soft stops: which safety stop one nurse may pass, and which needs two.

DESIGN's rule: a soft stop (a caution reading, late fasting) passes with one nurse's
reason; a hard stop passes only with a reason *and* a second clinician who confirms with
their own password. The table below is the rule; services look it up, never decide it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from desk.domain.readiness import PrepItem


class Severity(StrEnum):
    SOFT = "soft"
    HARD = "hard"


class Stop(StrEnum):
    """Every safety stop a nurse can be asked to pass."""

    VITALS_REVIEW = "vitals_review"  # a caution reading: clinician review
    VITALS_HOLD = "vitals_hold"  # a reading at the hold limits
    CANDIDACY = "candidacy"  # a screening flag or an open candidacy step
    FOOD = "food"  # solid food within the fasting hours
    FLUIDS = "fluids"  # clear fluids too close to the start
    CLOTHING = "clothing"  # no arm access for the IV
    EARLY_DISCHARGE = "early_discharge"  # before the minimum observation time
    NOBODY_COLLECTING = "nobody_collecting"
    DRIVER_NOT_RECORDED = "driver_not_recorded"  # someone other than the recorded adult

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def severity(self) -> Severity:
        return SEVERITY[self]

    @property
    def is_hard(self) -> bool:
        return SEVERITY[self] is Severity.HARD


SEVERITY: dict[Stop, Severity] = {
    Stop.VITALS_REVIEW: Severity.SOFT,
    Stop.VITALS_HOLD: Severity.HARD,
    Stop.CANDIDACY: Severity.HARD,
    Stop.FOOD: Severity.SOFT,
    Stop.FLUIDS: Severity.SOFT,
    Stop.CLOTHING: Severity.SOFT,
    Stop.EARLY_DISCHARGE: Severity.HARD,
    Stop.NOBODY_COLLECTING: Severity.HARD,
    Stop.DRIVER_NOT_RECORDED: Severity.HARD,
}

_LABELS = {
    Stop.VITALS_REVIEW: "Vitals need clinician review",
    Stop.VITALS_HOLD: "Vitals at the hold limits",
    Stop.CANDIDACY: "Candidacy not complete",
    Stop.FOOD: "Food within the fasting time",
    Stop.FLUIDS: "Fluids too close to the start",
    Stop.CLOTHING: "No arm access for the IV",
    Stop.EARLY_DISCHARGE: "Discharge before the minimum observation time",
    Stop.NOBODY_COLLECTING: "Nobody is collecting the patient",
    Stop.DRIVER_NOT_RECORDED: "Collected by someone other than the recorded adult",
}

# A not-ready checklist line is this stop when overridden (a not-ready vitals line is a
# reading at the hold limits: caution readings are "review", never "not ready").
_PREP_STOPS = {
    PrepItem.CANDIDACY: Stop.CANDIDACY,
    PrepItem.FOOD: Stop.FOOD,
    PrepItem.FLUIDS: Stop.FLUIDS,
    PrepItem.CLOTHING: Stop.CLOTHING,
    PrepItem.VITALS: Stop.VITALS_HOLD,
}


def stop_for_item(item: PrepItem) -> Stop | None:
    """The stop an override of a not-ready checklist line passes; None if not overridable."""
    return _PREP_STOPS.get(item)


def needs_cosigner(stops: Iterable[Stop]) -> tuple[Stop, ...]:
    """The hard stops among ``stops``, in table order."""
    given = set(stops)
    return tuple(s for s in Stop if s in given and s.is_hard)


def override_refusal(stop: Stop, reason: str, cosigned: bool) -> str | None:
    """Why passing ``stop`` with this reason and co-signature is refused; None if allowed."""
    if not reason.strip():
        return f"{stop.label}: give a reason."
    if stop.is_hard and not cosigned:
        return (
            f"{stop.label} is a hard stop: a second clinician must confirm with their own "
            "user name and password."
        )
    return None
