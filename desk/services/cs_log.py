"""Printing the controlled-substance log of a lot and the periodic inventory form."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.db.models import ClinicSettings, StockLot, StockMovement
from desk.domain.dosing import mg_text
from desk.domain.errors import ValidationError
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.pdf.cs_log import (
    CsLog,
    InventoryForm,
    InventoryLine,
    LogLine,
    LotHeading,
    render_cs_log,
    render_inventory_form,
)
from desk.pdf.data import ClinicInfo, DocumentKind, new_document_id
from desk.services.context import Desk
from desk.services.settings import policy_from_json
from desk.services.stock import MovementView, lot_view, movement_views

LOG_ROLES = (Role.NURSE, Role.CLINICIAN, Role.ADMIN)


def day_start(day: date) -> datetime:
    """Local midnight at the start of ``day`` (the clinic's calendar day)."""
    return datetime.combine(day, time()).astimezone()


def cs_log_pdf(desk: Desk, lot_id: int, since: date, until: date) -> bytes:
    """Nurse, clinician or admin: the log of one lot from ``since`` to ``until`` inclusive."""
    desk.require(*LOG_ROLES)
    if until < since:
        raise ValidationError("The period ends before it starts.", "until")
    start, end = day_start(since), day_start(until + timedelta(days=1))
    with desk.read() as session:
        lot = session.get(StockLot, lot_id)
        if lot is None:
            raise ValidationError("That lot is not in stock.", "lot")
        opening = session.scalars(
            select(StockMovement.balance_ug)
            .where(StockMovement.lot_id == lot_id, StockMovement.at < start)
            .order_by(StockMovement.id.desc())
            .limit(1)
        ).first()
        lines = tuple(log_line(m) for m in movement_views(session, lot_id, start, end))
        clinic, policy = clinic_for_print(session)
        log = CsLog(
            clinic=clinic,
            lot=heading(lot),
            since=since,
            until=until,
            opening_ug=opening or 0,
            lines=lines,
            document_id=new_document_id(DocumentKind.CS_LOG, desk.now().date()),
            policy=policy,
            created_at=desk.now().astimezone(),
        )
    return render_cs_log(log)


def inventory_pdf(desk: Desk) -> bytes:
    """Nurse, clinician or admin: the inventory form for every lot that holds stock."""
    desk.require(*LOG_ROLES)
    with desk.read() as session:
        lots = session.scalars(
            select(StockLot).where(StockLot.balance_ug > 0).order_by(StockLot.id)
        )
        lines = []
        for lot in lots:
            view = lot_view(session, lot.id)
            lines.append(
                InventoryLine(heading(lot), view.balance_ug, view.sealed_vials, view.in_use_ug)
            )
        clinic, policy = clinic_for_print(session)
    form = InventoryForm(
        clinic=clinic,
        taken_at=desk.now().astimezone(),
        lines=tuple(lines),
        document_id=new_document_id(DocumentKind.INVENTORY, desk.now().date()),
        policy=policy,
    )
    return render_inventory_form(form)


def heading(lot: StockLot) -> LotHeading:
    return LotHeading(
        lot.drug,
        lot.lot_number,
        mg_text(lot.concentration_ug_per_ml),
        mg_text(lot.vial_ul),
        lot.expiry,
    )


def log_line(m: MovementView) -> LogLine:
    visit = f"visit {m.visit_id} / {m.mrn}" if m.visit_id else ""
    return LogLine(
        m.at,
        m.kind.label,
        m.vials,
        m.amount_ug,
        m.balance_ug,
        visit,
        m.by,
        m.witness,
        m.detail,
        m.audit_seq,
    )


def clinic_for_print(session: Session) -> tuple[ClinicInfo, ClinicPolicy]:
    row = session.get(ClinicSettings, 1)
    if row is None:
        raise ValidationError("The clinic has not been set up yet.")
    return ClinicInfo(row.name, row.phone, row.address), policy_from_json(row.policy_json)
