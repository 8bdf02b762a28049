"""The way home: responsible adult, pickup plan, phone confirmation and driver check."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from desk.domain.errors import ValidationError
from desk.domain.names import name_tokens, validate_name
from desk.domain.policy import ClinicPolicy


class PickupPlan(StrEnum):
    """How the patient gets home after the infusion."""

    FAMILY_DRIVES = "family_drives"
    FRIEND_DRIVES = "friend_drives"
    TAXI_WITH_ESCORT = "taxi_with_escort"
    ESCORTED_WALK_OR_TRANSIT = "escorted_walk_or_transit"
    RIDESHARE_ALONE = "rideshare_alone"
    DRIVES_SELF = "drives_self"

    @property
    def label(self) -> str:
        return _PLAN_LABELS[self]

    @property
    def adult_collects(self) -> bool:
        """Whether the responsible adult is expected at the door at discharge."""
        return self not in (PickupPlan.RIDESHARE_ALONE, PickupPlan.DRIVES_SELF)


_PLAN_LABELS = {
    PickupPlan.FAMILY_DRIVES: "A family member drives",
    PickupPlan.FRIEND_DRIVES: "A friend drives",
    PickupPlan.TAXI_WITH_ESCORT: "Taxi or rideshare with the responsible adult",
    PickupPlan.ESCORTED_WALK_OR_TRANSIT: "Walk or public transport with the responsible adult",
    PickupPlan.RIDESHARE_ALONE: "Taxi or rideshare alone",
    PickupPlan.DRIVES_SELF: "Drives themselves",
}

_PHONE_CHARACTERS = re.compile(r"[0-9+\-(). ]+")
MAX_RELATIONSHIP_LENGTH = 80  # the width of the transport.relationship column


@dataclass(frozen=True)
class ResponsibleAdult:
    """The adult who takes the patient home; errors name the ``transport`` columns.

    Only a basic phone check happens here; the service normalises the number for the
    clinic's region with ``desk.domain.phones.normalise_phone`` before storing it.
    """

    name: str
    phone: str
    relationship: str

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValidationError("Enter the responsible adult's name.", "adult_name")
        validate_name(self.name, "adult_name")  # length and control characters
        phone = self.phone.strip()
        if not _PHONE_CHARACTERS.fullmatch(phone) or not any(c.isdigit() for c in phone):
            raise ValidationError("Enter the responsible adult's phone number.", "adult_phone")
        if not self.relationship.strip():
            raise ValidationError(
                "Enter how the responsible adult is related to the patient.", "relationship"
            )
        if len(self.relationship.strip()) > MAX_RELATIONSHIP_LENGTH:
            raise ValidationError(
                f"Relationship is too long (at most {MAX_RELATIONSHIP_LENGTH} characters).",
                "relationship",
            )
        validate_name(self.relationship, "relationship")  # control characters, line breaks


@dataclass(frozen=True)
class PhoneConfirmation:
    """Who rang the responsible adult and confirmed the plan, and when (aware datetime)."""

    confirmed_by: str
    confirmed_at: datetime

    def __post_init__(self) -> None:
        if not self.confirmed_by.strip():
            raise ValidationError("Record who confirmed the plan by phone.", "confirmed_by")
        if self.confirmed_at.tzinfo is None or self.confirmed_at.utcoffset() is None:
            raise ValueError("confirmed_at must be a timezone-aware datetime")


@dataclass(frozen=True)
class TransportPlan:
    """A visit's way home as recorded by the desk."""

    pickup: PickupPlan
    adult: ResponsibleAdult | None = None
    confirmation: PhoneConfirmation | None = None


@dataclass(frozen=True)
class Acceptability:
    acceptable: bool
    reason: str


def plan_acceptability(pickup: PickupPlan, policy: ClinicPolicy) -> Acceptability:
    """Whether the clinic accepts this way home, with the sentence to show either way."""
    if pickup is PickupPlan.DRIVES_SELF:
        return Acceptability(False, "The patient may not drive on the day of the infusion.")
    if pickup is PickupPlan.RIDESHARE_ALONE and not policy.rideshare_alone_accepted:
        return Acceptability(
            False, "A taxi or rideshare alone is not accepted; the patient needs an escort."
        )
    return Acceptability(True, f"{pickup.label}: accepted.")


class TransportStatus(StrEnum):
    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"
    NOT_ACCEPTABLE = "not_acceptable"
    NOT_RECORDED = "not_recorded"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class TransportCheck:
    status: TransportStatus
    reason: str

    @property
    def ok(self) -> bool:
        return self.status is TransportStatus.CONFIRMED


def check_transport(
    plan: TransportPlan | None, *, starts_at: datetime, policy: ClinicPolicy
) -> TransportCheck:
    """Whether the way home is recorded, acceptable and phone-confirmed by ``starts_at``.

    Call it with the actual start when the infusion begins: a confirmation recorded after
    that moment does not count.
    """
    if plan is None or plan.adult is None:
        return TransportCheck(TransportStatus.NOT_RECORDED, "No responsible adult is recorded.")
    verdict = plan_acceptability(plan.pickup, policy)
    if not verdict.acceptable:
        return TransportCheck(TransportStatus.NOT_ACCEPTABLE, verdict.reason)
    if plan.confirmation is None:
        return TransportCheck(
            TransportStatus.NOT_CONFIRMED, "The responsible adult has not been confirmed by phone."
        )
    if plan.confirmation.confirmed_at > starts_at:
        return TransportCheck(
            TransportStatus.NOT_CONFIRMED,
            "The phone confirmation was recorded after the infusion start.",
        )
    return TransportCheck(TransportStatus.CONFIRMED, "Way home confirmed by phone.")


class PickupOutcome(StrEnum):
    """Result of the driver check at discharge."""

    MATCHES = "matches"
    LEAVES_ALONE_ACCEPTED = "leaves_alone_accepted"
    OVERRIDDEN = "overridden"
    NEEDS_OVERRIDE = "needs_override"


@dataclass(frozen=True)
class PickupCheck:
    outcome: PickupOutcome
    reason: str

    @property
    def allowed(self) -> bool:
        return self.outcome is not PickupOutcome.NEEDS_OVERRIDE


def check_pickup(
    plan: TransportPlan | None,
    collected_by: str | None,
    *,
    policy: ClinicPolicy,
    override_reason: str | None = None,
) -> PickupCheck:
    """Discharge only to the recorded adult, unless a nurse gives an override reason.

    ``collected_by`` is the name the nurse enters for the person at the door (None if
    nobody came). A blank override reason is no override. The service audits overrides.
    """
    adult = plan.adult if plan is not None else None
    if adult is not None and collected_by is not None and same_person(adult.name, collected_by):
        return PickupCheck(PickupOutcome.MATCHES, "Collected by the recorded responsible adult.")
    if plan is not None and collected_by is None and _leaving_alone_accepted(plan, policy):
        return PickupCheck(
            PickupOutcome.LEAVES_ALONE_ACCEPTED, "Leaving alone by taxi or rideshare, as accepted."
        )
    if override_reason is not None and override_reason.strip():
        return PickupCheck(PickupOutcome.OVERRIDDEN, override_reason.strip())
    if collected_by is None or not collected_by.strip():
        problem = "Nobody is collecting the patient"
    else:
        problem = "The person collecting is not the recorded responsible adult"
    return PickupCheck(
        PickupOutcome.NEEDS_OVERRIDE, f"{problem}; a nurse override with a reason is needed."
    )


def _leaving_alone_accepted(plan: TransportPlan, policy: ClinicPolicy) -> bool:
    return plan.pickup is PickupPlan.RIDESHARE_ALONE and policy.rideshare_alone_accepted


def same_person(recorded: str, given: str) -> bool:
    """Whether two typed names name the same person.

    Compared without accents, case, spaces or punctuation, using the app-wide name folding
    (``desk.domain.names``): "José Núñez" = "jose nunez", "O'Brien" = "O’Brien" = "OBrien",
    "Mary Jane" = "MaryJane". Names with no letters never match.
    """
    key = "".join(name_tokens(recorded))
    return bool(key) and key == "".join(name_tokens(given))
