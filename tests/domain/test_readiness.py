"""Readiness: every prep check combined into ready / ready with review / not ready."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from desk.domain.candidacy import CandidacyState, CandidacyStatus, Contraindication, MissingItem
from desk.domain.consent import ConsentState, ConsentStatus
from desk.domain.errors import ValidationError
from desk.domain.fasting import IntakeTimes, PrepStatus
from desk.domain.policy import ClinicPolicy
from desk.domain.readiness import (
    CandidacyCheck,
    PrepInputs,
    PrepItem,
    Readiness,
    ReadinessReport,
    assess_readiness,
)
from desk.domain.transport import PhoneConfirmation, PickupPlan, ResponsibleAdult, TransportPlan
from desk.domain.vitals import Vitals

CLINIC = timezone(timedelta(hours=-5))
START = datetime(2025, 3, 10, 10, 0, tzinfo=CLINIC)
NOW = START - timedelta(minutes=15)
POLICY = ClinicPolicy()

TRANSPORT = TransportPlan(
    pickup=PickupPlan.FAMILY_DRIVES,
    adult=ResponsibleAdult("Ann Lee", "555 0100", "Sister"),
    confirmation=PhoneConfirmation("nurse.kim", NOW - timedelta(minutes=30)),
)
VITALS = Vitals(systolic=120, diastolic=80, heart_rate=72, spo2=98)
READY_INPUTS = PrepInputs(
    candidacy=CandidacyCheck(complete=True),
    consent=ConsentStatus(ConsentState.VALID, valid_until=date(2026, 1, 1)),
    intake=IntakeTimes(
        last_food_at=START - timedelta(hours=6),
        last_fluid_at=START - timedelta(hours=3),
        clear_fluids_only=True,
    ),
    clothing_ok=True,
    transport=TRANSPORT,
    vitals=VITALS,
)


def _assess(inputs: PrepInputs, *, now: datetime = NOW) -> ReadinessReport:
    return assess_readiness(inputs, planned_start=START, now=now, policy=POLICY)


def _status(report: ReadinessReport, item: PrepItem) -> PrepStatus:
    return next(i.status for i in report.items if i.item is item)


def test_everything_in_order_is_ready_with_no_reasons() -> None:
    report = _assess(READY_INPUTS)
    assert report.verdict is Readiness.READY
    assert report.reasons == ()
    assert report.ready_at is None


def test_every_checklist_item_is_reported_in_checklist_order() -> None:
    assert [i.item for i in _assess(READY_INPUTS).items] == list(PrepItem)


@pytest.mark.parametrize(
    ("change", "item", "status", "reason_part"),
    [
        ({"candidacy": CandidacyCheck(False, ("consultation",))}, PrepItem.CANDIDACY,
         PrepStatus.NOT_READY, "consultation"),
        ({"candidacy": CandidacyCheck(False)}, PrepItem.CANDIDACY, PrepStatus.NOT_READY,
         "not yet reviewed"),
        ({"candidacy": CandidacyCheck(True, ("medical history",))}, PrepItem.CANDIDACY,
         PrepStatus.NOT_READY, "medical history"),
        ({"consent": ConsentStatus(ConsentState.MISSING)}, PrepItem.CONSENT,
         PrepStatus.NOT_READY, "No signed consent"),
        ({"consent": ConsentStatus(ConsentState.EXPIRED, date(2025, 1, 1))}, PrepItem.CONSENT,
         PrepStatus.NOT_READY, "expired"),
        ({"consent": ConsentStatus(ConsentState.WITHDRAWN)}, PrepItem.CONSENT,
         PrepStatus.NOT_READY, "withdrew"),
        ({"consent": ConsentStatus(ConsentState.NEEDS_RECONSENT, date(2026, 1, 1))},
         PrepItem.CONSENT, PrepStatus.NOT_READY, "consent again"),
        ({"consent": ConsentStatus(ConsentState.VALID, date(2025, 3, 9))}, PrepItem.CONSENT,
         PrepStatus.NOT_READY, "expired"),
        ({"intake": replace(READY_INPUTS.intake, last_food_at=START - timedelta(hours=3,
                                                                                minutes=59))},
         PrepItem.FOOD, PrepStatus.NOT_READY, "Ready at 10:01"),
        ({"intake": replace(READY_INPUTS.intake, last_food_at=None)}, PrepItem.FOOD,
         PrepStatus.NOT_CONFIRMED, "not confirmed"),
        ({"intake": replace(READY_INPUTS.intake, last_fluid_at=NOW)}, PrepItem.FLUIDS,
         PrepStatus.NOT_READY, "Ready at 10:45"),
        ({"intake": replace(READY_INPUTS.intake, clear_fluids_only=None)}, PrepItem.FLUIDS,
         PrepStatus.NOT_CONFIRMED, "clear"),
        ({"clothing_ok": None}, PrepItem.CLOTHING, PrepStatus.NOT_CONFIRMED, "not checked"),
        ({"clothing_ok": False}, PrepItem.CLOTHING, PrepStatus.NOT_READY, "gown"),
        ({"transport": None}, PrepItem.TRANSPORT, PrepStatus.NOT_CONFIRMED, "No responsible"),
        ({"transport": replace(TRANSPORT, confirmation=None)}, PrepItem.TRANSPORT,
         PrepStatus.NOT_CONFIRMED, "phone"),
        ({"transport": replace(TRANSPORT, pickup=PickupPlan.DRIVES_SELF)}, PrepItem.TRANSPORT,
         PrepStatus.NOT_READY, "drive"),
        ({"vitals": None}, PrepItem.VITALS, PrepStatus.NOT_CONFIRMED, "not taken"),
        ({"vitals": replace(VITALS, systolic=161, diastolic=100)}, PrepItem.VITALS,
         PrepStatus.NOT_READY, "161/100"),
        ({"vitals": replace(VITALS, spo2=93)}, PrepItem.VITALS, PrepStatus.NOT_READY, "SpO2"),
    ],
    ids=[
        "candidacy-missing-items",
        "candidacy-incomplete-without-list",
        "candidacy-complete-flag-but-items-missing",
        "consent-missing",
        "consent-expired",
        "consent-withdrawn",
        "consent-template-major-version-changed",
        "consent-valid-but-expired-before-the-day",
        "food-3h59m",
        "food-unknown",
        "clear-fluids-15m",
        "fluid-clearness-unknown",
        "clothing-not-checked",
        "clothing-without-arm-access",
        "transport-not-recorded",
        "transport-not-phoned",
        "transport-drives-self",
        "vitals-not-taken",
        "vitals-bp-hold",
        "vitals-spo2-hold",
    ],
)  # fmt: skip
def test_any_blocking_item_makes_the_patient_not_ready(
    change: dict[str, Any], item: PrepItem, status: PrepStatus, reason_part: str
) -> None:
    report = _assess(replace(READY_INPUTS, **change))
    assert report.verdict is Readiness.NOT_READY
    assert _status(report, item) is status
    assert len(report.reasons) == 1
    assert reason_part in report.reasons[0]


@pytest.mark.parametrize(
    ("change", "item"),
    [
        ({"intake": replace(READY_INPUTS.intake, last_fluid_at=START - timedelta(minutes=60))},
         PrepItem.FLUIDS),
        ({"vitals": replace(VITALS, systolic=141, diastolic=90)}, PrepItem.VITALS),
        ({"vitals": replace(VITALS, systolic=160, diastolic=100)}, PrepItem.VITALS),
        ({"vitals": replace(VITALS, heart_rate=49)}, PrepItem.VITALS),
        ({"vitals": replace(VITALS, heart_rate=111)}, PrepItem.VITALS),
    ],
    ids=["clear-fluids-1h00m", "bp-141/90", "bp-160/100", "hr-49", "hr-111"],
)  # fmt: skip
def test_caution_items_make_the_patient_ready_with_review(
    change: dict[str, Any], item: PrepItem
) -> None:
    report = _assess(replace(READY_INPUTS, **change))
    assert report.verdict is Readiness.READY_WITH_REVIEW
    assert _status(report, item) is PrepStatus.CAUTION
    assert len(report.reasons) == 1


def test_a_caution_and_a_blocking_item_together_are_not_ready_with_both_reasons() -> None:
    inputs = replace(
        READY_INPUTS, clothing_ok=False, vitals=replace(VITALS, systolic=141, diastolic=90)
    )
    report = _assess(inputs)
    assert report.verdict is Readiness.NOT_READY
    assert len(report.reasons) == 2


def test_vitals_140_over_90_stay_ready() -> None:
    report = _assess(replace(READY_INPUTS, vitals=replace(VITALS, systolic=140, diastolic=90)))
    assert report.verdict is Readiness.READY


def test_consent_expiring_on_the_day_of_the_infusion_is_still_valid() -> None:
    consent = ConsentStatus(ConsentState.VALID, valid_until=START.date())
    assert _assess(replace(READY_INPUTS, consent=consent)).verdict is Readiness.READY


def test_the_report_carries_the_fasting_ready_time() -> None:
    ate = START - timedelta(hours=3, minutes=20)
    report = _assess(replace(READY_INPUTS, intake=replace(READY_INPUTS.intake, last_food_at=ate)))
    assert report.ready_at == START + timedelta(minutes=40)


def test_a_phone_confirmation_after_a_slipped_start_still_counts_before_the_infusion() -> None:
    now = START + timedelta(minutes=30)
    late_call = replace(TRANSPORT, confirmation=PhoneConfirmation("nurse.kim", now))
    report = _assess(replace(READY_INPUTS, transport=late_call), now=now)
    assert _status(report, PrepItem.TRANSPORT) is PrepStatus.OK


def test_implausible_stored_input_is_refused_not_judged() -> None:
    with pytest.raises(ValidationError):
        _assess(replace(READY_INPUTS, vitals=replace(VITALS, spo2=12)))


def test_candidacy_check_from_a_candidate_status_is_complete() -> None:
    check = CandidacyCheck.from_status(CandidacyStatus(CandidacyState.CANDIDATE))
    assert check == CandidacyCheck(complete=True)


def test_candidacy_check_lists_missing_steps_and_flags_in_words() -> None:
    status = CandidacyStatus(
        CandidacyState.FLAGGED,
        missing=(MissingItem.CONSULTATION_DATE,),
        contraindications=(Contraindication.PSYCHOSIS_OR_MANIA,),
    )
    check = CandidacyCheck.from_status(status)
    assert not check.complete
    assert check.missing[0] == "consultation date"
    assert check.missing[1].startswith("flag: ")
    report = _assess(replace(READY_INPUTS, candidacy=check))
    assert report.verdict is Readiness.NOT_READY
