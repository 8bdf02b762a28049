"""Clinicians' infusion orders: drug, mg/kg with the weight used, duration, rate.

The drug list and the dose limits are clinic policy. A dose above the limit is a hard
stop: it is saved only with a second clinician's password and a reason. A nurse cannot
start an infusion without an order (``order_for_visit`` is what the start checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.db.models import InfusionOrder, StockLot, Visit, VitalsReading
from desk.domain.dosing import (
    Dose,
    DoseLimits,
    compute_dose,
    mg_text,
    parse_decimal,
    whole,
)
from desk.domain.entries import reason_text
from desk.domain.errors import NotFound, PrepNotReady, ValidationError
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.services.context import Actor, Desk, UnitOfWork
from desk.services.cosign import confirm_cosigner
from desk.services.prep import MAX_TEXT
from desk.services.settings import load_policy


@dataclass(frozen=True)
class OrderView:
    id: int
    drug: str
    dose_mg_per_kg: str
    weight_kg: str
    weight_source: str
    dose_mg: str
    dose_ug: int
    duration_min: int
    rate_mg_per_h: str
    notes: str
    ordered_by: str
    ordered_at: datetime
    cosigned_by: str | None
    for_series: bool

    def summary(self) -> str:
        text = (
            f"{self.drug} {self.dose_mg_per_kg} mg/kg × {self.weight_kg} kg = {self.dose_mg} mg "
            f"over {self.duration_min} min ({self.rate_mg_per_h} mg/h)"
        )
        return text + (
            f"; above the limit, co-signed by {self.cosigned_by}" if self.cosigned_by else ""
        )


@dataclass(frozen=True)
class Cosigner:
    username: str
    password: str


def dose_limits(policy: ClinicPolicy) -> DoseLimits:
    # Policy numbers are typed by an admin as decimals; str() keeps 0.1 as exactly 0.1.
    return DoseLimits(
        max_ug_per_kg=whole(Decimal(str(policy.max_dose_mg_per_kg)) * 1000),
        max_total_ug=policy.max_dose_mg * 1000,
    )


def record_order(
    desk: Desk,
    visit_id: int,
    *,
    drug: str,
    mg_per_kg: str,
    duration_min: int,
    weight_kg: str = "",
    whole_series: bool = False,
    notes: str = "",
    cosigner: Cosigner | None = None,
    override_reason: str = "",
) -> OrderView:
    """Clinician: the order for this visit (or every visit of its series).

    The weight is the one typed, or else the latest weight in this visit's vitals.
    """
    actor = desk.require(Role.CLINICIAN)
    notes = reason_text(notes, "notes", MAX_TEXT, required=False)
    override_reason = reason_text(override_reason, "override_reason", MAX_TEXT, required=False)
    dose_per_kg = parse_decimal(mg_per_kg, "mg_per_kg", "dose in mg/kg")
    with desk.write() as uow:
        visit = uow.get(Visit, visit_id, "visit")
        policy = load_policy(uow.session)
        if drug not in policy.drugs:
            raise ValidationError(
                f"{drug or 'That drug'} is not on the clinic's drug list.", "drug"
            )
        weight, source = _weight(uow.session, visit_id, weight_kg)
        dose = compute_dose(dose_per_kg, weight, duration_min)
        reasons = dose.above(dose_limits(policy))
        cosigned_by = _cosign_above_limit(uow, actor, reasons, cosigner, override_reason)
        if whole_series and visit.series_id is None:
            raise ValidationError("This visit is not part of a series.", "whole_series")
        row = InfusionOrder(
            patient_id=visit.patient_id,
            visit_id=None if whole_series else visit.id,
            series_id=visit.series_id if whole_series else None,
            drug=drug,
            dose_ug_per_kg=dose.ug_per_kg,
            weight_g=dose.weight_g,
            weight_source=source,
            dose_ug=dose.total_ug,
            duration_min=dose.duration_min,
            rate_ug_per_h=dose.rate_ug_per_h,
            notes=notes.strip(),
            ordered_by=actor.username,
            ordered_at=desk.now(),
            cosigned_by=cosigned_by,
            override_reason=override_reason.strip() if cosigned_by else "",
        )
        uow.session.add(row)
        uow.session.flush()
        uow.audit(
            "order.record",
            "visit",
            visit.id,
            {
                "order": row.id,
                "drug": drug,
                "dose_ug": dose.total_ug,
                "series": whole_series,
                "cosigned_by": cosigned_by or "",
                "notes": None,
            },
        )
        uow.commit()
        return _view(row)


def _weight(session: Session, visit_id: int, typed: str) -> tuple[Decimal, str]:
    if typed.strip():
        return parse_decimal(typed, "weight_kg", "weight in kg"), "entered"
    measured = session.scalars(
        select(VitalsReading.weight_kg)
        .where(VitalsReading.visit_id == visit_id, VitalsReading.weight_kg.is_not(None))
        .order_by(VitalsReading.taken_at.desc(), VitalsReading.id.desc())
        .limit(1)
    ).first()
    if measured is None:
        raise ValidationError(
            "No weight in this visit's vitals: enter the weight used for the dose.", "weight_kg"
        )
    return Decimal(str(measured)), "prep vitals"


def _cosign_above_limit(
    uow: UnitOfWork, actor: Actor, reasons: list[str], cosigner: Cosigner | None, reason: str
) -> str | None:
    if not reasons:
        return None
    if cosigner is None or not reason.strip():
        raise PrepNotReady(
            " ".join(reasons)
            + " A second clinician must confirm with their password, with a reason."
        )
    second = confirm_cosigner(uow, actor, cosigner.username, cosigner.password, (Role.CLINICIAN,))
    return second.username


def order_for_visit(session: Session, visit: Visit) -> InfusionOrder | None:
    """The newest order for this visit, or for its series."""
    query = select(InfusionOrder).where(InfusionOrder.visit_id == visit.id)
    if visit.series_id is not None:
        query = select(InfusionOrder).where(
            (InfusionOrder.visit_id == visit.id) | (InfusionOrder.series_id == visit.series_id)
        )
    return session.scalars(query.order_by(InfusionOrder.id.desc()).limit(1)).first()


def require_order(session: Session, visit: Visit) -> InfusionOrder:
    """The hard stop: no infusion starts without a clinician's order."""
    order = order_for_visit(session, visit)
    if order is None:
        raise PrepNotReady("There is no order for this infusion: a clinician must record one.")
    return order


def require_vial_when_stock_is_kept(session: Session, drug: str) -> None:
    """Once the clinic keeps the drug's stock on the desk, every start names its vial.

    A clinic that has not received any lot yet can still start without one (its log
    begins with its first receipt); after that, a start without a vial would leave
    milligrams the ledger cannot account for.
    """
    kept = session.scalars(
        select(StockLot.id).where(StockLot.drug == drug, StockLot.balance_ug > 0).limit(1)
    ).first()
    if kept is not None:
        raise PrepNotReady(
            f"{drug} is kept in the controlled-substance stock: start the infusion from the "
            "drug record (Controlled substance → Drug record), choosing the vial."
        )


def current_order(desk: Desk, visit_id: int) -> OrderView | None:
    """Any signed-in staff: the order that applies to this visit, if any."""
    desk.require()
    with desk.read() as session:
        visit = session.get(Visit, visit_id)
        if visit is None:
            raise NotFound("That visit no longer exists.")
        order = order_for_visit(session, visit)
        return _view(order) if order else None


def _view(row: InfusionOrder) -> OrderView:
    dose = Dose(row.dose_ug_per_kg, row.weight_g, row.dose_ug, row.duration_min, row.rate_ug_per_h)
    return OrderView(
        id=row.id,
        drug=row.drug,
        dose_mg_per_kg=mg_text(dose.ug_per_kg),
        weight_kg=mg_text(dose.weight_g),  # grams → kg is the same ÷1000 as µg → mg
        weight_source=row.weight_source,
        dose_mg=mg_text(dose.total_ug),
        dose_ug=dose.total_ug,
        duration_min=dose.duration_min,
        rate_mg_per_h=mg_text(dose.rate_ug_per_h),
        notes=row.notes,
        ordered_by=row.ordered_by,
        ordered_at=row.ordered_at.astimezone(),
        cosigned_by=row.cosigned_by,
        for_series=row.series_id is not None,
    )
