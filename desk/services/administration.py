"""The drug given at a visit: vial chosen at the start, rate changes, amount given, waste.

Starting needs an order (hard stop) and a vial of the ordered drug that is in date; the
desk computes the volume to draw. Ending records the amount given (an administration
line in the lot's ledger). The remainder of the opened vials is wasted in front of a
witness who confirms with their own password (a waste line). Given + wasted always
equals what the opened vials held.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.db.models import Administration, RateChange, SedationCheck, StockLot, Visit
from desk.domain.dosing import (
    UG_PER_MG,
    mg_text,
    ml_text,
    parse_decimal,
    volume_to_draw,
    waste_after,
    whole,
)
from desk.domain.entries import one_line, reason_text
from desk.domain.errors import NotFound, PrepNotReady, ValidationError
from desk.domain.ledger import Movement
from desk.domain.roles import Role
from desk.domain.visit_states import VisitState
from desk.services.context import Desk
from desk.services.cosign import confirm_cosigner
from desk.services.infusion import begin_infusion, finish_infusion
from desk.services.orders import Cosigner, require_order
from desk.services.prep import MAX_TEXT
from desk.services.settings import load_policy
from desk.services.stock import STOCK_ROLES, AuditAs, lot_view, post

IV_GAUGES = (18, 20, 22, 24)
MAX_SITE = 80


class RateEvent(StrEnum):
    RATE = "rate"
    PAUSE = "pause"
    RESUME = "resume"


class Dissociation(StrEnum):
    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


# The responsiveness scale printed next to each check (0 = no response … 5 = alert).
RESPONSIVENESS = (
    "0 – does not respond to shaking",
    "1 – responds only to shaking",
    "2 – responds to loud voice",
    "3 – responds to normal voice, slowly",
    "4 – lethargic but responds readily",
    "5 – alert, responds readily",
)


@dataclass(frozen=True)
class DrawPlan:
    lot_id: int
    volume_ml: str
    dose_mg: str
    vials: int
    rate_ml_per_h: str


@dataclass(frozen=True)
class AdministrationView:
    visit_id: int
    lot_label: str
    lot_id: int
    draw_ml: str
    drawn_mg: str
    vials: int
    rate_ml_per_h: str
    iv: str
    given_mg: str | None
    waste_mg: str | None
    waste_text: str
    events: tuple[str, ...]
    sedation: tuple[str, ...]


def plan_draw(desk: Desk, visit_id: int, lot_id: int) -> DrawPlan:
    """Nurse: what to draw from this lot for the visit's order (shown before starting)."""
    desk.require(Role.NURSE)
    with desk.read() as session:
        visit = session.get(Visit, visit_id)
        lot = session.get(StockLot, lot_id)
        if visit is None or lot is None:
            raise NotFound("That visit or lot no longer exists.")
        order = require_order(session, visit)
        policy = load_policy(session)
        draw = volume_to_draw(
            order.dose_ug, lot.concentration_ug_per_ml, lot.vial_ul, policy.syringe_step_ul
        )
        return DrawPlan(
            lot.id,
            ml_text(draw.volume_ul),
            mg_text(draw.dose_ug),
            draw.vials,
            ml_text(draw.rate_ul_per_h(order.duration_min)),
        )


def start_with_vial(
    desk: Desk,
    visit_id: int,
    lot_id: int,
    iv_site: str,
    iv_gauge: int,
    expected_version: int | None = None,
) -> AdministrationView:
    """Nurse: the infusion starts now from vials of ``lot_id``, through this IV."""
    actor = desk.require(Role.NURSE)
    site = one_line(iv_site, "IV_site", MAX_SITE)
    if iv_gauge not in IV_GAUGES:
        raise ValidationError("Choose the IV gauge from the list.", "iv_gauge")
    with desk.write() as uow:
        visit = uow.get(Visit, visit_id, "visit")
        uow.check_version(visit, expected_version, "visit", {"status": visit.status})
        order = require_order(uow.session, visit)
        lot = uow.get(StockLot, lot_id, "lot")
        if lot.drug != order.drug:
            raise PrepNotReady(f"The order is for {order.drug}; this lot is {lot.drug}.")
        if lot.expiry < desk.now().astimezone().date():
            raise PrepNotReady(
                f"Lot {lot.lot_number} expired on {lot.expiry.isoformat()}; choose another."
            )
        policy = load_policy(uow.session)
        draw = volume_to_draw(
            order.dose_ug, lot.concentration_ug_per_ml, lot.vial_ul, policy.syringe_step_ul
        )
        shelf = lot_view(uow.session, lot.id).sealed_vials
        if draw.vials > shelf:
            raise ValidationError(
                f"The dose needs {draw.vials} vials and lot {lot.lot_number} has {shelf} sealed.",
                "lot",
            )
        begin_infusion(uow, visit)
        uow.session.add(
            Administration(
                visit_id=visit.id,
                order_id=order.id,
                lot_id=lot.id,
                vials=draw.vials,
                drawn_ug=draw.vials_ug,
                draw_ul=draw.volume_ul,
                rate_ul_per_h=draw.rate_ul_per_h(order.duration_min),
                iv_site=site,
                iv_gauge=iv_gauge,
                started_by=actor.username,
            )
        )
        uow.audit(
            "visit.infusion_start",
            "visit",
            visit.id,
            {
                "status": "infusing",
                "lot": lot.id,
                "vials": draw.vials,
                "draw_ul": draw.volume_ul,
                "iv_site": None,
            },
        )
        uow.commit()
    return administration_view(desk, visit_id)


def change_rate(
    desk: Desk, visit_id: int, event: RateEvent, reason: str, rate_ml_per_h: str = ""
) -> AdministrationView:
    """Nurse: the rate changes, or the infusion pauses/resumes, now, with a reason."""
    actor = desk.require(Role.NURSE)
    text = reason_text(reason, "reason", MAX_TEXT)
    rate = None
    if event is RateEvent.RATE:
        rate = whole(parse_decimal(rate_ml_per_h, "rate", "rate in mL/h") * 1000)
    with desk.write() as uow:
        visit = uow.get(Visit, visit_id, "visit")
        if VisitState(visit.status) is not VisitState.INFUSING:
            raise ValidationError("The rate changes only while the infusion runs.", "visit")
        _administration(uow.session, visit_id)
        uow.session.add(
            RateChange(
                visit_id=visit_id,
                kind=event.value,
                rate_ul_per_h=rate,
                reason=text,
                at=desk.now(),
                by=actor.username,
            )
        )
        uow.audit(
            f"administration.{event.value}",
            "visit",
            visit_id,
            {"rate_ul_per_h": rate if rate is not None else "", "reason": None},
        )
        uow.commit()
    return administration_view(desk, visit_id)


def end_with_amount(
    desk: Desk, visit_id: int, given_mg: str, expected_version: int | None = None
) -> AdministrationView:
    """Nurse: the infusion ends now; the amount actually given leaves the lot's balance."""
    actor = desk.require(Role.NURSE)
    given = whole(parse_decimal(given_mg, "given", "amount given in mg") * UG_PER_MG)
    with desk.write() as uow:
        visit = uow.get(Visit, visit_id, "visit")
        uow.check_version(visit, expected_version, "visit", {"status": visit.status})
        record = _administration(uow.session, visit_id)
        waste_after(record.drawn_ug, given)
        finish_infusion(uow, visit)
        record.given_ug, record.ended_by = given, actor.username
        uow.touch(record)
        lot = uow.get(StockLot, record.lot_id, "lot")
        status = AuditAs("visit.infusion_end", "visit", visit_id, {"status": "recovery"})
        post(uow, lot, Movement.ADMINISTRATION, given, visit_id=visit_id, audit_as=status)
        uow.commit()
    return administration_view(desk, visit_id)


def witness_waste(desk: Desk, visit_id: int, method: str, witness: Cosigner) -> AdministrationView:
    """Nurse with a witness: the remainder of the opened vials is wasted (amount computed)."""
    actor = desk.require(Role.NURSE)
    how = one_line(method, "waste_method", 80)
    with desk.write() as uow:
        second = confirm_cosigner(uow, actor, witness.username, witness.password, STOCK_ROLES)
        record = _administration(uow.session, visit_id)
        if record.given_ug is None:
            raise ValidationError("Record the amount given before wasting the remainder.", "given")
        if record.waste_at is not None:
            raise ValidationError("The waste for this infusion is already recorded.", "waste")
        waste = waste_after(record.drawn_ug, record.given_ug)
        record.waste_ug, record.waste_method = waste, how
        record.waste_by, record.waste_witness, record.waste_at = (
            actor.username,
            second.username,
            desk.now(),
        )
        uow.touch(record)
        if waste:
            lot = uow.get(StockLot, record.lot_id, "lot")
            post(
                uow,
                lot,
                Movement.WASTE,
                waste,
                witness=second.username,
                visit_id=visit_id,
                reason=how,
            )
        else:
            uow.audit("administration.no_waste", "visit", visit_id, {"witness": second.username})
        uow.commit()
    return administration_view(desk, visit_id)


def record_sedation(
    desk: Desk, visit_id: int, checkpoint: str, responsiveness: int, dissociation: Dissociation
) -> tuple[str, ...]:
    """Nurse: responsiveness (0–5) and dissociation at a monitoring point (also before the
    vial is chosen); the visit's checks so far."""
    actor = desk.require(Role.NURSE)
    if not 0 <= responsiveness <= 5:
        raise ValidationError("Responsiveness is scored 0 to 5.", "responsiveness")
    if checkpoint not in ("before", "mid", "end", "recovery"):
        raise ValidationError("Choose the monitoring point.", "checkpoint")
    with desk.write() as uow:
        uow.get(Visit, visit_id, "visit")
        uow.session.add(
            SedationCheck(
                visit_id=visit_id,
                checkpoint=checkpoint,
                responsiveness=responsiveness,
                dissociation=dissociation.value,
                at=desk.now(),
                by=actor.username,
            )
        )
        uow.audit(
            "sedation.record",
            "visit",
            visit_id,
            {
                "checkpoint": checkpoint,
                "responsiveness": responsiveness,
                "dissociation": dissociation.value,
            },
        )
        uow.commit()
        return sedation_checks(uow.session, visit_id)


def administration_view(desk: Desk, visit_id: int) -> AdministrationView:
    """Any signed-in staff: the drug record of a visit (NotFound before the start)."""
    desk.require()
    with desk.read() as session:
        record = _administration(session, visit_id)
        lot = lot_view(session, record.lot_id)
        events = session.scalars(
            select(RateChange).where(RateChange.visit_id == visit_id).order_by(RateChange.id)
        )
        return AdministrationView(
            visit_id=visit_id,
            lot_label=lot.label,
            lot_id=lot.id,
            draw_ml=ml_text(record.draw_ul),
            drawn_mg=mg_text(record.drawn_ug),
            vials=record.vials,
            rate_ml_per_h=ml_text(record.rate_ul_per_h),
            iv=f"{record.iv_site}, {record.iv_gauge} G",
            given_mg=mg_text(record.given_ug) if record.given_ug is not None else None,
            waste_mg=mg_text(record.waste_ug) if record.waste_ug is not None else None,
            waste_text=_waste_text(record),
            events=tuple(_event_text(e) for e in events),
            sedation=sedation_checks(session, visit_id),
        )


def _administration(session: Session, visit_id: int) -> Administration:
    record = session.get(Administration, visit_id)
    if record is None:
        raise NotFound("No vial has been chosen for this infusion yet.")
    return record


def sedation_for(desk: Desk, visit_id: int) -> tuple[str, ...]:
    """Any signed-in staff: the visit's sedation and dissociation checks, oldest first."""
    desk.require()
    with desk.read() as session:
        return sedation_checks(session, visit_id)


def sedation_checks(session: Session, visit_id: int) -> tuple[str, ...]:
    checks = session.scalars(
        select(SedationCheck).where(SedationCheck.visit_id == visit_id).order_by(SedationCheck.id)
    )
    return tuple(_sedation_text(c) for c in checks)


def _waste_text(record: Administration) -> str:
    if record.waste_at is None:
        return "Waste not yet witnessed."
    return (
        f"{mg_text(record.waste_ug or 0)} mg wasted ({record.waste_method}) by "
        f"{record.waste_by}, witnessed by {record.waste_witness}."
    )


def _event_text(row: RateChange) -> str:
    at: datetime = row.at.astimezone()
    what = f"rate {ml_text(row.rate_ul_per_h)} mL/h" if row.rate_ul_per_h is not None else row.kind
    return f"{at:%H:%M} {what}: {row.reason} ({row.by})"


def _sedation_text(row: SedationCheck) -> str:
    return (
        f"{row.at.astimezone():%H:%M} {row.checkpoint}: responsiveness {row.responsiveness}/5, "
        f"dissociation {row.dissociation} ({row.by})"
    )
