"""Transport: acceptable plans, phone confirmation before the start, the driver at discharge."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from desk.domain.errors import ValidationError
from desk.domain.names import MAX_NAME_LENGTH
from desk.domain.policy import ClinicPolicy
from desk.domain.transport import (
    PhoneConfirmation,
    PickupOutcome,
    PickupPlan,
    ResponsibleAdult,
    TransportPlan,
    TransportStatus,
    check_pickup,
    check_transport,
    plan_acceptability,
    same_person,
)

POLICY = ClinicPolicy()
RIDESHARE_OK = ClinicPolicy(rideshare_alone_accepted=True)
CLINIC = timezone(timedelta(hours=-5))
START = datetime(2025, 3, 10, 10, 0, tzinfo=CLINIC)
ADULT = ResponsibleAdult(name="José Núñez", phone="+1 (555) 010-2030", relationship="Husband")
CONFIRMED = PhoneConfirmation(confirmed_by="nurse.kim", confirmed_at=START - timedelta(hours=2))


def _plan(
    pickup: PickupPlan = PickupPlan.FAMILY_DRIVES,
    confirmation: PhoneConfirmation | None = CONFIRMED,
) -> TransportPlan:
    return TransportPlan(pickup=pickup, adult=ADULT, confirmation=confirmation)


# --- which plans are acceptable ---------------------------------------------------------


@pytest.mark.parametrize(
    ("pickup", "policy", "acceptable"),
    [
        (PickupPlan.FAMILY_DRIVES, POLICY, True),
        (PickupPlan.FRIEND_DRIVES, POLICY, True),
        (PickupPlan.TAXI_WITH_ESCORT, POLICY, True),
        (PickupPlan.ESCORTED_WALK_OR_TRANSIT, POLICY, True),
        (PickupPlan.RIDESHARE_ALONE, POLICY, False),
        (PickupPlan.RIDESHARE_ALONE, RIDESHARE_OK, True),
        (PickupPlan.DRIVES_SELF, POLICY, False),
        (PickupPlan.DRIVES_SELF, RIDESHARE_OK, False),
    ],
    ids=[
        "family",
        "friend",
        "taxi-escorted",
        "walk-escorted",
        "rideshare-alone-default",
        "rideshare-alone-when-clinic-accepts",
        "drives-self",
        "drives-self-even-when-rideshare-accepted",
    ],
)
def test_plan_acceptability(pickup: PickupPlan, policy: ClinicPolicy, acceptable: bool) -> None:
    verdict = plan_acceptability(pickup, policy)
    assert verdict.acceptable is acceptable
    assert verdict.reason


def test_driving_self_is_refused_with_a_reason_a_patient_understands() -> None:
    reason = plan_acceptability(PickupPlan.DRIVES_SELF, RIDESHARE_OK).reason
    assert reason == "The patient may not drive on the day of the infusion."


def test_every_pickup_plan_has_a_label() -> None:
    assert all(plan.label for plan in PickupPlan)


# --- recording the adult and the phone call ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "phone", "relationship", "field"),
    [
        ("  ", "555 0100", "Sister", "adult_name"),
        ("Ann\nLee", "555 0100", "Sister", "adult_name"),
        ("A" * (MAX_NAME_LENGTH + 1), "555 0100", "Sister", "adult_name"),
        ("Ann Lee", "", "Sister", "adult_phone"),
        ("Ann Lee", "call her", "Sister", "adult_phone"),
        ("Ann Lee", "+-()", "Sister", "adult_phone"),
        ("Ann Lee", "555 0100", "", "relationship"),
    ],
)
def test_incomplete_responsible_adult_is_refused_naming_the_field(
    name: str, phone: str, relationship: str, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        ResponsibleAdult(name=name, phone=phone, relationship=relationship)
    assert caught.value.field == field


def test_phone_confirmation_needs_who_confirmed() -> None:
    with pytest.raises(ValidationError) as caught:
        PhoneConfirmation(confirmed_by=" ", confirmed_at=START)
    assert caught.value.field == "confirmed_by"


def test_phone_confirmation_time_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        PhoneConfirmation(confirmed_by="nurse.kim", confirmed_at=datetime(2025, 3, 10, 8, 0))


# --- confirmed before the start ---------------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (None, TransportStatus.NOT_RECORDED),
        (TransportPlan(PickupPlan.FAMILY_DRIVES), TransportStatus.NOT_RECORDED),
        (_plan(PickupPlan.DRIVES_SELF), TransportStatus.NOT_ACCEPTABLE),
        (_plan(PickupPlan.RIDESHARE_ALONE), TransportStatus.NOT_ACCEPTABLE),
        (_plan(confirmation=None), TransportStatus.NOT_CONFIRMED),
        (
            _plan(confirmation=PhoneConfirmation("nurse.kim", START + timedelta(minutes=1))),
            TransportStatus.NOT_CONFIRMED,
        ),
        (_plan(confirmation=PhoneConfirmation("nurse.kim", START)), TransportStatus.CONFIRMED),
        (_plan(), TransportStatus.CONFIRMED),
    ],
    ids=[
        "nothing-recorded",
        "no-adult",
        "drives-self",
        "rideshare-alone",
        "not-phoned",
        "phoned-after-the-start",
        "phoned-exactly-at-the-start",
        "phoned-before",
    ],
)
def test_transport_must_be_acceptable_and_confirmed_before_the_start(
    plan: TransportPlan | None, expected: TransportStatus
) -> None:
    check = check_transport(plan, starts_at=START, policy=POLICY)
    assert check.status is expected
    assert check.ok is (expected is TransportStatus.CONFIRMED)


def test_rideshare_alone_is_confirmed_when_the_clinic_accepts_it() -> None:
    check = check_transport(_plan(PickupPlan.RIDESHARE_ALONE), starts_at=START, policy=RIDESHARE_OK)
    assert check.ok


# --- the driver at discharge ------------------------------------------------------------


@pytest.mark.parametrize(
    ("recorded", "given", "same"),
    [
        ("José Núñez", "jose nunez", True),
        ("José Núñez", "JOSÉ  NÚÑEZ ", True),
        ("Mary Jane Watson", "maryjane watson", True),
        ("Siobhán O'Brien", "Siobhan O’Brien", True),
        ("Straße", "STRASSE", True),
        ("Søren Łukasz", "soren lukasz", True),
        ("Йосип", "Иосип", False),
        ("Ann Lee", "Anne Lee", False),
        ("José Núñez", "Josefa Núñez", False),
        ("", "", False),
        ("...", "--", False),
    ],
)
def test_names_compare_without_accents_case_spaces_or_punctuation(
    recorded: str, given: str, same: bool
) -> None:
    assert same_person(recorded, given) is same


def test_the_recorded_adult_collecting_matches() -> None:
    check = check_pickup(_plan(), "jose nunez", policy=POLICY)
    assert check.outcome is PickupOutcome.MATCHES
    assert check.allowed


@pytest.mark.parametrize("collected_by", ["Maria Lopez", None, "   "])
def test_someone_else_or_nobody_collecting_needs_an_override(collected_by: str | None) -> None:
    check = check_pickup(_plan(), collected_by, policy=POLICY)
    assert check.outcome is PickupOutcome.NEEDS_OVERRIDE
    assert not check.allowed
    assert "override" in check.reason


def test_a_different_driver_with_an_override_reason_is_allowed_and_keeps_the_reason() -> None:
    check = check_pickup(
        _plan(), "Maria Lopez", policy=POLICY, override_reason="  Husband's sister, ID seen  "
    )
    assert check.outcome is PickupOutcome.OVERRIDDEN
    assert check.allowed
    assert check.reason == "Husband's sister, ID seen"


def test_a_blank_override_reason_is_no_override() -> None:
    check = check_pickup(_plan(), "Maria Lopez", policy=POLICY, override_reason=" \n ")
    assert check.outcome is PickupOutcome.NEEDS_OVERRIDE


def test_leaving_alone_by_rideshare_is_allowed_only_when_the_clinic_accepts_it() -> None:
    plan = _plan(PickupPlan.RIDESHARE_ALONE)
    accepted = check_pickup(plan, None, policy=RIDESHARE_OK)
    refused = check_pickup(plan, None, policy=POLICY)
    assert accepted.outcome is PickupOutcome.LEAVES_ALONE_ACCEPTED
    assert refused.outcome is PickupOutcome.NEEDS_OVERRIDE


def test_no_recorded_plan_needs_an_override_even_if_someone_comes() -> None:
    assert check_pickup(None, "Maria Lopez", policy=POLICY).outcome is PickupOutcome.NEEDS_OVERRIDE
