"""The audit hash chain detects edits, deletions, insertions and reordering."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from desk.domain.audit_chain import (
    GENESIS_HASH,
    AuditRecord,
    chain_hash,
    summarise_changes,
    verify_chain,
)

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _chain(n: int) -> list[AuditRecord]:
    records: list[AuditRecord] = []
    prev = GENESIS_HASH
    for i in range(1, n + 1):
        rec = AuditRecord(i, T0 + timedelta(seconds=i), "rita", "receptionist", "desk-1",
                          "visit.check_in", "visit", str(i), "status=arrived", prev)
        rec = replace(rec, hash=chain_hash(prev, rec))
        records.append(rec)
        prev = rec.hash
    return records


def test_intact_chain_verifies() -> None:
    chain = _chain(5)
    assert verify_chain(chain, 5, chain[-1].hash) is None


def test_empty_chain_verifies() -> None:
    assert verify_chain([], 0, GENESIS_HASH) is None


def test_edited_entry_is_named() -> None:
    chain = _chain(5)
    chain[2] = replace(chain[2], summary="status=discharged")
    problem = verify_chain(chain, 5, chain[-1].hash)
    assert problem is not None and problem.seq == 3 and "edited" in problem.reason


def test_deleted_entry_is_detected() -> None:
    chain = _chain(5)
    del chain[1]
    problem = verify_chain(chain, 5, chain[-1].hash)
    assert problem is not None and problem.seq == 3


def test_reordered_entries_are_detected() -> None:
    chain = _chain(5)
    chain[1], chain[2] = chain[2], chain[1]
    assert verify_chain(chain, 5, chain[-1].hash) is not None


def test_truncated_tail_is_detected_by_the_head() -> None:
    chain = _chain(5)
    problem = verify_chain(chain[:4], 5, chain[-1].hash)
    assert problem is not None and "head" in problem.reason


def test_summary_keeps_names_of_phi_fields_but_not_their_values() -> None:
    assert summarise_changes({"status": "arrived", "notes": None}) == "notes, status=arrived"


@given(st.integers(min_value=1, max_value=30), st.data())
def test_any_single_edit_is_detected(n: int, data: st.DataObject) -> None:
    chain = _chain(n)
    i = data.draw(st.integers(min_value=0, max_value=n - 1))
    chain[i] = replace(chain[i], actor=chain[i].actor + "x")
    problem = verify_chain(chain, n, chain[-1].hash)
    assert problem is not None and problem.seq == i + 1
