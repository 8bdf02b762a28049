"""The infusion and recovery: start, side effects, end, and discharge to the verified driver.

Only nurses act here. The start re-checks the way home at the actual start time; the
discharge checks the minimum observation time and the person collecting, and any
override is recorded with its reason and audited (one audit entry per action).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.db.models import PrepCheck, SideEffect, Transport, Visit, VitalsReading
from desk.domain.errors import NotFound, PrepNotReady, ValidationError
from desk.domain.names import require_name, validate_name
from desk.domain.phones import normalise_phone
from desk.domain.policy import ClinicPolicy
from desk.domain.readiness import PrepItem
from desk.domain.roles import Role
from desk.domain.stops import Stop
from desk.domain.transport import PickupOutcome, check_pickup, check_transport
from desk.domain.visit_states import VisitState, transition
from desk.domain.vitals import (
    Checkpoint,
    CheckpointStatus,
    VitalsVerdict,
    checkpoint_for,
    classify_vitals,
    ready_to_leave_at,
    vitals_checkpoints,
)
from desk.services.board import board_name, local_day_bounds
from desk.services.context import Desk, UnitOfWork
from desk.services.cosign import Cosignature, cosign_stops
from desk.services.orders import require_order, require_vial_when_stock_is_kept
from desk.services.prep import (
    MAX_TEXT,
    VitalsView,
    change_visit_state,
    reading_view,
    staff_names,
    vitals_of,
)
from desk.services.settings import load_policy
from desk.services.transport import TransportView, plan_from_row, view_from_row


class SideEffectKind(StrEnum):
    """The pick list of side effects a nurse records during and after the infusion."""

    NAUSEA = "nausea"
    DIZZINESS = "dizziness"
    BLURRED_VISION = "blurred_vision"
    FATIGUE = "fatigue"
    DISSOCIATION = "dissociation"
    RAISED_BP_HR = "raised_bp_hr"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _EFFECT_LABELS[self]


_EFFECT_LABELS = {
    SideEffectKind.NAUSEA: "Nausea",
    SideEffectKind.DIZZINESS: "Dizziness",
    SideEffectKind.BLURRED_VISION: "Blurred vision",
    SideEffectKind.FATIGUE: "Fatigue",
    SideEffectKind.DISSOCIATION: "Dissociation",
    SideEffectKind.RAISED_BP_HR: "Raised blood pressure / heart rate",
    SideEffectKind.OTHER: "Other",
}


SEVERITIES = ("", "mild", "moderate", "severe")


@dataclass(frozen=True)
class Intervention:
    """What was done for a side effect; a drug given is named with its dose."""

    what: str = ""
    drug: str = ""
    dose: str = ""

    def checked(self) -> Intervention:
        what, drug, dose = self.what.strip(), self.drug.strip(), self.dose.strip()
        if len(what) > MAX_TEXT or len(drug) > 80 or len(dose) > 40:
            raise ValidationError("The intervention is too long.", "intervention")
        if bool(drug) != bool(dose):
            raise ValidationError(
                "A drug given for a side effect needs both its name and dose.", "intervention"
            )
        return Intervention(what, drug, dose)

    def text(self) -> str:
        given = f"{self.drug} {self.dose}".strip()
        return "; ".join(part for part in (self.what, given) if part)


@dataclass(frozen=True)
class SideEffectView:
    id: int
    effect: str
    label: str
    note: str
    recorded_at: datetime  # local time zone
    recorded_by: str
    severity: str = ""
    intervention: str = ""


@dataclass(frozen=True)
class InfusionView:
    """What the infusion and discharge dialogs show for one visit."""

    visit_id: int
    patient_name: str
    mrn: str
    chair: str
    status: VisitState
    version: int
    infusion_start: datetime | None  # local time zone
    infusion_end: datetime | None
    ready_to_leave_at: datetime | None
    checkpoints: tuple[CheckpointStatus, ...]
    readings: tuple[VitalsView, ...]
    end_reading: VitalsView | None  # the latest reading that counts as the end check
    side_effects: tuple[SideEffectView, ...]
    transport: TransportView
    discharged: str  # "Discharged by … at …" or ""
    collected: str  # "Collected by … (…), phone …, ID seen" or ""
    overrides: tuple[str, ...]  # each hard or soft stop passed at discharge, with both names
    stopped_for: str  # the side effect a short infusion was stopped for, or ""
    booked_minutes: int  # the visit's booked length


def infusion_view(desk: Desk, visit_id: int) -> InfusionView:
    """Any signed-in staff: the infusion, recovery and discharge state of a visit."""
    desk.require()
    with desk.read() as session:
        visit = session.get(Visit, visit_id)
        if visit is None:
            raise NotFound("That visit no longer exists.")
        return _view(session, visit, desk.now())


def _view(session: Session, visit: Visit, now: datetime) -> InfusionView:
    policy = load_policy(session)
    names = staff_names(session)
    readings = _readings(session, visit.id)
    views = tuple(reading_view(r, names, policy, visit) for r in readings)
    ends = [v for r, v in zip(readings, views, strict=True) if _is_end(r, visit, policy)]
    effects = session.scalars(
        select(SideEffect).where(SideEffect.visit_id == visit.id).order_by(SideEffect.id)
    )
    patient = visit.patient
    return InfusionView(
        visit_id=visit.id,
        patient_name=board_name(
            patient.preferred_name, patient.legal_first_name, patient.legal_last_name
        ),
        mrn=patient.mrn,
        chair=visit.chair or "",
        status=VisitState(visit.status),
        version=visit.version,
        infusion_start=_local(visit.infusion_start),
        infusion_end=_local(visit.infusion_end),
        ready_to_leave_at=_local(ready_to_leave_at(visit.infusion_end, policy))
        if visit.infusion_end
        else None,
        checkpoints=vitals_checkpoints(
            [r.taken_at for r in readings],
            infusion_start=visit.infusion_start,
            infusion_end=visit.infusion_end,
            now=now,
            policy=policy,
        ),
        readings=views,
        end_reading=ends[-1] if ends else None,
        side_effects=tuple(_effect_view(e, names) for e in effects),
        transport=view_from_row(visit.id, session.get(Transport, visit.id), policy, now, names),
        discharged=_discharged_text(visit, names, policy),
        collected=collected_text(visit),
        overrides=discharge_overrides(visit, names),
        stopped_for=effect_label(visit.infusion_stopped_for) if visit.infusion_stopped_for else "",
        booked_minutes=int((visit.scheduled_end - visit.scheduled_start).total_seconds() // 60),
    )


def _readings(session: Session, visit_id: int) -> list[VitalsReading]:
    return list(
        session.scalars(
            select(VitalsReading)
            .where(VitalsReading.visit_id == visit_id)
            .order_by(VitalsReading.taken_at, VitalsReading.id)
        )
    )


def _is_end(row: VitalsReading, visit: Visit, policy: ClinicPolicy) -> bool:
    # Recomputed from the times: a reading taken just before the end was stored untagged.
    # A recovery reading is later than the end check, and shows the patient as they leave.
    point = checkpoint_for(
        row.taken_at,
        infusion_start=visit.infusion_start,
        infusion_end=visit.infusion_end,
        policy=policy,
    )
    return visit.infusion_end is not None and point in (Checkpoint.END, Checkpoint.RECOVERY)


def effect_label(code: str) -> str:
    try:
        return SideEffectKind(code).label
    except ValueError:
        return code.replace("_", " ").capitalize()


def _effect_view(row: SideEffect, names: dict[str, str]) -> SideEffectView:
    return SideEffectView(
        row.id,
        row.effect,
        effect_label(row.effect),
        row.note,
        row.recorded_at.astimezone(),
        names.get(row.recorded_by, row.recorded_by),
        row.severity,
        Intervention(row.intervention, row.intervention_drug, row.intervention_dose).text(),
    )


def _discharged_text(visit: Visit, names: dict[str, str], policy: ClinicPolicy) -> str:
    if visit.discharged_at is None:
        return ""
    by = names.get(visit.discharged_by or "", visit.discharged_by or "someone")
    return f"Discharged by {by} at {visit.discharged_at.astimezone():{policy.time_format}}"


def collected_text(visit: Visit) -> str:
    """Who took the patient home, as recorded at discharge."""
    if visit.discharged_at is None:
        return ""
    if not visit.collected_by_name:
        return "Nobody collected the patient"
    details = [visit.collector_relationship, visit.collector_phone]
    if visit.collector_id_seen:
        details.append("ID seen")
    extra = ", ".join(d for d in details if d)
    return f"Collected by {visit.collected_by_name}" + (f" ({extra})" if extra else "")


def discharge_overrides(visit: Visit, names: Mapping[str, str]) -> tuple[str, ...]:
    """The stops passed at discharge, each with its reason and both names."""
    if visit.discharged_at is None:
        return ()
    nurse = names.get(visit.discharged_by or "", visit.discharged_by or "")
    second = visit.discharge_cosigned_by
    signed = f"{nurse}, co-signed by {names.get(second, second)}" if second else nurse
    lines = []
    if visit.early_discharge_reason:
        lines.append(f"{Stop.EARLY_DISCHARGE.label}: {visit.early_discharge_reason} ({signed})")
    if visit.driver_override_reason:
        stop = Stop.DRIVER_NOT_RECORDED if visit.collected_by_name else Stop.NOBODY_COLLECTING
        lines.append(f"{stop.label}: {visit.driver_override_reason} ({signed})")
    return tuple(lines)


def _local(moment: datetime | None) -> datetime | None:
    return moment.astimezone() if moment is not None else None


# --- actions ---------------------------------------------------------------------------


def start_infusion(desk: Desk, visit_id: int, expected_version: int | None = None) -> InfusionView:
    """Nurse: the infusion starts now; the way home must be confirmed by this moment."""
    desk.require(Role.NURSE)
    with desk.write() as uow:
        visit = uow.get(Visit, visit_id, "visit")
        uow.check_version(visit, expected_version, "visit", {"status": visit.status})
        require_vial_when_stock_is_kept(uow.session, require_order(uow.session, visit).drug)
        begin_infusion(uow, visit)
        uow.audit("visit.infusion_start", "visit", visit_id, {"status": "infusing"})
        uow.commit()
    return infusion_view(desk, visit_id)


def begin_infusion(uow: UnitOfWork, visit: Visit) -> None:
    """The start's checks and state change in the caller's transaction (which audits it).

    No order is a hard stop: nothing starts without a clinician's order.
    """
    now = uow.desk.now()
    transition(VisitState(visit.status), VisitState.INFUSING)
    require_order(uow.session, visit)
    policy = load_policy(uow.session)
    check = check_transport(
        plan_from_row(uow.session.get(Transport, visit.id)), starts_at=now, policy=policy
    )
    if not check.ok:
        raise PrepNotReady(f"The infusion cannot start: {check.reason}")
    _require_vitals_still_fine(uow.session, visit, policy)
    _require_free_chair(uow.session, visit, visit.chair, now)
    visit.infusion_start = now
    change_visit_state(uow, visit, VisitState.INFUSING)


def _require_vitals_still_fine(session: Session, visit: Visit, policy: ClinicPolicy) -> None:
    """A pre-infusion reading taken after clearance may not say "hold" unless overridden."""
    before = [r for r in _readings(session, visit.id) if r.checkpoint == Checkpoint.BEFORE.value]
    if not before:
        return
    assessment = classify_vitals(vitals_of(before[-1]), policy)
    prep = session.get(PrepCheck, visit.id)
    overridden = prep is not None and PrepItem.VITALS.value in json.loads(prep.overrides or "{}")
    if assessment.verdict is VitalsVerdict.HOLD and not overridden:
        raise PrepNotReady(
            "The latest pre-infusion vitals say hold: "
            + " ".join(assessment.reasons)
            + " Put the patient on hold."
        )


OCCUPYING = (VisitState.INFUSING.value, VisitState.RECOVERY.value)


def _require_free_chair(
    session: Session, visit: Visit, chair: str | None, now: datetime
) -> None:
    """A chair holds one patient: refuse naming who is in it (infusing or recovering).

    Only today's visits sit in a chair: an infusion from an earlier day left open is a
    record to correct, not a person in the way.
    """
    if not chair:
        return
    day_start, day_end = local_day_bounds(now.astimezone().date())
    other = session.scalars(
        select(Visit).where(
            Visit.chair == chair, Visit.status.in_(OCCUPYING), Visit.id != visit.id,
            Visit.scheduled_start >= day_start, Visit.scheduled_start < day_end,
        )
    ).first()
    if other is not None:
        p = other.patient
        who = board_name(p.preferred_name, p.legal_first_name, p.legal_last_name)
        state = VisitState(other.status).label.lower()
        raise PrepNotReady(
            f"{chair} is occupied: {who} is still there ({state}). "
            "Move this patient to a free chair first."
        )


def move_chair(
    desk: Desk, visit_id: int, chair: str, expected_version: int | None = None
) -> InfusionView:
    """Nurse: seat the patient in another chair (refused if that chair is occupied)."""
    desk.require(Role.NURSE)
    with desk.write() as uow:
        visit = uow.get(Visit, visit_id, "visit")
        uow.check_version(visit, expected_version, "visit", {"chair": visit.chair or ""})
        policy = load_policy(uow.session)
        if chair not in policy.chairs:
            raise ValidationError(f"There is no chair called '{chair[:80]}'.", "chair")
        if VisitState(visit.status) in (VisitState.DISCHARGED, VisitState.CANCELLED,
                                        VisitState.NO_SHOW):  # fmt: skip
            raise ValidationError("This visit is over; there is no one to move.", "chair")
        _require_free_chair(uow.session, visit, chair, desk.now())
        old = visit.chair or ""
        visit.chair = chair
        uow.touch(visit)
        uow.audit("visit.move_chair", "visit", visit_id, {"from": old, "chair": chair})
        uow.commit()
    return infusion_view(desk, visit_id)


def record_side_effect(
    desk: Desk,
    visit_id: int,
    effect: SideEffectKind,
    note: str = "",
    *,
    severity: str = "",
    intervention: Intervention | None = None,
) -> SideEffectView:
    """Nurse: note a side effect from the pick list; "other" needs a note saying what.

    Severity (mild, moderate, severe) and what was done; a drug given for it (e.g.
    ondansetron 4 mg IV) is its own medication record with name and dose.
    """
    actor = desk.require(Role.NURSE)
    text = note.strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Keep the note to {MAX_TEXT} characters.", "note")
    if effect is SideEffectKind.OTHER and not text:
        raise ValidationError("Describe the side effect in the note.", "note")
    if severity not in SEVERITIES:
        raise ValidationError("Choose the severity: mild, moderate or severe.", "severity")
    done = (intervention or Intervention()).checked()
    with desk.write() as uow:
        visit = uow.get(Visit, visit_id, "visit")
        if VisitState(visit.status) not in (VisitState.INFUSING, VisitState.RECOVERY):
            raise ValidationError(
                "Side effects are recorded during the infusion and recovery.", "visit"
            )
        row = SideEffect(
            visit_id=visit_id,
            effect=effect.value,
            note=text,
            recorded_at=desk.now(),
            recorded_by=actor.username,
            severity=severity,
            intervention=done.what,
            intervention_drug=done.drug,
            intervention_dose=done.dose,
        )
        uow.session.add(row)
        uow.session.flush()
        uow.audit(
            "side_effect.record",
            "visit",
            visit_id,
            {"effect": effect.value, "note": None, "severity": severity,
             "intervention_drug": done.drug, "intervention": None},
        )  # fmt: skip
        uow.commit()
        return _effect_view(row, {actor.username: actor.full_name})


def end_infusion(
    desk: Desk,
    visit_id: int,
    expected_version: int | None = None,
    *,
    stopped_for: SideEffectKind | None = None,
) -> InfusionView:
    """Nurse: the infusion ended now; recovery and the observation time begin.

    Shorter than the clinic's minimum only when stopped for a side effect already recorded
    on this visit (``stopped_for``): a mis-click must not end a treatment.
    """
    desk.require(Role.NURSE)
    with desk.write() as uow:
        visit = uow.get(Visit, visit_id, "visit")
        uow.check_version(visit, expected_version, "visit", {"status": visit.status})
        summary = finish_infusion(uow, visit, stopped_for)
        uow.audit("visit.infusion_end", "visit", visit_id, summary)
        uow.commit()
    return infusion_view(desk, visit_id)


def finish_infusion(
    uow: UnitOfWork, visit: Visit, stopped_for: SideEffectKind | None = None
) -> dict[str, object]:
    """The end's checks and state change in the caller's transaction; the audit summary.

    Shorter than the clinic's minimum only when stopped for a side effect already recorded
    on this visit (``stopped_for``): a mis-click must not end a treatment.
    """
    now = uow.desk.now()
    transition(VisitState(visit.status), VisitState.RECOVERY)
    policy = load_policy(uow.session)
    assert visit.infusion_start is not None  # infusing always has a start
    ran = int((now - visit.infusion_start).total_seconds() // 60)
    short = ran < policy.min_infusion_minutes
    if short:
        _require_stopping_effect(uow.session, visit.id, ran, policy, stopped_for)
    visit.infusion_end = now
    visit.infusion_stopped_for = stopped_for.value if short and stopped_for else ""
    change_visit_state(uow, visit, VisitState.RECOVERY, "stopped early" if short else "")
    summary: dict[str, object] = {"status": "recovery", "minutes": ran}
    if short and stopped_for:
        summary["stopped_for"] = stopped_for.value
    return summary


def _require_stopping_effect(
    session: Session,
    visit_id: int,
    ran: int,
    policy: ClinicPolicy,
    stopped_for: SideEffectKind | None,
) -> None:
    intro = (
        f"The infusion has run {ran} min, less than the clinic's minimum of "
        f"{policy.min_infusion_minutes} min"
    )
    if stopped_for is None:
        raise ValidationError(
            f"{intro}; end it early only when stopping for a side effect, and say which.",
            "stopped_for",
        )
    recorded = session.scalars(
        select(SideEffect.id).where(
            SideEffect.visit_id == visit_id, SideEffect.effect == stopped_for.value
        )
    ).first()
    if recorded is None:
        raise ValidationError(
            f"{intro}: record the side effect ({stopped_for.label.lower()}) first.",
            "stopped_for",
        )


@dataclass(frozen=True)
class Collector:
    """The person at the door when it is not the recorded adult (a hard stop's record)."""

    relationship: str
    phone: str
    id_seen: bool


def discharge(
    desk: Desk,
    visit_id: int,
    *,
    dissociation_resolved: bool,
    end_vitals_acceptable: bool,
    instructions_given: bool,
    collected_by_name: str | None,
    collector: Collector | None = None,
    driver_override_reason: str | None = None,
    early_discharge_reason: str | None = None,
    cosigner: Cosignature | None = None,
    expected_version: int | None = None,
) -> InfusionView:
    """Nurse only: the patient goes home, to the recorded adult or past a hard stop.

    Discharge before the minimum observation time, with nobody collecting, or to someone
    other than the recorded adult are hard stops: each needs a reason and a second
    clinician's own password; someone else collecting also needs their relationship,
    phone and that their ID was seen.
    """
    actor = desk.require(Role.NURSE)
    _require_discharge_checks(dissociation_resolved, end_vitals_acceptable, instructions_given)
    # A person's name: the column's width, no control characters (names.validate_name).
    collected = validate_name(collected_by_name or "", "collected_by_name", required=False) or None
    driver_reason = _clean(driver_override_reason, "driver_override_reason")
    early_reason = _clean(early_discharge_reason, "early_discharge_reason")
    now = desk.now()
    with desk.write() as uow:
        visit = uow.get(Visit, visit_id, "visit")
        uow.check_version(visit, expected_version, "visit", {"status": visit.status})
        transition(VisitState(visit.status), VisitState.DISCHARGED)
        policy = load_policy(uow.session)
        _require_end_vitals(uow.session, visit, policy)
        assert visit.infusion_end is not None  # recovery always has an end time
        leave_at = ready_to_leave_at(visit.infusion_end, policy)
        early = now < leave_at
        if early and not early_reason:
            raise ValidationError(
                f"The minimum observation time ends at "
                f"{leave_at.astimezone():{policy.time_format}}; an earlier discharge is a hard "
                "stop: give a reason and a second clinician's confirmation.",
                "early_discharge_reason",
            )
        plan = plan_from_row(uow.session.get(Transport, visit_id))
        pickup = check_pickup(plan, collected, policy=policy, override_reason=driver_reason)
        if not pickup.allowed:
            raise ValidationError(pickup.reason, "driver_override_reason")
        overridden = pickup.outcome is PickupOutcome.OVERRIDDEN
        stops: dict[Stop, str] = {Stop.EARLY_DISCHARGE: early_reason} if early else {}
        if overridden:
            stop = Stop.DRIVER_NOT_RECORDED if collected else Stop.NOBODY_COLLECTING
            stops[stop] = driver_reason
        details = _collector_details(collector, policy) if overridden and collected else None
        second = cosign_stops(uow, actor, stops, cosigner)
        visit.collected_by_name = collected or ""
        visit.collector_relationship, visit.collector_phone, visit.collector_id_seen = details or (
            "",
            "",
            False,
        )
        visit.driver_override_reason = driver_reason if overridden else ""
        visit.early_discharge_reason = early_reason if early else ""
        visit.discharge_cosigned_by = second.username if second else None
        visit.discharged_by, visit.discharged_at = actor.username, now
        change_visit_state(uow, visit, VisitState.DISCHARGED, "early" if early else "")
        summary: dict[str, object] = {
            "status": "discharged",
            "pickup": pickup.outcome.value,
            "early": early,
            "dissociation_resolved": True,
            "end_vitals_acceptable": True,
            "instructions_given": True,
            "collected_by_name": None,
        }
        if overridden:
            summary["driver_override_reason"] = None
        if details:
            summary.update(collector_relationship=None, collector_phone=None, id_seen=True)
        if early:
            summary["early_discharge_reason"] = None
        if second is not None:
            summary["cosigned_by"] = second.username
        uow.audit("visit.discharge", "visit", visit_id, summary)
        uow.commit()
    return infusion_view(desk, visit_id)


def _collector_details(collector: Collector | None, policy: ClinicPolicy) -> tuple[str, str, bool]:
    """The collector's relationship, phone (normalised) and ID check, each required."""
    if collector is None or not collector.relationship.strip():
        raise ValidationError(
            "Record how the person collecting is related to the patient.", "collector_relationship"
        )
    relationship = require_name(collector.relationship, "collector_relationship")
    if len(relationship) > 80:
        raise ValidationError("Keep the relationship to 80 characters.", "collector_relationship")
    if not collector.phone.strip():
        raise ValidationError("Record the collecting person's phone number.", "collector_phone")
    phone = normalise_phone(collector.phone, policy.phone_region, field="collector_phone")
    if not collector.id_seen:
        raise ValidationError(
            'Check the collecting person\'s photo ID and tick "ID seen".', "collector_id_seen"
        )
    return relationship, phone, True


def _require_discharge_checks(dissociation: bool, end_vitals: bool, instructions: bool) -> None:
    if not dissociation:
        raise ValidationError(
            "The patient may leave only when dissociation has resolved.", "dissociation_resolved"
        )
    if not end_vitals:
        raise ValidationError(
            "The end vitals must be acceptable before discharge; measure again or ask a clinician.",
            "end_vitals_acceptable",
        )
    if not instructions:
        raise ValidationError(
            "Give the discharge instructions before the patient leaves.", "instructions_given"
        )


def _require_end_vitals(session: Session, visit: Visit, policy: ClinicPolicy) -> None:
    if not any(_is_end(r, visit, policy) for r in _readings(session, visit.id)):
        raise ValidationError(
            "Record the end-of-infusion vitals before discharge.", "end_vitals_acceptable"
        )


def _clean(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Keep this to {MAX_TEXT} characters.", field)
    return text
