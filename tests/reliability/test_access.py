"""Access control beyond the role table: break-glass, disabled accounts, locked desks."""

from __future__ import annotations

import pytest

from desk.domain.errors import AccountDisabled, NotFound, NotPermitted
from desk.domain.roles import Role
from desk.services import audit, auth, prep, settings, staff
from desk.services.context import Desk
from tests.helpers.fixtures import STAFF_PASSWORD, add_person


def enable_break_glass(admin_desk: Desk) -> None:
    info = settings.clinic_info(admin_desk)
    settings.update_clinic(
        admin_desk, expected_version=info.version, name=info.name, address=info.address,
        phone=info.phone, costs_text=info.costs_text, policy=info.policy,
        break_glass_enabled=True,
    )


def test_break_glass_is_loudly_audited_and_lasts_one_session(admin_desk: Desk) -> None:
    enable_break_glass(admin_desk)
    add_person(admin_desk, "rita", Role.RECEPTIONIST)
    signed_out = admin_desk.as_actor(None)
    emergency = auth.sign_in(signed_out, "rita", STAFF_PASSWORD, break_glass=True)
    assert emergency.has(Role.NURSE) and emergency.break_glass
    # Everything done in that session is marked as break-glass in the trail...
    prep_desk = admin_desk.as_actor(emergency)
    with pytest.raises(NotFound):  # nurse rights: the checklist is only "not found"
        prep.hold(prep_desk, 999_999, "Blood pressure high")
    staff.change_own_password(prep_desk, STAFF_PASSWORD, STAFF_PASSWORD)
    entries = audit.browse(admin_desk, audit.AuditFilter(actor="rita"))
    granted = [e for e in entries if e.action == "auth.break_glass"]
    assert len(granted) == 1 and "break-glass" in granted[0].role
    done = [e for e in entries if e.action == "staff.change_password"]
    assert len(done) == 1 and done[0].role == "nurse receptionist (break-glass)"
    # ...and the next ordinary sign-in is a receptionist again.
    normal = auth.sign_in(signed_out, "rita", STAFF_PASSWORD)
    assert not normal.has(Role.NURSE) and not normal.break_glass
    with pytest.raises(NotPermitted):
        prep.hold(admin_desk.as_actor(normal), 1, "reason")
    assert audit.verify(admin_desk)[1] is None


def test_break_glass_cannot_be_used_when_the_clinic_has_not_enabled_it(admin_desk: Desk) -> None:
    add_person(admin_desk, "rita", Role.RECEPTIONIST)
    before = audit.change_counter(admin_desk)
    with pytest.raises(NotPermitted, match="not enabled"):
        auth.sign_in(admin_desk.as_actor(None), "rita", STAFF_PASSWORD, break_glass=True)
    assert audit.change_counter(admin_desk) == before  # nothing granted, nothing recorded


def test_disabled_account_cannot_sign_in_even_with_break_glass(admin_desk: Desk) -> None:
    enable_break_glass(admin_desk)
    add_person(admin_desk, "nina", Role.NURSE)
    staff.set_disabled(admin_desk, "nina", True)
    for emergency in (False, True):
        with pytest.raises(AccountDisabled):
            auth.sign_in(admin_desk.as_actor(None), "nina", STAFF_PASSWORD,
                         break_glass=emergency)


def test_a_signed_out_desk_can_neither_read_nor_change_anything(admin_desk: Desk) -> None:
    locked = admin_desk.as_actor(None)
    for attempt in (
        lambda: staff.list_staff(locked),
        lambda: audit.browse(locked, audit.AuditFilter()),
        lambda: prep.readiness(locked, 1),
        lambda: auth.confirm_password(locked, STAFF_PASSWORD),
        lambda: staff.change_own_password(locked, STAFF_PASSWORD, "another-password-9"),
    ):
        with pytest.raises(NotPermitted, match="Sign in"):
            attempt()
