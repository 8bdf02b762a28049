"""Closing the clinic day: count every lot with a witness, list what is still open, and
keep the day report (PDF and CSV) with the audit chain head printed at its foot.

The counts, any count adjustments, the close's audit entry and the stored report are one
transaction: a crash leaves either a closed day with its report or nothing.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.db.models import (
    Administration,
    ConsentDocument,
    DayClose,
    InfusionOrder,
    Patient,
    StockLot,
    Transport,
    Visit,
    VisitStatusChange,
)
from desk.domain.consent import consent_valid_until
from desk.domain.dosing import mg_text
from desk.domain.entries import reason_text
from desk.domain.errors import NotFound, ValidationError
from desk.domain.ledger import CountResult, Movement, check_count
from desk.domain.roles import Role
from desk.domain.visit_states import VisitState
from desk.pdf.data import DocumentKind, new_document_id
from desk.pdf.day_report import (
    CountLine,
    DayReport,
    InfusionLine,
    day_report_csv,
    render_day_report,
)
from desk.services.context import Desk, UnitOfWork
from desk.services.cosign import confirm_cosigner
from desk.services.cs_log import clinic_for_print, day_start, log_line
from desk.services.orders import Cosigner
from desk.services.prep import staff_names
from desk.services.settings import load_policy
from desk.services.stock import STOCK_ROLES, lot_view, movement_views, post

OPEN_STATES = (
    VisitState.ARRIVED,
    VisitState.PREP_CLEARED,
    VisitState.INFUSING,
    VisitState.RECOVERY,
)


@dataclass(frozen=True)
class LotToCount:
    lot_id: int
    label: str
    expected_vials: int
    in_use_mg: str


@dataclass(frozen=True)
class DayToClose:
    day: date
    lots: tuple[LotToCount, ...]
    open_items: tuple[str, ...]
    closed: str  # "Closed at … by …" or ""


@dataclass(frozen=True)
class ClosedDay:
    day: date
    report_pdf: bytes
    report_csv: str
    audit_seq: int
    audit_hash: str
    discrepancies: tuple[str, ...]


def day_to_close(desk: Desk, day: date) -> DayToClose:
    """Nurse: what the close will count and what is still open."""
    desk.require(Role.NURSE)
    with desk.read() as session:
        lots = tuple(
            LotToCount(v.id, v.label, v.sealed_vials, mg_text(v.in_use_ug))
            for v in (lot_view(session, lot.id) for lot in _lots(session))
        )
        done = session.scalars(select(DayClose).where(DayClose.day == day)).first()
        closed = (
            f"Closed at {done.closed_at.astimezone():%H:%M} by {done.closed_by}" if done else ""
        )
        return DayToClose(day, lots, tuple(open_items(session, day, desk.now())), closed)


def close_day(
    desk: Desk,
    day: date,
    counted: dict[int, int],
    reasons: dict[int, str],
    witness: Cosigner,
) -> ClosedDay:
    """Nurse with a witness: record the counts, adjust for witnessed discrepancies, report."""
    actor = desk.require(Role.NURSE)
    with desk.write() as uow:
        second = confirm_cosigner(uow, actor, witness.username, witness.password, STOCK_ROLES)
        session = uow.session
        if session.scalars(select(DayClose).where(DayClose.day == day)).first() is not None:
            raise ValidationError(f"{day.isoformat()} is already closed.", "day")
        results = _count(uow, counted, reasons, second.username)
        items = open_items(session, day, desk.now())
        uow.audit("day.close", "day", day.isoformat(),
                  {"lots": len(results), "discrepancies": sum(r.discrepancy for r, _ in results),
                   "open_items": len(items), "witness": second.username})  # fmt: skip
        session.flush()
        # The chain head after the entry above (on PostgreSQL the server's function moved
        # it, so the session's AuditHead object would be stale).
        assert uow.head is not None
        head_seq, head_hash = uow.head
        report = _report(session, desk, day, actor.full_name, second.full_name, results, items,
                         head_seq, head_hash)  # fmt: skip
        pdf, text = render_day_report(report), day_report_csv(report)
        session.add(DayClose(
            day=day, closed_by=actor.username, witness=second.username, closed_at=desk.now(),
            audit_seq=head_seq, audit_hash=head_hash,
            counts_json=json.dumps({str(r.lot_id): r.counted_vials for r, _ in results}),
            report_pdf=pdf, report_csv=text,
        ))  # fmt: skip
        uow.commit()
        return ClosedDay(day, pdf, text, head_seq, head_hash,
                         tuple(r.text() for r, _ in results if r.discrepancy))  # fmt: skip


def stored_report(desk: Desk, day: date) -> tuple[bytes, str]:
    """Nurse, clinician or admin: a closed day's report exactly as it was stored."""
    desk.require(Role.NURSE, Role.CLINICIAN, Role.ADMIN)
    with desk.read() as session:
        row = session.scalars(select(DayClose).where(DayClose.day == day)).first()
        if row is None:
            raise NotFound(f"{day.isoformat()} has not been closed.")
        return row.report_pdf, row.report_csv


def _count(
    uow: UnitOfWork, counted: dict[int, int], reasons: dict[int, str], witness: str
) -> list[tuple[CountResult, str]]:
    out = []
    for lot in _lots(uow.session):
        if lot.id not in counted:
            raise ValidationError(f"Count lot {lot.lot_number} before closing the day.", "counted")
        view = lot_view(uow.session, lot.id)
        reason = reason_text(reasons.get(lot.id, ""), "reason", required=False)
        result = check_count(
            lot.id, view.sealed_vials, counted[lot.id], view.vial_ug, reason, witness
        )
        if result.discrepancy:
            post(
                uow,
                lot,
                Movement.COUNT_ADJUSTMENT,
                result.difference_ug,
                vials=result.counted_vials - result.expected_vials,
                witness=witness,
                reason=reason,
            )
        out.append((result, reason))
    return out


def _lots(session: Session) -> list[StockLot]:
    return list(
        session.scalars(select(StockLot).where(StockLot.balance_ug > 0).order_by(StockLot.id))
    )


def _day_visits(session: Session, day: date) -> list[tuple[Visit, str]]:
    start = day_start(day)
    rows = session.execute(
        select(Visit, Patient.mrn).join(Patient, Patient.id == Visit.patient_id)
        .where(Visit.scheduled_start >= start, Visit.scheduled_start < start + timedelta(days=1))
        .order_by(Visit.scheduled_start, Visit.id)
    )  # fmt: skip
    return [(v, mrn) for v, mrn in rows]


def open_items(session: Session, day: date, now: datetime) -> list[str]:
    """What a person must still finish or chase, by MRN (never by name)."""
    items = []
    for visit, mrn in _day_visits(session, day):
        when = visit.scheduled_start.astimezone()
        if VisitState(visit.status) in OPEN_STATES:
            items.append(f"{when:%H:%M} {mrn}: not discharged ({VisitState(visit.status).label}).")
        record = session.get(Administration, visit.id)
        if record is None and visit.infusion_start is not None:
            items.append(f"{when:%H:%M} {mrn}: infusion started without the vial recorded.")
        elif record is not None and record.given_ug is None:
            items.append(f"{when:%H:%M} {mrn}: infusion without the amount given.")
        elif record is not None and record.waste_at is None:
            items.append(f"{when:%H:%M} {mrn}: waste not witnessed.")
    items.extend(_expiring_consents(session, day))
    items.extend(_unconfirmed_rides(session, day + timedelta(days=1), now))
    return items


def _expiring_consents(session: Session, day: date) -> list[str]:
    policy = load_policy(session)
    latest: dict[tuple[int, str], date] = {}
    rows = session.execute(
        select(ConsentDocument.patient_id, ConsentDocument.treatment, ConsentDocument.signed_at)
    )
    for patient_id, treatment, signed_at in rows:
        key = (patient_id, treatment)
        latest[key] = max(latest.get(key, date.min), signed_at.astimezone().date())
    horizon = day + timedelta(days=policy.consent_expiry_warning_days)
    mrns: dict[int, str] = {}
    if latest:
        mrns = {pid: mrn for pid, mrn in session.execute(select(Patient.id, Patient.mrn))}
    out = []
    for (patient_id, treatment), signed in sorted(latest.items()):
        until = consent_valid_until(signed, policy)
        if day <= until <= horizon:
            out.append(f"{mrns.get(patient_id, '?')}: {treatment.replace('_', ' ')} consent "
                       f"expires {until.isoformat()}.")  # fmt: skip
    return out


def _unconfirmed_rides(session: Session, day: date, now: datetime) -> list[str]:
    """Judged as the board and the call list judge them (one transport truth)."""
    from desk.services.call_list import is_ride_confirmed

    policy = load_policy(session)
    return [
        f"Tomorrow {visit.scheduled_start.astimezone():%H:%M} {mrn}: ride not confirmed."
        for visit, mrn in _day_visits(session, day)
        if visit.status == VisitState.SCHEDULED.value and visit.visit_type != "consultation"
        and not is_ride_confirmed(
            session.get(Transport, visit.id), policy, visit.scheduled_start, now
        )
    ]  # fmt: skip


def _report(
    session: Session, desk: Desk, day: date, closed_by: str, witness: str,
    results: list[tuple[CountResult, str]], items: list[str], seq: int, digest: str,
) -> DayReport:  # fmt: skip
    visits = _day_visits(session, day)
    clinic, policy = clinic_for_print(session)
    start = day_start(day)
    end = start + timedelta(days=1)
    labels = {r.lot_id: lot_view(session, r.lot_id).label for r, _ in results}
    return DayReport(
        clinic=clinic, day=day, closed_by=closed_by, witness=witness,
        closed_at=desk.now().astimezone(),
        status_counts=tuple(sorted(Counter(VisitState(v.status).label for v, _ in visits).items())),
        late_arrivals=sum(1 for v, _ in visits if v.late),
        minutes_in_status=_minutes_in_status(session, [v.id for v, _ in visits]),
        infusions=_infusions(session, visits),
        movements=tuple(log_line(m) for m in movement_views(session, None, start, end)),
        counts=tuple(
            CountLine(labels[r.lot_id], r.expected_vials, r.counted_vials, r.text(), reason)
            for r, reason in results
        ),
        open_items=tuple(items), audit_seq=seq, audit_hash=digest,
        document_id=new_document_id(DocumentKind.DAY_REPORT, day), policy=policy,
    )  # fmt: skip


def _minutes_in_status(session: Session, visit_ids: list[int]) -> tuple[tuple[str, int], ...]:
    """Average minutes spent in each status, from each visit's status history."""
    spans: dict[str, list[float]] = defaultdict(list)
    changes = session.scalars(
        select(VisitStatusChange).where(VisitStatusChange.visit_id.in_(visit_ids))
        .order_by(VisitStatusChange.visit_id, VisitStatusChange.at, VisitStatusChange.id)
    )  # fmt: skip
    previous: VisitStatusChange | None = None
    for change in changes:
        if previous is not None and previous.visit_id == change.visit_id:
            spans[previous.to_status].append((change.at - previous.at).total_seconds() / 60)
        previous = change
    return tuple(
        (VisitState(status).label, round(sum(m) / len(m))) for status, m in sorted(spans.items())
    )


def _infusions(session: Session, visits: list[tuple[Visit, str]]) -> tuple[InfusionLine, ...]:
    names = staff_names(session)
    out = []
    for visit, mrn in visits:
        record = session.get(Administration, visit.id)
        if record is None or visit.infusion_start is None:
            continue
        order = session.get(InfusionOrder, record.order_id)
        lot = session.get(StockLot, record.lot_id)
        assert order is not None and lot is not None
        out.append(InfusionLine(
            visit.infusion_start.astimezone(), mrn, order.drug, order.dose_ug, record.given_ug,
            record.waste_ug, lot.lot_number, names.get(record.started_by, record.started_by),
        ))  # fmt: skip
    return tuple(out)
