"""The transport service: reception and nurses record the ride and confirm it by phone."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from desk.db.models import AuditEntry
from desk.domain.errors import NotPermitted, StaleEdit, ValidationError
from desk.domain.transport import PickupPlan, ResponsibleAdult, TransportStatus
from desk.services import transport
from desk.services.context import Desk
from tests.helpers.fixtures import FakeClock
from tests.services.nurse_rows import ADULT, add_visit, nurse_and_receptionist


def audit_count(desk: Desk) -> int:
    with desk.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_reception_records_and_confirms_the_ride(admin_desk: Desk, clock: FakeClock) -> None:
    _, reception = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    assert transport.transport_for(reception, visit_id).status is TransportStatus.NOT_RECORDED
    before = audit_count(admin_desk)
    ride = transport.record_transport(reception, visit_id, ADULT, PickupPlan.FAMILY_DRIVES, None)
    assert audit_count(admin_desk) == before + 1
    assert ride.status is TransportStatus.NOT_CONFIRMED
    assert ride.badge == "Ride not confirmed"
    confirmed = transport.confirm_by_phone(reception, visit_id, ride.version)
    assert audit_count(admin_desk) == before + 2
    assert confirmed.status is TransportStatus.CONFIRMED
    assert confirmed.confirmed_by == "Rita"  # shown by full name
    assert confirmed.confirmed_at == clock.now


def test_the_phone_is_stored_normalised_and_shown_readably(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    ride = transport.record_transport(
        nurse, add_visit(admin_desk), ADULT, PickupPlan.FRIEND_DRIVES, None
    )
    assert ride.adult_phone == "(201) 555-0123"


def test_changing_the_adult_drops_the_old_confirmation(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    ride = transport.record_transport(nurse, visit_id, ADULT, PickupPlan.FAMILY_DRIVES, None)
    ride = transport.confirm_by_phone(nurse, visit_id, ride.version)
    other = ResponsibleAdult("Tom Lee", "201-555-0199", "Husband")
    changed = transport.record_transport(nurse, visit_id, other, PickupPlan.FAMILY_DRIVES,
                                         ride.version)  # fmt: skip
    assert changed.status is TransportStatus.NOT_CONFIRMED
    assert changed.confirmed_by is None


def test_saving_the_same_ride_again_keeps_the_confirmation(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    ride = transport.record_transport(nurse, visit_id, ADULT, PickupPlan.FAMILY_DRIVES, None)
    ride = transport.confirm_by_phone(nurse, visit_id, ride.version)
    again = transport.record_transport(nurse, visit_id, ADULT, PickupPlan.FAMILY_DRIVES,
                                       ride.version)  # fmt: skip
    assert again.status is TransportStatus.CONFIRMED


def test_driving_themselves_is_recorded_but_cannot_be_confirmed(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    ride = transport.record_transport(nurse, visit_id, ADULT, PickupPlan.DRIVES_SELF, None)
    assert ride.status is TransportStatus.NOT_ACCEPTABLE
    with pytest.raises(ValidationError, match="may not drive"):
        transport.confirm_by_phone(nurse, visit_id, ride.version)


def test_confirming_before_anything_is_recorded_is_refused(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    with pytest.raises(ValidationError, match="Record who takes the patient home"):
        transport.confirm_by_phone(nurse, add_visit(admin_desk))


def test_an_impossible_phone_number_is_refused(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    bad = ResponsibleAdult("Maria Lopez", "12", "Sister")
    with pytest.raises(ValidationError) as err:
        transport.record_transport(nurse, add_visit(admin_desk), bad, PickupPlan.FAMILY_DRIVES,
                                   None)  # fmt: skip
    assert err.value.field == "adult_phone"


def test_a_stale_ride_save_is_refused(admin_desk: Desk) -> None:
    nurse, reception = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    ride = transport.record_transport(nurse, visit_id, ADULT, PickupPlan.FAMILY_DRIVES, None)
    transport.confirm_by_phone(reception, visit_id, ride.version)
    other = ResponsibleAdult("Tom Lee", "201-555-0199", "Husband")
    with pytest.raises(StaleEdit):
        transport.record_transport(nurse, visit_id, other, PickupPlan.FAMILY_DRIVES, ride.version)


def test_a_closed_visit_keeps_its_ride(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk, status="cancelled")
    with pytest.raises(ValidationError, match="closed"):
        transport.record_transport(nurse, visit_id, ADULT, PickupPlan.FAMILY_DRIVES, None)


def test_an_admin_without_a_desk_role_cannot_record_a_ride(admin_desk: Desk) -> None:
    with pytest.raises(NotPermitted):
        transport.record_transport(admin_desk, add_visit(admin_desk), ADULT,
                                   PickupPlan.FAMILY_DRIVES, None)  # fmt: skip
