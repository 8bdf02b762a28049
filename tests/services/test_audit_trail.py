"""Every change writes an audit entry in its transaction; tampering in the table is caught."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from desk.domain.errors import NotPermitted, StaleEdit
from desk.domain.roles import Role
from desk.services import audit, settings, staff
from desk.services.context import Desk
from tests.helpers.fixtures import add_person


def _some_changes(desk: Desk) -> None:
    add_person(desk, "rita", Role.RECEPTIONIST)
    add_person(desk, "nina", Role.NURSE)
    staff.set_disabled(desk, "rita", True)
    staff.reset_password(desk, "nina", "another-password-9")


def test_each_change_adds_exactly_one_entry(admin_desk: Desk) -> None:
    before = audit.change_counter(admin_desk)
    add_person(admin_desk, "rita", Role.RECEPTIONIST)
    assert audit.change_counter(admin_desk) == before + 1
    newest = audit.browse(admin_desk, audit.AuditFilter(), limit=1)[0]
    assert (newest.actor, newest.role, newest.workstation) == ("admin", "admin", "front-desk-1")
    assert newest.action == "staff.add" and "roles=receptionist" in newest.summary


def test_intact_trail_verifies(admin_desk: Desk) -> None:
    _some_changes(admin_desk)
    count, problem = audit.verify(admin_desk)
    assert problem is None and count == audit.change_counter(admin_desk)


def test_edited_row_is_detected(admin_desk: Desk) -> None:
    _some_changes(admin_desk)
    with admin_desk.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET actor = 'mallory' WHERE seq = 3"))
    _, problem = audit.verify(admin_desk)
    assert problem is not None and problem.seq == 3


def test_deleted_row_is_detected(admin_desk: Desk) -> None:
    _some_changes(admin_desk)
    with admin_desk.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq = 2"))
    _, problem = audit.verify(admin_desk)
    assert problem is not None and problem.seq == 3


def test_reordered_rows_are_detected(admin_desk: Desk) -> None:
    _some_changes(admin_desk)
    with admin_desk.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET seq = -1 WHERE seq = 2"))
        conn.execute(text("UPDATE audit_entry SET seq = 2 WHERE seq = 3"))
        conn.execute(text("UPDATE audit_entry SET seq = 3 WHERE seq = -1"))
    _, problem = audit.verify(admin_desk)
    assert problem is not None and problem.seq == 2


def test_row_inserted_out_of_band_is_detected(admin_desk: Desk) -> None:
    _some_changes(admin_desk)
    with admin_desk.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO audit_entry (seq, at, actor, role, workstation, action, entity,"
            " entity_id, summary, prev_hash, hash) SELECT seq + 1, at, actor, role,"
            " workstation, action, entity, entity_id, summary, hash, 'f00d' FROM audit_entry"
            " WHERE seq = (SELECT MAX(seq) FROM audit_entry)"))
    _, problem = audit.verify(admin_desk)
    assert problem is not None


def test_tail_deletion_is_detected(admin_desk: Desk) -> None:
    _some_changes(admin_desk)
    with admin_desk.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq = (SELECT MAX(seq) FROM audit_entry)"))
    _, problem = audit.verify(admin_desk)
    assert problem is not None


def test_failed_change_writes_no_entry(admin_desk: Desk) -> None:
    before = audit.change_counter(admin_desk)
    with pytest.raises(Exception):  # noqa: B017 - any refusal; the point is what was written
        staff.add_staff(admin_desk, "x", "X", frozenset({Role.NURSE}), "short")
    assert audit.change_counter(admin_desk) == before


def test_receptionist_cannot_read_the_trail(admin_desk: Desk) -> None:
    rita = admin_desk.as_actor(add_person(admin_desk, "rita", Role.RECEPTIONIST))
    with pytest.raises(NotPermitted):
        audit.browse(rita, audit.AuditFilter())


def test_stale_settings_save_names_who_changed_it(admin_desk: Desk) -> None:
    info = settings.clinic_info(admin_desk)
    other = admin_desk.as_actor(add_person(admin_desk, "ann", Role.ADMIN))
    other = Desk(other.engine, workstation="nurse-station", actor=other.actor, clock=other.clock)
    settings.update_clinic(
        other, expected_version=info.version, name="Harbour Clinic", address=info.address,
        phone=info.phone, costs_text="", policy=info.policy, break_glass_enabled=False,
    )
    with pytest.raises(StaleEdit) as err:
        settings.update_clinic(
            admin_desk, expected_version=info.version, name="Mine", address="", phone="",
            costs_text="", policy=info.policy, break_glass_enabled=False,
        )
    assert "nurse-station" in str(err.value) and "ann" in str(err.value)
    assert err.value.current["name"] == "Harbour Clinic"
    assert settings.clinic_info(admin_desk).name == "Harbour Clinic"


def test_overlong_clinic_name_is_refused_with_a_sentence_on_every_database(
    admin_desk: Desk,
) -> None:
    from desk.domain.errors import ValidationError

    info = settings.clinic_info(admin_desk)
    with pytest.raises(ValidationError, match="too long"):
        settings.update_clinic(
            admin_desk, expected_version=info.version, name="x" * 201, address="",
            phone="", costs_text="", policy=info.policy, break_glass_enabled=False,
        )
