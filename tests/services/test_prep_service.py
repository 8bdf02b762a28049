"""The prep checklist service: confirmations, clearance by nurses only, holds, audit."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from desk.db.models import AuditEntry, PrepCheck, VisitStatusChange, VitalsReading
from desk.domain.errors import (
    NotPermitted,
    PrepNotReady,
    StaleEdit,
    TransitionRefused,
    ValidationError,
)
from desk.domain.fasting import PrepStatus
from desk.domain.readiness import PrepItem, Readiness
from desk.domain.visit_states import VisitState
from desk.domain.vitals import Vitals
from desk.services import prep
from desk.services.context import Desk
from tests.helpers.fixtures import FakeClock
from tests.services.nurse_rows import add_visit, confirm_everything, nurse_and_receptionist


def audit_count(desk: Desk, action: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEntry)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    with desk.read() as session:
        return session.scalar(query) or 0


def audit_summaries(desk: Desk, action: str) -> list[str]:
    with desk.read() as session:
        query = select(AuditEntry.summary).where(AuditEntry.action == action)
        return list(session.scalars(query))


def test_fresh_arrival_is_not_ready_and_nothing_is_ok_by_default(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    view = prep.readiness(nurse, add_visit(admin_desk))
    assert view.verdict is Readiness.NOT_READY
    statuses = {i.item: i.status for i in view.items}
    for item in (
        PrepItem.FOOD,
        PrepItem.FLUIDS,
        PrepItem.CLOTHING,
        PrepItem.TRANSPORT,
        PrepItem.VITALS,
    ):
        assert statuses[item] is PrepStatus.NOT_CONFIRMED
    assert statuses[PrepItem.CANDIDACY] is PrepStatus.OK
    assert statuses[PrepItem.CONSENT] is PrepStatus.OK


def test_confirmed_items_say_who_confirmed_them_and_when(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    view = confirm_everything(nurse, add_visit(admin_desk))
    at = nurse.now().astimezone().strftime("%H:%M")
    assert view.item(PrepItem.FOOD).confirmed == f"Confirmed by Nina at {at}"
    assert view.item(PrepItem.CLOTHING).confirmed == f"Checked by Nina at {at}"
    assert view.item(PrepItem.TRANSPORT).confirmed == f"Phoned by Nina at {at}"
    assert view.item(PrepItem.VITALS).confirmed == f"Taken by Nina at {at}"
    assert view.verdict is Readiness.READY


def test_nurse_clears_a_ready_patient_with_exactly_one_audit_entry(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    view = confirm_everything(nurse, visit_id)
    before = audit_count(admin_desk)
    cleared = prep.clear_for_infusion(nurse, visit_id, expected_version=view.prep_version)
    assert audit_count(admin_desk) == before + 1
    assert cleared.status is VisitState.PREP_CLEARED
    assert cleared.cleared.startswith("Cleared by Nina at ")
    with admin_desk.read() as session:
        change = session.scalars(select(VisitStatusChange)).one()
        assert (change.from_status, change.to_status, change.by) == (
            "arrived", "prep_cleared", "nina")  # fmt: skip


def test_receptionist_cannot_clear_for_infusion(admin_desk: Desk) -> None:
    nurse, reception = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    view = confirm_everything(nurse, visit_id)
    with pytest.raises(NotPermitted):
        prep.clear_for_infusion(reception, visit_id, expected_version=view.prep_version)
    assert prep.readiness(nurse, visit_id).status is VisitState.ARRIVED


def test_receptionist_cannot_record_prep_items(admin_desk: Desk) -> None:
    _, reception = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    with pytest.raises(NotPermitted):
        prep.confirm_clothing(reception, visit_id, True, 0)
    with pytest.raises(NotPermitted):
        prep.record_vitals(reception, visit_id, Vitals(120, 80, 70, 98))


def test_clearing_with_an_unconfirmed_item_is_refused_and_names_it(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    view = prep.confirm_clothing(nurse, visit_id, True, 0)
    with pytest.raises(PrepNotReady, match="Food"):
        prep.clear_for_infusion(
            nurse, visit_id, overrides={PrepItem.FOOD: "we checked"},
            expected_version=view.prep_version,
        )  # fmt: skip


def test_food_three_hours_ago_blocks_until_overridden_with_a_reason(
    admin_desk: Desk,
) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk, start_in_minutes=0)
    view = confirm_everything(nurse, visit_id)
    now = nurse.now()
    view = prep.record_intake(
        nurse, visit_id, now - timedelta(hours=3), now - timedelta(hours=3), True,
        view.prep_version,
    )  # fmt: skip
    assert view.item(PrepItem.FOOD).status is PrepStatus.NOT_READY
    assert view.ready_at is not None
    with pytest.raises(PrepNotReady, match="override it with a reason"):
        prep.clear_for_infusion(nurse, visit_id, expected_version=view.prep_version)
    with pytest.raises(PrepNotReady):  # a blank reason counts as none
        prep.clear_for_infusion(
            nurse, visit_id, overrides={PrepItem.FOOD: "   "}, expected_version=view.prep_version
        )
    before = audit_count(admin_desk)
    cleared = prep.clear_for_infusion(
        nurse, visit_id, overrides={PrepItem.FOOD: "Only a cracker; anaesthetist agreed"},
        expected_version=view.prep_version,
    )  # fmt: skip
    assert audit_count(admin_desk) == before + 1
    summary = audit_summaries(admin_desk, "prep.clear")[0]
    assert "food" in summary and "cracker" not in summary
    assert cleared.item(PrepItem.FOOD).override_reason == "Only a cracker; anaesthetist agreed"
    with admin_desk.read() as session:
        stored = json.loads(session.get(PrepCheck, visit_id).overrides)  # type: ignore[union-attr]
    assert stored["food"]["by"] == "nina"


def test_missing_consent_cannot_be_overridden(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk, consent=False)
    view = confirm_everything(nurse, visit_id)
    assert view.item(PrepItem.CONSENT).status is PrepStatus.NOT_READY
    with pytest.raises(PrepNotReady, match="cannot be overridden"):
        prep.clear_for_infusion(
            nurse, visit_id, overrides={PrepItem.CONSENT: "signed on paper"},
            expected_version=view.prep_version,
        )  # fmt: skip


def test_review_vitals_are_a_soft_stop_passed_with_one_nurses_note(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    confirm_everything(nurse, visit_id)
    prep.record_vitals(nurse, visit_id, Vitals(141, 88, 72, 98))
    view = prep.readiness(nurse, visit_id)
    assert view.verdict is Readiness.READY_WITH_REVIEW
    with pytest.raises(PrepNotReady, match="note"):
        prep.clear_for_infusion(
            nurse, visit_id, review_clinician="Dr Rivera", expected_version=view.prep_version
        )
    cleared = prep.clear_for_infusion(
        nurse, visit_id, review_clinician="Dr Rivera", review_note="Known white-coat rise",
        expected_version=view.prep_version,
    )  # fmt: skip
    assert (cleared.review_clinician, cleared.review_note) == (
        "Dr Rivera", "Known white-coat rise")  # fmt: skip


def test_remeasured_vitals_keep_both_readings_and_the_latest_counts(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    confirm_everything(nurse, visit_id)
    prep.record_vitals(nurse, visit_id, Vitals(165, 95, 80, 97))
    assert prep.readiness(nurse, visit_id).item(PrepItem.VITALS).status is PrepStatus.NOT_READY
    prep.record_vitals(nurse, visit_id, Vitals(132, 84, 76, 98))
    view = prep.readiness(nurse, visit_id)
    assert [r.vitals.systolic for r in view.readings] == [122, 165, 132]
    assert view.item(PrepItem.VITALS).status is PrepStatus.OK
    with admin_desk.read() as session:
        assert session.scalar(select(func.count()).select_from(VitalsReading)) == 3


def test_implausible_vitals_are_refused_naming_the_field(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    with pytest.raises(ValidationError) as err:
        prep.record_vitals(nurse, add_visit(admin_desk), Vitals(1200, 80, 70, 98))
    assert err.value.field == "systolic"


def test_intake_time_after_now_or_before_yesterday_is_refused(
    admin_desk: Desk, clock: FakeClock
) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    with pytest.raises(ValidationError) as later:
        prep.record_intake(nurse, visit_id, clock.now + timedelta(minutes=5), None, None, 0)
    assert later.value.field == "last_food_at"
    with pytest.raises(ValidationError) as early:
        prep.record_intake(nurse, visit_id, None, clock.now - timedelta(days=3), True, 0)
    assert early.value.field == "last_fluid_at"
    assert audit_count(admin_desk, "prep.intake") == 0


def test_each_recorded_item_writes_one_audit_entry(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    before = audit_count(admin_desk)
    view = prep.record_intake(nurse, visit_id, nurse.now() - timedelta(hours=6), None, None, 0)
    prep.confirm_clothing(nurse, visit_id, False, view.prep_version)
    prep.record_vitals(nurse, visit_id, Vitals(120, 80, 70, 98))
    assert audit_count(admin_desk) == before + 3


def test_a_stale_checklist_save_is_refused(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    first = prep.confirm_clothing(nurse, visit_id, True, 0)
    prep.confirm_clothing(nurse, visit_id, False, first.prep_version)
    with pytest.raises(StaleEdit):
        prep.confirm_clothing(nurse, visit_id, True, first.prep_version)


def test_hold_after_clearing_goes_back_to_arrived_with_the_reason(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    view = confirm_everything(nurse, visit_id)
    cleared = prep.clear_for_infusion(nurse, visit_id, expected_version=view.prep_version)
    before = audit_count(admin_desk)
    held = prep.hold(nurse, visit_id, "Patient feels unwell", cleared.prep_version)
    assert audit_count(admin_desk) == before + 1
    assert held.status is VisitState.ARRIVED
    assert held.hold_reason == "Patient feels unwell"
    assert held.cleared == ""
    with admin_desk.read() as session:
        changes = session.scalars(select(VisitStatusChange).order_by(VisitStatusChange.id)).all()
        assert [(c.to_status, c.reason) for c in changes] == [
            ("prep_cleared", ""), ("arrived", "Patient feels unwell")]  # fmt: skip


def test_hold_needs_a_reason(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    with pytest.raises(ValidationError):
        prep.hold(nurse, add_visit(admin_desk), "  ")


def test_clearing_twice_is_refused_by_the_state_machine(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    view = confirm_everything(nurse, visit_id)
    cleared = prep.clear_for_infusion(nurse, visit_id, expected_version=view.prep_version)
    with pytest.raises(TransitionRefused, match="already"):
        prep.clear_for_infusion(nurse, visit_id, expected_version=cleared.prep_version)


def test_a_scheduled_visit_cannot_be_cleared(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    with pytest.raises(TransitionRefused, match="check the patient in first"):
        prep.clear_for_infusion(nurse, add_visit(admin_desk, status="scheduled"),
                                expected_version=None)  # fmt: skip


def test_checklist_cannot_change_after_clearance(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    view = confirm_everything(nurse, visit_id)
    cleared = prep.clear_for_infusion(nurse, visit_id, expected_version=view.prep_version)
    with pytest.raises(PrepNotReady, match="hold"):
        prep.confirm_clothing(nurse, visit_id, False, cleared.prep_version)
