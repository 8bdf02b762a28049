"""Whether a patient is ready for the infusion: every prep check combined, with reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from desk.domain.candidacy import CandidacyStatus
from desk.domain.consent import ConsentState, ConsentStatus
from desk.domain.fasting import IntakeTimes, PrepStatus, check_fasting, worst_status
from desk.domain.policy import ClinicPolicy
from desk.domain.transport import TransportPlan, TransportStatus, check_transport
from desk.domain.vitals import Vitals, VitalsVerdict, classify_vitals


@dataclass(frozen=True)
class CandidacyCheck:
    """Candidacy for readiness; ``missing`` lists what is still open, in words for the nurse."""

    complete: bool
    missing: tuple[str, ...] = ()

    @classmethod
    def from_status(cls, status: CandidacyStatus) -> CandidacyCheck:
        """From ``desk.domain.candidacy.assess``: missing steps and unresolved flags.

        A clinician's override of a flag is the service's to apply: it then passes
        ``CandidacyCheck(complete=True)``.
        """
        open_items = tuple(m.label for m in status.missing)
        open_items += tuple(f"flag: {label}" for label in status.flag_labels)
        return cls(status.is_candidate, open_items)


class PrepItem(StrEnum):
    """The lines of the prep checklist, in the order the nurse sees them."""

    CANDIDACY = "candidacy"
    CONSENT = "consent"
    FOOD = "food"
    FLUIDS = "fluids"
    CLOTHING = "clothing"
    TRANSPORT = "transport"
    VITALS = "vitals"

    @property
    def label(self) -> str:
        return _ITEM_LABELS[self]


_ITEM_LABELS = {
    PrepItem.CANDIDACY: "Candidacy",
    PrepItem.CONSENT: "Consent",
    PrepItem.FOOD: "Food",
    PrepItem.FLUIDS: "Fluids",
    PrepItem.CLOTHING: "Clothing / arm access",
    PrepItem.TRANSPORT: "Transport home",
    PrepItem.VITALS: "Pre-infusion vitals",
}


@dataclass(frozen=True)
class PrepInputs:
    """Everything the readiness check needs, built by a service from the visit's rows.

    ``consent`` comes from ``desk.domain.consent.consent_status`` for this treatment;
    ``clothing_ok`` (clothing gives arm access for the IV) is None until the nurse has
    looked; ``vitals`` is the latest pre-infusion reading (None if none yet).
    """

    candidacy: CandidacyCheck
    consent: ConsentStatus
    intake: IntakeTimes = field(default_factory=IntakeTimes)
    clothing_ok: bool | None = None
    transport: TransportPlan | None = None
    vitals: Vitals | None = None


class Readiness(StrEnum):
    READY = "ready"
    READY_WITH_REVIEW = "ready_with_review"
    NOT_READY = "not_ready"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class ItemResult:
    item: PrepItem
    status: PrepStatus
    reason: str


@dataclass(frozen=True)
class ReadinessReport:
    """The combined verdict, every checklist line, and when fasting allows the start.

    Caution items (fluids 1–2 h, vitals needing clinician review) make the verdict
    READY_WITH_REVIEW: each needs a clinician's name and note before clearing.
    """

    verdict: Readiness
    items: tuple[ItemResult, ...]
    ready_at: datetime | None = None

    @property
    def reasons(self) -> tuple[str, ...]:
        """The sentences for every line that is not OK, in checklist order."""
        return tuple(i.reason for i in self.items if i.status is not PrepStatus.OK)


def assess_readiness(
    inputs: PrepInputs, *, planned_start: datetime, now: datetime, policy: ClinicPolicy
) -> ReadinessReport:
    """Combine every prep check into READY / READY_WITH_REVIEW / NOT_READY.

    Raises ValidationError if the intake times or vitals are not plausible (they should
    have been refused when entered).
    """
    fasting = check_fasting(inputs.intake, planned_start=planned_start, now=now, policy=policy)
    # The infusion cannot begin before now, so a late start still counts a fresh confirmation.
    starts_at = max(planned_start, now)
    items = (
        _candidacy_item(inputs.candidacy),
        _consent_item(inputs.consent, planned_start.date(), policy),
        ItemResult(PrepItem.FOOD, fasting.food.status, fasting.food.reason),
        ItemResult(PrepItem.FLUIDS, fasting.fluids.status, fasting.fluids.reason),
        _clothing_item(inputs.clothing_ok),
        _transport_item(inputs.transport, starts_at, policy),
        _vitals_item(inputs.vitals, policy),
    )
    return ReadinessReport(_verdict(items), items, fasting.ready_at)


def _verdict(items: tuple[ItemResult, ...]) -> Readiness:
    worst = worst_status(i.status for i in items)
    if worst.blocks:
        return Readiness.NOT_READY
    return Readiness.READY_WITH_REVIEW if worst is PrepStatus.CAUTION else Readiness.READY


def _candidacy_item(candidacy: CandidacyCheck) -> ItemResult:
    # A "complete" flag with items still listed is inconsistent: trust the list.
    if candidacy.complete and not candidacy.missing:
        return ItemResult(PrepItem.CANDIDACY, PrepStatus.OK, "Candidacy complete.")
    missing = ", ".join(candidacy.missing) if candidacy.missing else "not yet reviewed"
    return ItemResult(PrepItem.CANDIDACY, PrepStatus.NOT_READY, f"Candidacy incomplete: {missing}.")


def _consent_item(consent: ConsentStatus, infusion_day: date, policy: ClinicPolicy) -> ItemResult:
    # The status may have been worked out on an earlier day than the infusion's.
    if (
        consent.state is ConsentState.VALID
        and consent.valid_until is not None
        and consent.valid_until < infusion_day
    ):
        consent = ConsentStatus(ConsentState.EXPIRED, consent.valid_until)
    status = PrepStatus.OK if consent.allows_infusion else PrepStatus.NOT_READY
    return ItemResult(PrepItem.CONSENT, status, consent.describe(policy.date_format))


def _clothing_item(clothing_ok: bool | None) -> ItemResult:
    if clothing_ok is None:
        return ItemResult(
            PrepItem.CLOTHING, PrepStatus.NOT_CONFIRMED, "Arm access for the IV not checked."
        )
    if clothing_ok:
        return ItemResult(PrepItem.CLOTHING, PrepStatus.OK, "Clothing gives access to the arms.")
    return ItemResult(
        PrepItem.CLOTHING,
        PrepStatus.NOT_READY,
        "Clothing does not give access to the arms; offer a gown or a change.",
    )


_TRANSPORT_STATUS = {
    TransportStatus.CONFIRMED: PrepStatus.OK,
    TransportStatus.NOT_CONFIRMED: PrepStatus.NOT_CONFIRMED,
    TransportStatus.NOT_RECORDED: PrepStatus.NOT_CONFIRMED,
    TransportStatus.NOT_ACCEPTABLE: PrepStatus.NOT_READY,
}


def _transport_item(
    plan: TransportPlan | None, starts_at: datetime, policy: ClinicPolicy
) -> ItemResult:
    check = check_transport(plan, starts_at=starts_at, policy=policy)
    return ItemResult(PrepItem.TRANSPORT, _TRANSPORT_STATUS[check.status], check.reason)


_VITALS_STATUS = {
    VitalsVerdict.OK: PrepStatus.OK,
    VitalsVerdict.REVIEW: PrepStatus.CAUTION,
    VitalsVerdict.HOLD: PrepStatus.NOT_READY,
}


def _vitals_item(vitals: Vitals | None, policy: ClinicPolicy) -> ItemResult:
    if vitals is None:
        return ItemResult(
            PrepItem.VITALS, PrepStatus.NOT_CONFIRMED, "Pre-infusion vitals not taken."
        )
    assessment = classify_vitals(vitals, policy)
    reason = " ".join(assessment.reasons) or "Vitals within limits."
    return ItemResult(PrepItem.VITALS, _VITALS_STATUS[assessment.verdict], reason)
