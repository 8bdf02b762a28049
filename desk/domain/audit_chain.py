"""The audit trail's hash chain: canonical serialisation and verification."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditRecord:
    """One audit entry as the chain sees it (no database types)."""

    seq: int
    at: datetime
    actor: str
    role: str
    workstation: str
    action: str
    entity: str
    entity_id: str
    summary: str
    prev_hash: str
    hash: str = ""


def canonical(record: AuditRecord) -> bytes:
    """A stable byte form of every field except the hash itself.

    JSON with sorted keys and the instant as UTC ISO text with microseconds, so the same
    entry serialises identically on SQLite and PostgreSQL and across Python versions.
    """
    at = record.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = {
        "seq": record.seq,
        "at": at,
        "actor": record.actor,
        "role": record.role,
        "workstation": record.workstation,
        "action": record.action,
        "entity": record.entity,
        "entity_id": record.entity_id,
        "summary": record.summary,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, record: AuditRecord) -> str:
    """SHA-256 over the previous entry's hash and this entry's canonical form."""
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical(record)).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"audit entry {self.seq}: {self.reason}"


def verify_chain(
    records: Iterable[AuditRecord],
    head_seq: int,
    head_hash: str,
    witnessed: Mapping[int, str] | None = None,
) -> ChainProblem | None:
    """The first problem in the chain, or None when it is intact.

    Detects an edited entry (hash mismatch), a deleted or inserted entry (sequence gap or
    broken link), reordering (link mismatch, or an entry dated before the one it follows),
    and entries cut from the end (head mismatch). A chain rewritten with every hash
    recomputed passes those; ``witnessed`` (entry number → hash, as seen by workstations
    or carried by backups, kept outside the database) catches it: a witnessed entry that
    differs was rewritten, one that is missing was cut.
    """
    witnessed = witnessed or {}
    prev_hash = GENESIS_HASH
    prev_at: datetime | None = None
    expected_seq = 1
    for rec in records:
        if rec.seq != expected_seq:
            return ChainProblem(
                rec.seq, f"expected entry {expected_seq} here (missing or inserted)"
            )
        if rec.prev_hash != prev_hash:
            return ChainProblem(rec.seq, "does not link to the entry before it")
        if chain_hash(prev_hash, rec) != rec.hash:
            return ChainProblem(rec.seq, "content does not match its hash (edited)")
        if prev_at is not None and rec.at < prev_at:
            return ChainProblem(rec.seq, "is dated before the entry before it (reordered)")
        if witnessed.get(rec.seq, rec.hash) != rec.hash:
            return ChainProblem(
                rec.seq, "differs from what a workstation or backup recorded (history rewritten)"
            )
        prev_hash, prev_at = rec.hash, rec.at
        expected_seq += 1
    last_seq = expected_seq - 1
    if last_seq != head_seq or prev_hash != head_hash:
        return ChainProblem(
            last_seq + 1 if last_seq < head_seq else last_seq,
            f"chain ends at entry {last_seq} but the head records entry {head_seq} "
            "(entries removed from the end, or added out of band)",
        )
    beyond = [seq for seq in witnessed if seq > last_seq]
    if beyond:
        return ChainProblem(
            max(beyond),
            f"a workstation or backup recorded entry {max(beyond)} but the chain ends at "
            f"entry {last_seq} (entries removed from the end)",
        )
    return None


def summarise_changes(changes: dict[str, object]) -> str:
    """Summary text for an audit entry: field names and only non-PHI values.

    Services pass ``{"field": value}`` for values safe to keep (status, role, counts) and
    ``{"field": None}`` for fields whose content is PHI or free text: the name is recorded,
    never the value.
    """
    parts = []
    for name in sorted(changes):
        value = changes[name]
        parts.append(name if value is None else f"{name}={value}")
    return ", ".join(parts)
