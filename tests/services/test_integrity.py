"""Issue 15: damage and rewriting are found, a missing head is a sentence, access changes
reach signed-in desks, unknown user names lock like known ones."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text

from desk.db.models import AuditEntry
from desk.domain.audit_chain import GENESIS_HASH, AuditRecord, chain_hash
from desk.domain.errors import (
    AccessChanged,
    AccountLocked,
    AuditTrailDamaged,
    NotPermitted,
    SignInFailed,
)
from desk.domain.patients import PatientDraft
from desk.domain.roles import Role
from desk.services import auth, demo, integrity, patients, staff
from desk.services.context import Desk
from desk.services.witness import WitnessFile
from tests.helpers.fixtures import STAFF_PASSWORD, FakeClock, add_person


def _register(desk: Desk, last: str = "Ngata") -> patients.PatientView:
    draft = PatientDraft(
        legal_first_name="Aroha", legal_last_name=last, dob=date(1980, 1, 2),
        phones=("+12015550188",),
    )
    return patients.register_patient(desk, draft, confirm_not_duplicate=True)


def _rechain(desk: Desk, rows: list[AuditRecord]) -> None:
    """What a forger with write access does: store ``rows`` as the chain, every hash and
    the head recomputed."""
    prev = GENESIS_HASH
    with desk.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry"))
        for seq, row in enumerate(rows, start=1):
            record = AuditRecord(**{**row.__dict__, "seq": seq, "prev_hash": prev, "hash": ""})
            digest = chain_hash(prev, record)
            conn.execute(
                AuditEntry.__table__.insert(), [{**record.__dict__, "hash": digest}]
            )
            prev = digest
        conn.execute(
            text("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1"),
            {"seq": len(rows), "hash": prev},
        )


def _records(desk: Desk) -> list[AuditRecord]:
    with desk.read() as session:
        return [
            AuditRecord(r.seq, r.at, r.actor, r.role, r.workstation, r.action, r.entity,
                        r.entity_id, r.summary, r.prev_hash, r.hash)
            for r in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))
        ]


@pytest.fixture
def witnessed_desk(sqlite_admin_desk: Desk, tmp_path_factory: pytest.TempPathFactory) -> Desk:
    folder = tmp_path_factory.mktemp("witness")
    return sqlite_admin_desk.__class__(
        sqlite_admin_desk.engine, sqlite_admin_desk.workstation, sqlite_admin_desk.actor,
        sqlite_admin_desk.clock, witness=WitnessFile(folder / "clinic.heads"),
    )


def _verify(desk: Desk) -> str | None:
    heads = desk.witness.heads() if desk.witness else {}
    return integrity.verify_database(desk, heads).problem


def test_a_demo_clinic_verifies(witnessed_desk: Desk) -> None:
    demo.load_demo(witnessed_desk, patients=40, seed=2)
    assert witnessed_desk.witness is not None
    report = integrity.verify_database(witnessed_desk, witnessed_desk.witness.heads())
    assert report.problem is None
    assert [line.split(":")[0] for line in report.passed] == [
        "storage", "schema", "audit trail", "consents"
    ]


def test_one_changed_byte_of_a_stored_consent_is_named(witnessed_desk: Desk) -> None:
    demo.load_demo(witnessed_desk, patients=40, seed=2)
    with witnessed_desk.engine.begin() as conn:
        uid, pdf = conn.execute(
            text("SELECT document_uid, pdf FROM consent_document ORDER BY id LIMIT 1")
        ).one()
        changed = pdf[:500] + bytes([pdf[500] ^ 1]) + pdf[501:]
        conn.execute(
            text("UPDATE consent_document SET pdf = :pdf WHERE document_uid = :uid"),
            {"pdf": changed, "uid": uid},
        )
    problem = _verify(witnessed_desk)
    assert problem is not None and uid in problem and "SHA-256" in problem


def test_an_entry_edited_with_chain_and_head_recomputed_is_caught_by_the_witness(
    witnessed_desk: Desk,
) -> None:
    _register(witnessed_desk)
    rows = _records(witnessed_desk)
    rows[1] = AuditRecord(**{**rows[1].__dict__, "actor": "mallory"})
    _rechain(witnessed_desk, rows)
    assert _verify(Desk(witnessed_desk.engine)) is None  # the database alone cannot tell
    problem = _verify(witnessed_desk)
    assert problem is not None and "rewritten" in problem


def test_a_cut_tail_with_the_head_fixed_is_caught_by_the_witness(witnessed_desk: Desk) -> None:
    _register(witnessed_desk, "One")
    _register(witnessed_desk, "Two")
    _rechain(witnessed_desk, _records(witnessed_desk)[:-1])
    problem = _verify(witnessed_desk)
    assert problem is not None and "removed" in problem


def test_an_emptied_audit_trail_is_not_intact(witnessed_desk: Desk) -> None:
    with witnessed_desk.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry"))
        conn.execute(text("DELETE FROM audit_head"))
    assert "empty" in (_verify(Desk(witnessed_desk.engine)) or "")
    assert _verify(witnessed_desk) is not None


def test_reordered_entries_with_a_recomputed_chain_are_caught_by_time_order(
    sqlite_admin_desk: Desk, clock: FakeClock
) -> None:
    clock.advance(minutes=5)
    _register(sqlite_admin_desk)
    rows = _records(sqlite_admin_desk)
    rows[-1], rows[-2] = rows[-2], rows[-1]
    _rechain(sqlite_admin_desk, rows)
    problem = integrity.verify_database(sqlite_admin_desk).problem
    assert problem is not None and "reordered" in problem


def test_a_clock_running_behind_never_dates_an_entry_before_the_last(
    admin_desk: Desk, clock: FakeClock
) -> None:
    clock.advance(hours=-3)
    _register(admin_desk)
    rows = _records(admin_desk)
    assert rows[-1].at >= rows[-2].at
    assert integrity.verify_database(admin_desk).problem is None


def test_a_deleted_head_row_is_a_sentence_for_every_action(admin_desk: Desk) -> None:
    with admin_desk.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_head"))
    with pytest.raises(AuditTrailDamaged, match="restore the database from a backup"):
        _register(admin_desk)
    with pytest.raises(AuditTrailDamaged):
        auth.sign_in(admin_desk.as_actor(None), "admin", "admin-password-1")
    with pytest.raises(AuditTrailDamaged):
        auth.sign_in(admin_desk.as_actor(None), "admin", "wrong-password")


def test_a_disabled_person_signed_in_is_refused_at_the_next_save(admin_desk: Desk) -> None:
    rita = admin_desk.as_actor(add_person(admin_desk, "rita", Role.RECEPTIONIST))
    _register(rita, "Before")
    staff.set_disabled(admin_desk, "rita", True)
    told: list[bool] = []
    listening = rita.__class__(
        rita.engine, rita.workstation, rita.actor, rita.clock,
        on_access_changed=lambda: told.append(True),
    )
    with pytest.raises(AccessChanged, match="Your access has changed; sign in again"):
        _register(listening, "After")
    assert told == [True]
    with admin_desk.read() as session:
        assert session.scalar(text("SELECT count(*) FROM patient")) == 1


def test_a_demoted_admin_cannot_create_an_admin(admin_desk: Desk) -> None:
    boss = admin_desk.as_actor(add_person(admin_desk, "boss", Role.ADMIN))
    version = next(s.version for s in staff.list_staff(admin_desk) if s.username == "boss")
    staff.set_roles(admin_desk, "boss", frozenset({Role.RECEPTIONIST}), version)
    with pytest.raises(NotPermitted, match="access has changed"):
        staff.add_staff(boss, "eve", "Eve", frozenset({Role.ADMIN}), STAFF_PASSWORD)
    assert "eve" not in {s.username for s in staff.list_staff(admin_desk)}


def test_unknown_names_lock_exactly_like_known_ones(admin_desk: Desk) -> None:
    add_person(admin_desk, "rita", Role.RECEPTIONIST)
    anonymous = admin_desk.as_actor(None)
    answers: dict[str, list[str]] = {"rita": [], "ghost": []}
    for name, seen in answers.items():
        for _ in range(6):
            with pytest.raises((SignInFailed, AccountLocked)) as error:
                auth.sign_in(anonymous, name, "wrong-password")
            seen.append(f"{type(error.value).__name__}: {error.value}")
    assert answers["ghost"] == answers["rita"]
    assert answers["rita"][-1].startswith("AccountLocked")


def test_an_admin_ends_a_lockout_with_one_command(admin_desk: Desk) -> None:
    add_person(admin_desk, "rita", Role.RECEPTIONIST)
    anonymous = admin_desk.as_actor(None)
    for _ in range(5):
        with pytest.raises((SignInFailed, AccountLocked)):
            auth.sign_in(anonymous, "rita", "wrong-password")
    staff.unlock(admin_desk, "rita")
    assert auth.sign_in(anonymous, "rita", STAFF_PASSWORD).username == "rita"
