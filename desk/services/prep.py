"""The pre-infusion checklist: food and fluids, clothing, vitals, clearance and holds.

Every verdict comes from ``desk.domain.readiness``; this module loads a visit's rows,
records each confirmation under the signed-in nurse's name, and writes one audit entry
per change. Clearing is the nurse's alone and only when every item is confirmed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.db.models import (
    PrepCheck,
    Staff,
    Transport,
    Visit,
    VisitStatusChange,
    VitalsReading,
)
from desk.domain.booking import VisitType
from desk.domain.consent import ConsentState, ConsentStatus
from desk.domain.errors import NotFound, PrepNotReady, ValidationError
from desk.domain.fasting import IntakeTimes, PrepStatus, check_fasting
from desk.domain.locale import format_time
from desk.domain.names import validate_name
from desk.domain.policy import ClinicPolicy
from desk.domain.readiness import (
    CandidacyCheck,
    PrepInputs,
    PrepItem,
    Readiness,
    ReadinessReport,
    assess_readiness,
)
from desk.domain.roles import Role
from desk.domain.stops import stop_for_item
from desk.domain.visit_states import VisitState, transition
from desk.domain.vitals import (
    Checkpoint,
    Vitals,
    VitalsVerdict,
    checkpoint_for,
    classify_vitals,
    phase_label,
)
from desk.services.board import board_name
from desk.services.candidacy import load_status
from desk.services.consent import consent_states, treatment_for_visit_type
from desk.services.context import Desk, UnitOfWork
from desk.services.cosign import Cosignature, cosign_stops
from desk.services.outcomes import refuse_clearing_on_open_alert
from desk.services.settings import load_policy
from desk.services.transport import plan_from_row

# Consent is a legal precondition and the transport is re-checked when the infusion
# starts, so overriding either at clearance would only move the refusal.
OVERRIDABLE = frozenset(
    {PrepItem.CANDIDACY, PrepItem.FOOD, PrepItem.FLUIDS, PrepItem.CLOTHING, PrepItem.VITALS}
)
PERIODIC = "periodic"  # stored checkpoint tag for readings between the REMS points
MAX_TEXT = 2000  # a note or reason is a few sentences; a pasted document is a mistake
IN_CLINIC = frozenset(
    {VisitState.ARRIVED, VisitState.PREP_CLEARED, VisitState.INFUSING, VisitState.RECOVERY}
)


@dataclass(frozen=True)
class VitalsView:
    id: int
    checkpoint: str  # a Checkpoint value, or PERIODIC
    taken_at: datetime  # local time zone
    taken_by: str  # the nurse's full name
    vitals: Vitals
    verdict: VitalsVerdict
    reasons: tuple[str, ...]

    @property
    def checkpoint_label(self) -> str:
        return checkpoint_label(self.checkpoint)


def checkpoint_label(code: str) -> str:
    try:
        return phase_label(Checkpoint(code))
    except ValueError:
        return phase_label(None)


@dataclass(frozen=True)
class ItemView:
    """One checklist line: its state, why, and who confirmed it when."""

    item: PrepItem
    status: PrepStatus
    reason: str
    confirmed: str  # "confirmed by Nina Ngata at 10:42", or ""
    overridable: bool
    override_reason: str = ""  # recorded at clearance
    override_by: str = ""  # "Nina Ngata, co-signed by Dr Amal Reyes" for a hard stop

    @property
    def label(self) -> str:
        return self.item.label


@dataclass(frozen=True)
class PrepView:
    """Everything the prep checklist shows for one visit."""

    visit_id: int
    patient_name: str
    mrn: str
    visit_type_label: str
    chair: str
    status: VisitState
    prep_version: int  # 0 while nothing is recorded
    planned_start: datetime  # local time zone
    verdict: Readiness
    items: tuple[ItemView, ...]
    ready_at: datetime | None  # earliest start fasting allows, when it is later than planned
    last_food_at: datetime | None
    last_fluid_at: datetime | None
    clear_fluids_only: bool | None
    clothing_ok: bool | None
    readings: tuple[VitalsView, ...]  # oldest first; nothing is ever replaced
    review_clinician: str
    review_note: str
    hold_reason: str
    cleared: str  # "Cleared by … at …" or ""

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(i.reason for i in self.items if i.status is not PrepStatus.OK)

    @property
    def needs_review(self) -> bool:
        return any(i.status is PrepStatus.CAUTION for i in self.items)

    def item(self, which: PrepItem) -> ItemView:
        return next(i for i in self.items if i.item is which)


def clearance_problems(
    items: tuple[ItemView, ...],
    overrides: Mapping[PrepItem, str],
    review_clinician: str | None,
    review_note: str | None,
) -> tuple[str, ...]:
    """Why the visit cannot be cleared with these overrides and review; empty when it can."""
    problems: list[str] = []
    for line in items:
        if line.status is PrepStatus.NOT_CONFIRMED:
            problems.append(f"{line.label}: {line.reason}")
        elif line.status is PrepStatus.NOT_READY:
            if not line.overridable:
                problems.append(f"{line.label}: {line.reason} (this cannot be overridden)")
            elif not (overrides.get(line.item) or "").strip():
                problems.append(f"{line.label}: {line.reason} (override it with a reason)")
    caution = any(line.status is PrepStatus.CAUTION for line in items)
    # A caution item is a soft stop: one nurse's note passes it (the clinician's name is
    # recorded when one was asked); hard stops need a co-signer, checked by the service.
    if caution and not (review_note or "").strip():
        problems.append("Review items need a note saying why the infusion can go ahead.")
    return tuple(problems)


def hard_overrides(items: Iterable[PrepItem]) -> tuple[PrepItem, ...]:
    """The overridden lines that are hard stops (their override needs a second clinician)."""
    return tuple(i for i in items if (stop := stop_for_item(i)) is not None and stop.is_hard)


# --- reading ---------------------------------------------------------------------------


def readiness(desk: Desk, visit_id: int) -> PrepView:
    """Any signed-in staff: the checklist with every item's state and who confirmed it."""
    desk.require()
    with desk.read() as session:
        return _view(session, _visit(session, visit_id), desk.now())


def _visit(session: Session, visit_id: int) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound("That visit no longer exists.")
    return visit


def _view(session: Session, visit: Visit, now: datetime) -> PrepView:
    policy = load_policy(session)
    prep = session.get(PrepCheck, visit.id)
    report, readings = _assess(session, visit, prep, now, policy)
    names = staff_names(session)
    patient = visit.patient
    planned = max(visit.scheduled_start, now)
    return PrepView(
        visit_id=visit.id,
        patient_name=board_name(
            patient.preferred_name, patient.legal_first_name, patient.legal_last_name
        ),
        mrn=patient.mrn,
        visit_type_label=_visit_type_label(visit.visit_type),
        chair=visit.chair or "",
        status=VisitState(visit.status),
        prep_version=prep.version if prep else 0,
        planned_start=planned.astimezone(),
        verdict=report.verdict,
        items=_items(session, visit, prep, report, readings, names, policy),
        ready_at=_later_than(report.ready_at, planned),
        last_food_at=_local(prep.last_food_at if prep else None),
        last_fluid_at=_local(prep.last_fluid_at if prep else None),
        clear_fluids_only=prep.clear_fluids_only if prep else None,
        clothing_ok=prep.clothing_ok if prep else None,
        readings=tuple(reading_view(r, names, policy, visit) for r in readings),
        review_clinician=prep.review_clinician if prep else "",
        review_note=prep.review_note if prep else "",
        hold_reason=prep.hold_reason if prep else "",
        cleared=_confirmed_text("Cleared", prep.cleared_by, prep.cleared_at, names, policy)
        if prep and visit.status != VisitState.ARRIVED
        else "",
    )


def _assess(
    session: Session, visit: Visit, prep: PrepCheck | None, now: datetime, policy: ClinicPolicy
) -> tuple[ReadinessReport, list[VitalsReading]]:
    readings = list(
        session.scalars(
            select(VitalsReading)
            .where(VitalsReading.visit_id == visit.id)
            .order_by(VitalsReading.taken_at, VitalsReading.id)
        )
    )
    before = [r for r in readings if r.checkpoint == Checkpoint.BEFORE.value]
    inputs = PrepInputs(
        candidacy=_candidacy(session, visit.patient_id, policy),
        consent=_consent(session, visit, now, policy),
        intake=IntakeTimes(prep.last_food_at, prep.last_fluid_at, prep.clear_fluids_only)
        if prep
        else IntakeTimes(),
        clothing_ok=prep.clothing_ok if prep else None,
        transport=plan_from_row(session.get(Transport, visit.id)),
        vitals=vitals_of(before[-1]) if before else None,
    )
    # The infusion cannot start before now, so a late patient is judged at now.
    planned = max(visit.scheduled_start, now)
    report = assess_readiness(inputs, planned_start=planned, now=now, policy=policy)
    return report, readings


def _items(
    session: Session,
    visit: Visit,
    prep: PrepCheck | None,
    report: ReadinessReport,
    readings: list[VitalsReading],
    names: Mapping[str, str],
    policy: ClinicPolicy,
) -> tuple[ItemView, ...]:
    overrides = _overrides(prep, names) if visit.status != VisitState.ARRIVED else {}
    transport = session.get(Transport, visit.id)
    before = [r for r in readings if r.checkpoint == Checkpoint.BEFORE.value]
    confirmed: dict[PrepItem, str] = {}
    if prep is not None:
        fasting = _confirmed_text(
            "Confirmed", prep.fasting_confirmed_by, prep.fasting_confirmed_at, names, policy
        )
        confirmed[PrepItem.FOOD] = confirmed[PrepItem.FLUIDS] = fasting
        confirmed[PrepItem.CLOTHING] = _confirmed_text(
            "Checked", prep.clothing_confirmed_by, prep.clothing_confirmed_at, names, policy
        )
    if transport is not None:
        confirmed[PrepItem.TRANSPORT] = _confirmed_text(
            "Phoned", transport.confirmed_by, transport.confirmed_at, names, policy
        )
    if before:
        confirmed[PrepItem.VITALS] = _confirmed_text(
            "Taken", before[-1].taken_by, before[-1].taken_at, names, policy
        )
    return tuple(
        ItemView(
            r.item,
            r.status,
            r.reason,
            confirmed.get(r.item, ""),
            r.item in OVERRIDABLE,
            overrides[r.item].reason if r.item in overrides else "",
            overrides[r.item].by if r.item in overrides else "",
        )
        for r in report.items
    )


def staff_names(session: Session) -> dict[str, str]:
    rows = session.execute(select(Staff.username, Staff.full_name))
    return {username: full_name for username, full_name in rows}


def _confirmed_text(
    verb: str,
    by: str | None,
    at: datetime | None,
    names: Mapping[str, str],
    policy: ClinicPolicy,
) -> str:
    if not by or at is None:
        return ""
    local = at.astimezone()
    return f"{verb} by {names.get(by, by)} at {local.strftime(policy.time_format)}"


def _local(moment: datetime | None) -> datetime | None:
    return moment.astimezone() if moment is not None else None


def _later_than(ready_at: datetime | None, planned: datetime) -> datetime | None:
    return ready_at.astimezone() if ready_at is not None and ready_at > planned else None


def _visit_type_label(code: str) -> str:
    try:
        return VisitType(code).label
    except ValueError:
        return code.replace("_", " ").capitalize()


def vitals_of(row: VitalsReading) -> Vitals:
    return Vitals(
        row.systolic, row.diastolic, row.heart_rate, row.spo2, row.temperature_c, row.weight_kg
    )


def reading_view(
    row: VitalsReading, names: Mapping[str, str], policy: ClinicPolicy, visit: Visit
) -> VitalsView:
    """A reading labelled by its phase on the visit's timeline as it is now known.

    The stored tag was a guess at the time of recording (before the end was known); the
    phase is recomputed so a recovery reading is never called "end of the infusion".
    """
    vitals = vitals_of(row)
    assessment = classify_vitals(vitals, policy)
    phase = checkpoint_for(
        row.taken_at,
        infusion_start=visit.infusion_start,
        infusion_end=visit.infusion_end,
        policy=policy,
    )
    return VitalsView(
        row.id,
        phase.value if phase else PERIODIC,
        row.taken_at.astimezone(),
        names.get(row.taken_by, row.taken_by),
        vitals,
        assessment.verdict,
        assessment.reasons,
    )


def _overrides(prep: PrepCheck | None, names: Mapping[str, str]) -> dict[PrepItem, Override]:
    """Each stored override: its reason, and who passed it (with the co-signer, if any)."""
    result: dict[PrepItem, Override] = {}
    for key, value in json.loads(prep.overrides or "{}").items() if prep else ():
        if key in PrepItem.__members__.values() and isinstance(value, dict):
            result[PrepItem(key)] = Override(
                str(value.get("reason", "")), signed_by(value, names)
            )
    return result


@dataclass(frozen=True)
class Override:
    reason: str
    by: str


def signed_by(value: Mapping[str, str], names: Mapping[str, str]) -> str:
    """"Nina Ngata" or "Nina Ngata, co-signed by Dr Amal Reyes"."""
    by, second = value.get("by") or "", value.get("cosigned_by")
    text = names.get(by, by)
    if second:
        text += f", co-signed by {names.get(second, second)}"
    return text


def _candidacy(session: Session, patient_id: int, policy: ClinicPolicy) -> CandidacyCheck:
    return CandidacyCheck.from_status(load_status(session, patient_id, policy))


def _consent(session: Session, visit: Visit, now: datetime, policy: ClinicPolicy) -> ConsentStatus:
    """The patient's consent for this visit's treatment, judged on the local day."""
    treatment = treatment_for_visit_type(visit.visit_type)
    if treatment is None:
        return ConsentStatus(ConsentState.MISSING)
    key = (visit.patient_id, treatment)
    return consent_states(session, [key], now.astimezone().date(), policy)[key]


# --- writing ---------------------------------------------------------------------------


def change_visit_state(
    uow: UnitOfWork, visit: Visit, target: VisitState, reason: str = ""
) -> VisitState:
    """Move ``visit`` to ``target`` (TransitionRefused says why not) and log the change."""
    current = VisitState(visit.status)
    transition(current, target)
    actor = uow.desk.actor
    uow.session.add(
        VisitStatusChange(
            visit_id=visit.id,
            from_status=current.value,
            to_status=target.value,
            at=uow.desk.now(),
            by=actor.username if actor else "system",
            workstation=uow.desk.workstation,
            reason=reason,
        )
    )
    visit.status = target.value
    uow.touch(visit)
    return current


def _prep_row(uow: UnitOfWork, visit: Visit, expected_version: int | None) -> PrepCheck:
    """The visit's checklist row (created on first use), checked against the loaded version."""
    row = uow.session.get(PrepCheck, visit.id)
    if row is None:
        row = PrepCheck(visit_id=visit.id, overrides="{}")
        uow.session.add(row)
        return row
    current = _current(row, load_policy(uow.session))
    uow.check_version(row, expected_version, "prep checklist", current)
    return row


def _current(row: PrepCheck, policy: ClinicPolicy) -> dict[str, str]:
    def at(value: datetime | None) -> str:
        return format_time(value.astimezone(), policy) if value else "not recorded"

    return {
        "last solid food": at(row.last_food_at),
        "last fluids": at(row.last_fluid_at),
        "clothing": {None: "not checked", True: "arms accessible", False: "no arm access"}[
            row.clothing_ok
        ],
    }


def _open_for_prep(uow: UnitOfWork, visit_id: int) -> Visit:
    visit = uow.get(Visit, visit_id, "visit")
    status = VisitState(visit.status)
    if status is VisitState.PREP_CLEARED:
        raise PrepNotReady(
            "The patient is already cleared; put them on hold to change the checklist."
        )
    if status is not VisitState.ARRIVED:
        raise PrepNotReady(
            f"The checklist is for arrived patients; this visit is {status.label.lower()}."
        )
    return visit


def record_intake(
    desk: Desk,
    visit_id: int,
    last_food_at: datetime | None,
    last_fluid_at: datetime | None,
    clear_fluids_only: bool | None,
    expected_version: int | None,
) -> PrepView:
    """Nurse: when the patient last ate and drank; times after now or before yesterday fail."""
    actor = desk.require(Role.NURSE)
    now = desk.now()
    with desk.write() as uow:
        visit = _open_for_prep(uow, visit_id)
        policy = load_policy(uow.session)
        intake = IntakeTimes(last_food_at, last_fluid_at, clear_fluids_only)
        result = check_fasting(
            intake, planned_start=max(visit.scheduled_start, now), now=now, policy=policy
        )
        row = _prep_row(uow, visit, expected_version)
        row.last_food_at, row.last_fluid_at = last_food_at, last_fluid_at
        row.clear_fluids_only = clear_fluids_only
        row.fasting_confirmed_by, row.fasting_confirmed_at = actor.username, now
        uow.touch(row)
        uow.audit(
            "prep.intake",
            "visit",
            visit_id,
            {"food": result.food.status.value, "fluids": result.fluids.status.value},
        )
        uow.commit()
    return readiness(desk, visit_id)


def confirm_clothing(
    desk: Desk, visit_id: int, arms_accessible: bool, expected_version: int | None
) -> PrepView:
    """Nurse: whether the clothing gives access to the arms for the IV."""
    actor = desk.require(Role.NURSE)
    with desk.write() as uow:
        visit = _open_for_prep(uow, visit_id)
        row = _prep_row(uow, visit, expected_version)
        row.clothing_ok = arms_accessible
        row.clothing_confirmed_by, row.clothing_confirmed_at = actor.username, desk.now()
        uow.touch(row)
        uow.audit("prep.clothing", "visit", visit_id, {"clothing_ok": arms_accessible})
        uow.commit()
    return readiness(desk, visit_id)


def record_vitals(
    desk: Desk, visit_id: int, vitals: Vitals, checkpoint: Checkpoint | None = None
) -> VitalsView:
    """Nurse: add a reading (never replaces one); the check point follows from the time."""
    actor = desk.require(Role.NURSE)
    now = desk.now()
    with desk.write() as uow:
        visit = uow.get(Visit, visit_id, "visit")
        if VisitState(visit.status) not in IN_CLINIC:
            raise ValidationError(
                "Vitals are recorded only while the patient is in the clinic.", "visit"
            )
        policy = load_policy(uow.session)
        assessment = classify_vitals(vitals, policy)  # validates the numbers first
        if checkpoint is None:
            checkpoint = checkpoint_for(
                now,
                infusion_start=visit.infusion_start,
                infusion_end=visit.infusion_end,
                policy=policy,
            )
        row = VitalsReading(
            visit_id=visit_id,
            checkpoint=checkpoint.value if checkpoint else PERIODIC,
            taken_at=now,
            taken_by=actor.username,
            systolic=vitals.systolic,
            diastolic=vitals.diastolic,
            heart_rate=vitals.heart_rate,
            spo2=vitals.spo2,
            temperature_c=vitals.temperature_c,
            weight_kg=vitals.weight_kg,
        )
        uow.session.add(row)
        uow.session.flush()
        uow.audit(
            "vitals.record",
            "visit",
            visit_id,
            {"checkpoint": row.checkpoint, "verdict": assessment.verdict.value},
        )
        uow.commit()
        return reading_view(row, {actor.username: actor.full_name}, policy, visit)


def clear_for_infusion(
    desk: Desk,
    visit_id: int,
    *,
    review_clinician: str | None = None,
    review_note: str | None = None,
    overrides: Mapping[PrepItem, str] | None = None,
    cosigner: Cosignature | None = None,
    expected_version: int | None,
) -> PrepView:
    """Nurse only: clear the patient for the infusion.

    Every item must be confirmed; caution items need a note; a not-ready item may be
    overridden with a reason, and a hard stop's override (vitals at hold, candidacy) also
    with a second clinician's own password. All of it is recorded and audited.
    """
    actor = desk.require(Role.NURSE)
    now = desk.now()
    given = {item: _text(reason, "override_reason") for item, reason in (overrides or {}).items()}
    with desk.write() as uow:
        visit = uow.get(Visit, visit_id, "visit")
        transition(VisitState(visit.status), VisitState.PREP_CLEARED)
        row = _prep_row(uow, visit, expected_version)
        uow.session.flush()
        view = _view(uow.session, visit, now)
        # A positive suicide item is not overridable here: only a clinician's assessment.
        refuse_clearing_on_open_alert(uow.session, visit_id)
        problems = clearance_problems(view.items, given, review_clinician, review_note)
        if problems:
            raise PrepNotReady("Not cleared. " + " ".join(problems))
        used = {i.item: given[i.item] for i in view.items if i.status is PrepStatus.NOT_READY}
        stops = {stop: used[item] for item in used if (stop := stop_for_item(item))}
        second = cosign_stops(uow, actor, stops, cosigner)
        review = (review_clinician, review_note) if view.needs_review else (None, None)
        cosigned = {i: second.username for i in hard_overrides(used)} if second else {}
        _record_clearance(row, used, cosigned, review, actor.username, now)
        uow.touch(row)
        visit.cleared_at = now
        change_visit_state(uow, visit, VisitState.PREP_CLEARED)
        summary: dict[str, object] = {
            "status": VisitState.PREP_CLEARED.value,
            "verdict": view.verdict.value,
            "overridden": ",".join(sorted(i.value for i in used)),
        }
        if used:
            summary["override_reason"] = None
        if second is not None:
            summary["cosigned_by"] = second.username
        if view.needs_review:
            summary.update(review_clinician=None, review_note=None)
        uow.audit("prep.clear", "visit", visit_id, summary)
        uow.commit()
    return readiness(desk, visit_id)


def _record_clearance(
    row: PrepCheck,
    overrides: Mapping[PrepItem, str],
    cosigned: Mapping[PrepItem, str],
    review: tuple[str | None, str | None],
    by: str,
    now: datetime,
) -> None:
    """Store who cleared when, each override's reason and co-signer, and the review."""
    stored: dict[str, dict[str, str]] = {}
    for item, reason in overrides.items():
        stored[item.value] = {"reason": reason, "by": by, "at": now.isoformat()}
        if item in cosigned:
            stored[item.value]["cosigned_by"] = cosigned[item]
    row.overrides = json.dumps(stored, sort_keys=True)
    row.review_clinician = validate_name(review[0] or "", "review_clinician", required=False) or ""
    row.review_note = _text(review[1], "review_note")
    row.hold_reason = ""
    row.cleared_by, row.cleared_at = by, now


def hold(desk: Desk, visit_id: int, reason: str, expected_version: int | None = None) -> PrepView:
    """Nurse: hold the infusion with a reason; a cleared patient goes back to arrived."""
    desk.require(Role.NURSE)
    text = _text(reason, "hold_reason")
    if not text:
        raise ValidationError("Give a reason for the hold.", "hold_reason")
    with desk.write() as uow:
        visit = uow.get(Visit, visit_id, "visit")
        status = VisitState(visit.status)
        if status is not VisitState.ARRIVED:
            transition(status, VisitState.ARRIVED)  # refuses once the infusion has begun
        row = _prep_row(uow, visit, expected_version)
        row.hold_reason = text
        row.cleared_by, row.cleared_at = None, None
        uow.touch(row)
        if status is VisitState.PREP_CLEARED:
            visit.cleared_at = None
            change_visit_state(uow, visit, VisitState.ARRIVED, text)
        uow.audit(
            "prep.hold",
            "visit",
            visit_id,
            {
                "status": VisitState.ARRIVED.value,
                "from": status.value,
                "hold_reason": None,
            },
        )
        uow.commit()
    return readiness(desk, visit_id)


def _text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Keep this to {MAX_TEXT} characters.", field)
    return text
