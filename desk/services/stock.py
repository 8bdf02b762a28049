"""Controlled-substance stock: receiving lots, the per-lot ledger and its running balance.

Every movement is one append-only ``StockMovement`` row and one audit entry in the same
transaction; the row keeps the audit sequence number, so the paper log and the hash chain
point at each other. Receipts and removals need a second person's password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.db.models import Administration, Patient, StockLot, StockMovement, Visit
from desk.domain.dosing import UG_PER_MG, mg_text, parse_decimal, vial_content_ug, whole
from desk.domain.entries import one_line, reason_text
from desk.domain.errors import ValidationError
from desk.domain.ledger import MANUAL_REMOVALS, Movement, next_balance, sealed_vials_expected
from desk.domain.roles import Role
from desk.services.context import Desk, UnitOfWork
from desk.services.cosign import confirm_cosigner
from desk.services.orders import Cosigner
from desk.services.settings import load_policy

STOCK_ROLES = (Role.NURSE, Role.CLINICIAN)
MAX_FIELD = 80
MAX_VIALS = 10_000


@dataclass(frozen=True)
class LotView:
    id: int
    drug: str
    lot_number: str
    expiry: date
    concentration_mg_per_ml: str
    vial_ml: str
    vial_ug: int
    balance_ug: int
    in_use_ug: int
    sealed_vials: int
    version: int

    @property
    def label(self) -> str:
        return (
            f"{self.drug} lot {self.lot_number}, {self.concentration_mg_per_ml} mg/mL × "
            f"{self.vial_ml} mL, expires {self.expiry.isoformat()}"
        )

    @property
    def balance_mg(self) -> str:
        return mg_text(self.balance_ug)


@dataclass(frozen=True)
class AuditAs:
    action: str
    entity: str
    entity_id: object
    summary: dict[str, object]


@dataclass(frozen=True)
class MovementView:
    id: int
    lot_id: int
    kind: Movement
    amount_ug: int
    balance_ug: int
    vials: int
    at: datetime
    by: str
    witness: str
    visit_id: int | None
    mrn: str
    detail: str
    audit_seq: int


def receive(
    desk: Desk,
    *,
    drug: str,
    lot_number: str,
    expiry: date,
    concentration_mg_per_ml: str,
    vial_ml: str,
    vials: int,
    supplier: str,
    invoice: str,
    witness: Cosigner,
) -> LotView:
    """Nurse or clinician with a second person: vials received into a (new or known) lot."""
    actor = desk.require(*STOCK_ROLES)
    concentration = whole(
        parse_decimal(concentration_mg_per_ml, "concentration", "concentration") * UG_PER_MG
    )
    vial_ul = whole(parse_decimal(vial_ml, "vial_ml", "vial volume") * 1000)
    _check_count(vials)
    lot_number = one_line(lot_number, "lot_number", MAX_FIELD)
    supplier = one_line(supplier, "supplier", MAX_FIELD)
    invoice = one_line(invoice, "invoice", MAX_FIELD)
    with desk.write() as uow:
        second = confirm_cosigner(uow, actor, witness.username, witness.password, STOCK_ROLES)
        if drug not in _drugs(uow):
            raise ValidationError(
                f"{drug or 'That drug'} is not on the clinic's drug list.", "drug"
            )
        if expiry <= desk.now().astimezone().date():
            raise ValidationError(
                "This lot has already expired; do not receive it into stock.", "expiry"
            )
        lot = _lot(uow.session, drug, lot_number.strip(), concentration)
        if lot is None:
            lot = StockLot(
                drug=drug,
                lot_number=lot_number.strip(),
                expiry=expiry,
                concentration_ug_per_ml=concentration,
                vial_ul=vial_ul,
                balance_ug=0,
                created_at=desk.now(),
            )
            uow.session.add(lot)
            uow.session.flush()
        elif lot.vial_ul != vial_ul or lot.expiry != expiry:
            raise ValidationError(
                "This lot is already in stock with another vial size or expiry; check the label.",
                "lot_number",
            )
        amount = vial_content_ug(concentration, vial_ul) * vials
        post(
            uow,
            lot,
            Movement.RECEIPT,
            amount,
            vials=vials,
            witness=second.username,
            supplier=supplier.strip(),
            invoice=invoice.strip(),
        )
        uow.commit()
        return _lot_view(uow.session, lot)


def remove(
    desk: Desk, lot_id: int, kind: Movement, vials: int, reason: str, witness: Cosigner
) -> LotView:
    """Sealed vials leave stock: returned, expired for destruction, or lost (two people)."""
    actor = desk.require(*STOCK_ROLES)
    if kind not in MANUAL_REMOVALS:
        raise ValidationError("Only returns, expired vials and losses are recorded here.", "kind")
    _check_count(vials)
    reason = reason_text(reason, "reason")
    with desk.write() as uow:
        second = confirm_cosigner(uow, actor, witness.username, witness.password, STOCK_ROLES)
        lot = uow.get(StockLot, lot_id, "lot")
        view = _lot_view(uow.session, lot)
        if vials > view.sealed_vials:
            raise ValidationError(
                f"Only {view.sealed_vials} sealed vials of this lot are on the shelf.", "vials"
            )
        post(
            uow,
            lot,
            kind,
            view.vial_ug * vials,
            vials=vials,
            witness=second.username,
            reason=reason.strip(),
        )
        uow.commit()
        return _lot_view(uow.session, lot)


def post(
    uow: UnitOfWork,
    lot: StockLot,
    kind: Movement,
    amount_ug: int,
    *,
    vials: int = 0,
    witness: str | None = None,
    visit_id: int | None = None,
    supplier: str = "",
    invoice: str = "",
    reason: str = "",
    audit_as: AuditAs | None = None,
) -> StockMovement:
    """Append one ledger line and its audit entry; the lot's balance moves with it.

    ``audit_as`` makes the movement part of the audit entry of the action that caused it
    (the end of an infusion), so one action is still one entry in the chain.
    """
    balance = next_balance(lot.balance_ug, kind, amount_ug)
    signed = balance - lot.balance_ug
    lot.balance_ug = balance
    uow.touch(lot)
    summary: dict[str, object] = {
        "lot": lot.id,
        "movement": kind.value,
        "amount_ug": signed,
        "balance_ug": balance,
        "vials": vials,
        "witness": witness or "",
        "visit": visit_id or "",
        "reason": None if reason else "",
    }
    if audit_as is None:
        uow.audit(f"stock.{kind.value}", "stock_lot", lot.id, summary)
    else:
        uow.audit(
            audit_as.action, audit_as.entity, audit_as.entity_id, {**audit_as.summary, **summary}
        )
    # The entry just appended (on PostgreSQL by the server's function, which the session's
    # AuditHead object does not see): its number ties the ledger line to the chain.
    assert uow.head is not None
    row = StockMovement(
        lot_id=lot.id,
        kind=kind.value,
        amount_ug=signed,
        balance_ug=balance,
        vials=vials,
        at=uow.desk.now(),
        by=uow.desk.actor.username if uow.desk.actor else "system",
        witness=witness,
        visit_id=visit_id,
        supplier=supplier,
        invoice=invoice,
        reason=reason,
        audit_seq=uow.head[0],
    )
    uow.session.add(row)
    return row


def lots(desk: Desk, include_empty: bool = False) -> list[LotView]:
    """Nurse, clinician or admin: the lots in stock with balance and sealed vials."""
    desk.require(Role.NURSE, Role.CLINICIAN, Role.ADMIN)
    with desk.read() as session:
        rows = session.scalars(
            select(StockLot).order_by(StockLot.drug, StockLot.expiry, StockLot.id)
        )
        views = [_lot_view(session, lot) for lot in rows]
        return [v for v in views if include_empty or v.balance_ug > 0]


def movements(
    desk: Desk, lot_id: int, since: datetime | None = None, until: datetime | None = None
) -> list[MovementView]:
    """Nurse, clinician or admin: a lot's ledger lines, oldest first."""
    desk.require(Role.NURSE, Role.CLINICIAN, Role.ADMIN)
    with desk.read() as session:
        return movement_views(session, lot_id, since, until)


def movement_views(
    session: Session, lot_id: int | None, since: datetime | None, until: datetime | None
) -> list[MovementView]:
    query = (
        select(StockMovement, Patient.mrn)
        .outerjoin(Visit, Visit.id == StockMovement.visit_id)
        .outerjoin(Patient, Patient.id == Visit.patient_id)
    )
    if lot_id is not None:
        query = query.where(StockMovement.lot_id == lot_id)
    if since is not None:
        query = query.where(StockMovement.at >= since)
    if until is not None:
        query = query.where(StockMovement.at < until)
    rows = session.execute(query.order_by(StockMovement.id))
    return [_movement_view(m, mrn or "") for m, mrn in rows]


def _movement_view(row: StockMovement, mrn: str) -> MovementView:
    detail = row.reason
    if row.kind == Movement.RECEIPT.value:
        detail = f"{row.supplier}, invoice {row.invoice}"
    return MovementView(
        row.id,
        row.lot_id,
        Movement(row.kind),
        row.amount_ug,
        row.balance_ug,
        row.vials,
        row.at.astimezone(),
        row.by,
        row.witness or "",
        row.visit_id,
        mrn,
        detail,
        row.audit_seq,
    )


def lot_view(session: Session, lot_id: int) -> LotView:
    lot = session.get(StockLot, lot_id)
    if lot is None:
        raise ValidationError("That lot is not in stock.", "lot")
    return _lot_view(session, lot)


def _lot_view(session: Session, lot: StockLot) -> LotView:
    vial_ug = vial_content_ug(lot.concentration_ug_per_ml, lot.vial_ul)
    in_use = in_use_ug(session, lot.id)
    return LotView(
        id=lot.id,
        drug=lot.drug,
        lot_number=lot.lot_number,
        expiry=lot.expiry,
        concentration_mg_per_ml=mg_text(lot.concentration_ug_per_ml),
        vial_ml=mg_text(lot.vial_ul),
        vial_ug=vial_ug,
        balance_ug=lot.balance_ug,
        in_use_ug=in_use,
        sealed_vials=sealed_vials_expected(lot.balance_ug, in_use, vial_ug),
        version=lot.version,
    )


def in_use_ug(session: Session, lot_id: int) -> int:
    """What vials opened for infusions hold until their amount given and waste are recorded."""
    open_remainder = Administration.drawn_ug - func.coalesce(Administration.given_ug, 0)
    held = session.scalar(
        select(func.coalesce(func.sum(open_remainder), 0)).where(
            Administration.lot_id == lot_id, Administration.waste_at.is_(None)
        )
    )
    return int(held or 0)


def _lot(session: Session, drug: str, lot_number: str, concentration: int) -> StockLot | None:
    return session.scalars(
        select(StockLot).where(
            StockLot.drug == drug,
            StockLot.lot_number == lot_number,
            StockLot.concentration_ug_per_ml == concentration,
        )
    ).first()


def _drugs(uow: UnitOfWork) -> tuple[str, ...]:
    return load_policy(uow.session).drugs


def _check_count(vials: int) -> None:
    if vials <= 0 or vials > MAX_VIALS:
        raise ValidationError(f"Enter a number of vials from 1 to {MAX_VIALS}.", "vials")
