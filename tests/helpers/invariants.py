"""What must hold in a clinic database at any instant, even right after a crash.

``problems(engine)`` returns one sentence per broken rule (empty when all hold): the
SQLite file is intact, the audit chain verifies, and every committed change is whole —
each visit's state history is an unbroken road matched one-to-one by audit entries,
each visit's timestamps agree with its state, and each stored consent has its PDF bytes,
a matching SHA-256 and its audit entry; and the controlled-substance ledger balances —
each lot's running balance adds up line by line from zero, never goes negative, equals
the lot's balance, every line is in the audit chain, and every witnessed waste plus the
amount given equals what the opened vials held.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict

from sqlalchemy import Engine, select, text

from desk.db.models import (
    Administration,
    AuditEntry,
    ConsentDocument,
    Patient,
    SideEffect,
    StockLot,
    StockMovement,
    Transport,
    Visit,
    VisitStatusChange,
    VitalsReading,
)
from desk.domain.visit_states import VisitState
from desk.services import audit
from desk.services.context import Desk
from tests.helpers.clinic_flow import STATUS_ACTIONS

_S = VisitState
# Which timestamp each state must have set (and which it must not).
_PAST_ARRIVAL = {_S.ARRIVED, _S.PREP_CLEARED, _S.INFUSING, _S.RECOVERY, _S.DISCHARGED}
_STAMPS = {
    "arrived_at": _PAST_ARRIVAL,
    "cleared_at": {_S.PREP_CLEARED, _S.INFUSING, _S.RECOVERY, _S.DISCHARGED},
    "infusion_start": {_S.INFUSING, _S.RECOVERY, _S.DISCHARGED},
    "infusion_end": {_S.RECOVERY, _S.DISCHARGED},
    "discharged_at": {_S.DISCHARGED},
}


def problems(engine: Engine) -> list[str]:
    found: list[str] = []
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            result = conn.execute(text("PRAGMA integrity_check")).scalars().all()
        if result != ["ok"]:
            found.append(f"integrity_check: {result[:3]}")
    _count, problem = audit.verify(Desk(engine))
    if problem is not None:
        found.append(f"audit chain broken: {problem}")
    with engine.connect() as conn:
        entries = conn.execute(
            select(AuditEntry.action, AuditEntry.entity, AuditEntry.entity_id, AuditEntry.summary)
            .order_by(AuditEntry.seq)
        ).all()
        visits = conn.execute(select(Visit)).all()
        changes = conn.execute(select(VisitStatusChange).order_by(VisitStatusChange.id)).all()
        patients = conn.execute(select(Patient.id)).scalars().all()
        vitals = Counter(conn.execute(select(VitalsReading.visit_id)).scalars())
        effects = Counter(conn.execute(select(SideEffect.visit_id)).scalars())
        rides = conn.execute(select(Transport.visit_id, Transport.confirmed_by)).all()
        consents = conn.execute(
            select(ConsentDocument.id, ConsentDocument.pdf, ConsentDocument.sha256)
        ).all()
    by_key: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for action, entity, entity_id, summary in entries:
        by_key[(entity, entity_id)].append((action, summary))
    found += _visit_problems(visits, changes, by_key)
    found += _row_problems(patients, vitals, effects, rides, consents, by_key)
    found += ledger_problems(engine)
    return found


def ledger_problems(engine: Engine) -> list[str]:
    found = []
    with engine.connect() as conn:
        lots = {lot.id: lot.balance_ug for lot in conn.execute(select(StockLot))}
        lines = conn.execute(select(StockMovement).order_by(StockMovement.id)).all()
        summaries = dict(conn.execute(select(AuditEntry.seq, AuditEntry.summary)).all())
        records = conn.execute(select(Administration)).all()
        by_visit = Counter(
            (m.visit_id, m.kind, -m.amount_ug) for m in lines if m.visit_id is not None
        )
    running: dict[int, int] = defaultdict(int)
    for line in lines:
        running[line.lot_id] += line.amount_ug
        if running[line.lot_id] != line.balance_ug or line.balance_ug < 0:
            found.append(f"ledger line {line.id}: balance {line.balance_ug} does not add up")
        said = dict(p.partition("=")[::2] for p in summaries.get(line.audit_seq, "").split(", "))
        wanted = {"amount_ug": str(line.amount_ug), "balance_ug": str(line.balance_ug),
                  "lot": str(line.lot_id)}  # fmt: skip
        if any(said.get(key) != value for key, value in wanted.items()):
            found.append(f"ledger line {line.id} is not in the audit chain")
    for lot_id, balance in lots.items():
        if running[lot_id] != balance:
            found.append(f"lot {lot_id}: balance {balance}, ledger adds up to {running[lot_id]}")
    for r in records:
        if r.given_ug is not None and not by_visit[(r.visit_id, "administration", r.given_ug)]:
            found.append(f"visit {r.visit_id}: amount given without its ledger line")
        if r.waste_at is None:
            continue
        if r.given_ug is None or r.waste_ug is None or r.given_ug + r.waste_ug != r.drawn_ug:
            found.append(f"visit {r.visit_id}: given + wasted is not what the vials held")
        elif r.waste_ug and not by_visit[(r.visit_id, "waste", r.waste_ug)]:
            found.append(f"visit {r.visit_id}: waste without its ledger line")
    return found


def _status_audits(trail: list[tuple[str, str]]) -> list[str]:
    """The states the audit trail says a visit went through, in order."""
    states = []
    for action, summary in trail:
        if action not in STATUS_ACTIONS:
            continue
        if action == "prep.hold" and "from=prep_cleared" not in summary:
            continue  # a hold before clearance records the reason, not a state change
        states.append(STATUS_ACTIONS[action])
    return states


def _visit_problems(visits, changes, by_key) -> list[str]:  # type: ignore[no-untyped-def]
    found = []
    history: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for change in changes:
        if change.from_status != change.to_status:  # equal: a reschedule, not a state change
            history[change.visit_id].append((change.from_status, change.to_status))
    for visit in visits:
        trail = by_key.get(("visit", str(visit.id)), [])
        if not any(action == "visit.book" for action, _ in trail):
            found.append(f"visit {visit.id} has no booking audit entry")
        road = history.get(visit.id, [])
        state = _S.SCHEDULED.value
        for before, after in road:
            if before != state:
                found.append(f"visit {visit.id}: history jumps from {state} to {before}")
            state = after
        if state != visit.status:
            found.append(f"visit {visit.id} is {visit.status} but its history ends at {state}")
        audited = _status_audits(trail)
        if audited != [after for _, after in road]:
            found.append(f"visit {visit.id}: audit says {audited}, history says {road}")
        status = _S(visit.status)
        for column, states in _STAMPS.items():
            has = getattr(visit, column) is not None
            # Arrival stays recorded when an arrived visit is closed as a no-show/cancelled.
            if column == "arrived_at" and status in (_S.NO_SHOW, _S.CANCELLED):
                continue
            if has != (status in states):
                found.append(
                    f"visit {visit.id} is {status.value} but {column} is "
                    f"{'set' if has else 'empty'}"
                )
    return found


def _row_problems(patients, vitals, effects, rides, consents, by_key) -> list[str]:  # type: ignore[no-untyped-def]
    found = []

    def count(entity: str, ident: object, action: str) -> int:
        return sum(1 for a, _ in by_key.get((entity, str(ident)), []) if a == action)

    for patient_id in patients:
        if count("patient", patient_id, "patient.register") != 1:
            found.append(f"patient {patient_id} has no registration audit entry")
    for visit_id, n in vitals.items():
        if count("visit", visit_id, "vitals.record") != n:
            found.append(
                f"visit {visit_id}: {n} vitals readings, "
                f"{count('visit', visit_id, 'vitals.record')} audit entries"
            )
    for visit_id, n in effects.items():
        if count("visit", visit_id, "side_effect.record") != n:
            found.append(f"visit {visit_id}: side effects and audit entries differ")
    for visit_id, confirmed_by in rides:
        if not count("visit", visit_id, "transport.record"):
            found.append(f"visit {visit_id}: transport row without its audit entry")
        if confirmed_by and not count("visit", visit_id, "transport.confirm"):
            found.append(f"visit {visit_id}: ride confirmation without its audit entry")
    for doc_id, pdf, sha in consents:
        data = bytes(pdf or b"")
        if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
            found.append(f"consent {doc_id}: stored PDF is missing or cut short")
        if hashlib.sha256(data).hexdigest() != sha:
            found.append(f"consent {doc_id}: PDF bytes do not match the stored SHA-256")
        if count("consent_document", doc_id, "consent.sign") != 1:
            found.append(f"consent {doc_id} has no signing audit entry")
    return found
