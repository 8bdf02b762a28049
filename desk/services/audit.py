"""Reading and verifying the audit trail (the writing is UnitOfWork.audit)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from desk.db.models import AuditEntry, AuditHead
from desk.domain.audit_chain import GENESIS_HASH, AuditRecord, ChainProblem, verify_chain
from desk.domain.roles import Role
from desk.services.context import Desk

PAGE_SIZE = 500


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    entity: str = ""
    entity_id: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _record(row: AuditEntry) -> AuditRecord:
    return AuditRecord(
        row.seq,
        row.at,
        row.actor,
        row.role,
        row.workstation,
        row.action,
        row.entity,
        row.entity_id,
        row.summary,
        row.prev_hash,
        row.hash,
    )


def _stream(session: Session) -> Iterator[AuditRecord]:
    # Batches keep memory flat on a years-long trail.
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(5000)
        ).all()
        if not rows:
            return
        for row in rows:
            yield _record(row)
        last = rows[-1].seq
        session.expunge_all()


def verify(
    desk: Desk, witnessed: Mapping[int, str] | None = None
) -> tuple[int, ChainProblem | None]:
    """(number of entries checked, first problem or None); see ``verify_chain``."""
    with desk.read() as session:
        head = session.get(AuditHead, 1)
        head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
        count = 0

        def counted() -> Iterator[AuditRecord]:
            nonlocal count
            for rec in _stream(session):
                count += 1
                yield rec

        problem = verify_chain(counted(), head_seq, head_hash, witnessed)
        return count, problem


def _filtered(flt: AuditFilter) -> Select[AuditEntry]:
    query = select(AuditEntry)
    if flt.actor:
        query = query.where(AuditEntry.actor == flt.actor.strip().lower())
    if flt.action:
        query = query.where(AuditEntry.action.startswith(flt.action.strip()))
    if flt.entity:
        query = query.where(AuditEntry.entity == flt.entity.strip())
    if flt.entity_id:
        query = query.where(AuditEntry.entity_id == flt.entity_id.strip())
    if flt.since:
        query = query.where(AuditEntry.at >= flt.since)
    if flt.until:
        query = query.where(AuditEntry.at < flt.until)
    return query


def browse(desk: Desk, flt: AuditFilter, limit: int = PAGE_SIZE) -> list[AuditRecord]:
    """Admin: the newest matching entries first."""
    desk.require(Role.ADMIN)
    with desk.read() as session:
        rows = session.scalars(_filtered(flt).order_by(AuditEntry.seq.desc()).limit(limit))
        return [_record(r) for r in rows]


def actions(desk: Desk) -> list[str]:
    desk.require(Role.ADMIN)
    with desk.read() as session:
        return list(
            session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
        )


def change_counter(desk: Desk) -> int:
    """A number that moves on every committed change: cheap to poll for live boards."""
    with desk.read() as session:
        head = session.get(AuditHead, 1)
        return head.seq if head else 0
