"""Which safety stop one nurse may pass, and which needs a second clinician."""

from __future__ import annotations

import pytest

from desk.domain.readiness import PrepItem
from desk.domain.stops import Severity, Stop, needs_cosigner, override_refusal, stop_for_item


@pytest.mark.parametrize(
    ("stop", "severity"),
    [
        (Stop.VITALS_REVIEW, Severity.SOFT),
        (Stop.FOOD, Severity.SOFT),
        (Stop.FLUIDS, Severity.SOFT),
        (Stop.CLOTHING, Severity.SOFT),
        (Stop.VITALS_HOLD, Severity.HARD),
        (Stop.CANDIDACY, Severity.HARD),
        (Stop.EARLY_DISCHARGE, Severity.HARD),
        (Stop.NOBODY_COLLECTING, Severity.HARD),
        (Stop.DRIVER_NOT_RECORDED, Severity.HARD),
    ],
)
def test_each_stop_is_hard_or_soft_as_design_says(stop: Stop, severity: Severity) -> None:
    assert stop.severity is severity
    assert stop.is_hard is (severity is Severity.HARD)


def test_every_stop_has_a_severity_and_a_label() -> None:
    for stop in Stop:
        assert stop.severity in Severity and stop.label


@pytest.mark.parametrize(
    ("item", "stop"),
    [
        (PrepItem.VITALS, Stop.VITALS_HOLD),  # a not-ready vitals line is a hold reading
        (PrepItem.CANDIDACY, Stop.CANDIDACY),
        (PrepItem.FOOD, Stop.FOOD),
        (PrepItem.FLUIDS, Stop.FLUIDS),
        (PrepItem.CLOTHING, Stop.CLOTHING),
        (PrepItem.CONSENT, None),  # never overridable
        (PrepItem.TRANSPORT, None),
    ],
)
def test_a_not_ready_checklist_line_maps_to_its_stop(item: PrepItem, stop: Stop | None) -> None:
    assert stop_for_item(item) is stop


def test_only_the_hard_stops_need_a_cosigner_in_table_order() -> None:
    given = [Stop.FOOD, Stop.DRIVER_NOT_RECORDED, Stop.VITALS_HOLD]
    assert needs_cosigner(given) == (Stop.VITALS_HOLD, Stop.DRIVER_NOT_RECORDED)
    assert needs_cosigner([Stop.FOOD, Stop.CLOTHING]) == ()


@pytest.mark.parametrize(
    ("stop", "reason", "cosigned", "refused"),
    [
        (Stop.FOOD, "Only a cracker", False, None),
        (Stop.FOOD, "  ", False, "give a reason"),
        (Stop.VITALS_HOLD, "Known hypertensive", False, "hard stop"),
        (Stop.VITALS_HOLD, "Known hypertensive", True, None),
        (Stop.EARLY_DISCHARGE, "", True, "give a reason"),  # a co-signer is no reason
    ],
)
def test_an_override_needs_a_reason_and_a_hard_stop_a_cosigner(
    stop: Stop, reason: str, cosigned: bool, refused: str | None
) -> None:
    refusal = override_refusal(stop, reason, cosigned)
    assert (refusal is None) if refused is None else (refused in (refusal or ""))
