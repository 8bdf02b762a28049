"""Infusion, side effects, recovery and discharge: nurses only, audited, driver verified."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from desk.db.models import AuditEntry, Transport, Visit, VisitStatusChange
from desk.domain.errors import NotPermitted, PrepNotReady, TransitionRefused, ValidationError
from desk.domain.roles import Role
from desk.domain.visit_states import VisitState
from desk.domain.vitals import CheckpointState, Vitals
from desk.services import infusion, prep, transport
from desk.services.context import Desk
from desk.services.cosign import Cosignature
from desk.services.infusion import SideEffectKind
from tests.helpers.fixtures import STAFF_PASSWORD, FakeClock, add_person
from tests.services.nurse_rows import (
    ADULT,
    GOOD_VITALS,
    add_visit,
    confirm_everything,
    nurse_and_receptionist,
)


def audit_count(desk: Desk) -> int:
    with desk.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def cleared_visit(admin_desk: Desk, nurse: Desk) -> int:
    visit_id = add_visit(admin_desk, start_in_minutes=0)
    view = confirm_everything(nurse, visit_id)
    prep.clear_for_infusion(nurse, visit_id, expected_version=view.prep_version)
    return visit_id


def in_recovery(admin_desk: Desk, nurse: Desk, clock: FakeClock) -> int:
    visit_id = cleared_visit(admin_desk, nurse)
    infusion.start_infusion(nurse, visit_id)
    clock.advance(minutes=40)
    prep.record_vitals(nurse, visit_id, GOOD_VITALS)
    clock.advance(minutes=60)
    infusion.end_infusion(nurse, visit_id)
    prep.record_vitals(nurse, visit_id, GOOD_VITALS)
    return visit_id


def discharge_kwargs(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "dissociation_resolved": True, "end_vitals_acceptable": True,
        "instructions_given": True, "collected_by_name": "Maria Lopez",
    }  # fmt: skip
    return {**base, **changes}


def test_start_is_refused_until_the_ride_is_confirmed(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = cleared_visit(admin_desk, nurse)
    with admin_desk.sessions() as session:  # the confirmation is withdrawn after clearance
        row = session.get(Transport, visit_id)
        assert row is not None
        row.confirmed_by, row.confirmed_at = None, None
        session.commit()
    with pytest.raises(PrepNotReady, match="not been confirmed by phone"):
        infusion.start_infusion(nurse, visit_id)
    transport.confirm_by_phone(nurse, visit_id)
    assert infusion.start_infusion(nurse, visit_id).status is VisitState.INFUSING


def test_start_before_clearance_is_refused_by_the_state_machine(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    confirm_everything(nurse, visit_id)
    with pytest.raises(TransitionRefused, match="clear the prep checklist first"):
        infusion.start_infusion(nurse, visit_id)


def test_hold_vitals_taken_after_clearance_block_the_start(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = cleared_visit(admin_desk, nurse)
    prep.record_vitals(nurse, visit_id, Vitals(170, 104, 90, 97))
    with pytest.raises(PrepNotReady, match="hold"):
        infusion.start_infusion(nurse, visit_id)


def test_receptionist_cannot_start_end_or_discharge(admin_desk: Desk, clock: FakeClock) -> None:
    nurse, reception = nurse_and_receptionist(admin_desk)
    visit_id = cleared_visit(admin_desk, nurse)
    with pytest.raises(NotPermitted):
        infusion.start_infusion(reception, visit_id)
    infusion.start_infusion(nurse, visit_id)
    clock.advance(minutes=40)
    with pytest.raises(NotPermitted):
        infusion.end_infusion(reception, visit_id)
    infusion.end_infusion(nurse, visit_id)
    prep.record_vitals(nurse, visit_id, GOOD_VITALS)
    clock.advance(minutes=31)
    with pytest.raises(NotPermitted):
        infusion.discharge(reception, visit_id, **discharge_kwargs())  # type: ignore[arg-type]


def test_full_infusion_writes_one_audit_entry_per_step(admin_desk: Desk, clock: FakeClock) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = cleared_visit(admin_desk, nurse)
    counts = [audit_count(admin_desk)]
    started = infusion.start_infusion(nurse, visit_id)
    counts.append(audit_count(admin_desk))
    assert started.infusion_start == clock.now
    infusion.record_side_effect(nurse, visit_id, SideEffectKind.NAUSEA)
    counts.append(audit_count(admin_desk))
    clock.advance(minutes=90)
    ended = infusion.end_infusion(nurse, visit_id)
    counts.append(audit_count(admin_desk))
    assert ended.ready_to_leave_at == clock.now + timedelta(minutes=30)
    prep.record_vitals(nurse, visit_id, GOOD_VITALS)
    counts.append(audit_count(admin_desk))
    clock.advance(minutes=30)
    done = infusion.discharge(nurse, visit_id, **discharge_kwargs())  # type: ignore[arg-type]
    counts.append(audit_count(admin_desk))
    assert [b - a for a, b in itertools.pairwise(counts)] == [1, 1, 1, 1, 1]
    assert done.status is VisitState.DISCHARGED
    assert done.discharged.startswith("Discharged by Nina")
    assert [e.label for e in done.side_effects] == ["Nausea"]
    with admin_desk.read() as session:
        path = session.scalars(
            select(VisitStatusChange.to_status).order_by(VisitStatusChange.id)
        ).all()
        visit = session.get(Visit, visit_id)
        assert visit is not None and visit.collected_by_name == "Maria Lopez"
        assert visit.driver_override_reason == "" and visit.early_discharge_reason == ""
    assert path == ["prep_cleared", "infusing", "recovery", "discharged"]


def test_end_vitals_check_point_is_done_after_a_reading_at_the_end(
    admin_desk: Desk, clock: FakeClock
) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = in_recovery(admin_desk, nurse, clock)
    view = infusion.infusion_view(nurse, visit_id)
    assert [c.state for c in view.checkpoints] == [CheckpointState.DONE] * 3
    assert view.end_reading is not None


def test_a_different_driver_needs_a_reason_their_details_and_a_cosigner(
    admin_desk: Desk, clock: FakeClock
) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    add_person(admin_desk, "amal", Role.CLINICIAN)
    visit_id = in_recovery(admin_desk, nurse, clock)
    clock.advance(minutes=30)
    with pytest.raises(ValidationError, match="not the recorded responsible adult") as err:
        infusion.discharge(nurse, visit_id, **discharge_kwargs(collected_by_name="Tom Lee"))  # type: ignore[arg-type]
    assert err.value.field == "driver_override_reason"
    with pytest.raises(ValidationError):
        infusion.discharge(nurse, visit_id, **discharge_kwargs(  # type: ignore[arg-type]
            collected_by_name="Tom Lee", driver_override_reason="  "))  # fmt: skip
    overridden = discharge_kwargs(
        collected_by_name="Tom Lee", driver_override_reason="Sister's husband; sister unwell"
    )
    with pytest.raises(ValidationError, match="related") as err:
        infusion.discharge(nurse, visit_id, **overridden)  # type: ignore[arg-type]
    overridden["collector"] = infusion.Collector("Brother-in-law", "201-555-0188", False)
    with pytest.raises(ValidationError, match="ID seen"):
        infusion.discharge(nurse, visit_id, **overridden)  # type: ignore[arg-type]
    overridden["collector"] = infusion.Collector("Brother-in-law", "201-555-0188", True)
    with pytest.raises(NotPermitted, match="second clinician"):
        infusion.discharge(nurse, visit_id, **overridden)  # type: ignore[arg-type]
    before = audit_count(admin_desk)
    overridden["cosigner"] = Cosignature("amal", STAFF_PASSWORD)
    done = infusion.discharge(nurse, visit_id, **overridden)  # type: ignore[arg-type]
    assert audit_count(admin_desk) == before + 1
    with admin_desk.read() as session:
        query = select(AuditEntry.summary).where(AuditEntry.action == "visit.discharge")
        summary = session.scalars(query).one()
        visit = session.get(Visit, visit_id)
        assert visit is not None and visit.driver_override_reason.startswith("Sister's husband")
        assert (visit.collector_phone, visit.collector_id_seen) == ("+12015550188", True)
    assert "overridden" in summary and "unwell" not in summary and "amal" in summary
    assert done.collected == "Collected by Tom Lee (Brother-in-law, +12015550188, ID seen)"
    assert "co-signed by Amal" in done.overrides[0]


def test_the_recorded_adult_matches_whatever_the_accents_and_case(
    admin_desk: Desk, clock: FakeClock
) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = in_recovery(admin_desk, nurse, clock)
    clock.advance(minutes=30)
    done = infusion.discharge(nurse, visit_id, **discharge_kwargs(collected_by_name="maría LÓPEZ"))  # type: ignore[arg-type]
    assert done.status is VisitState.DISCHARGED


def test_nobody_collecting_needs_an_override(admin_desk: Desk, clock: FakeClock) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = in_recovery(admin_desk, nurse, clock)
    clock.advance(minutes=30)
    with pytest.raises(ValidationError, match="Nobody is collecting"):
        infusion.discharge(nurse, visit_id, **discharge_kwargs(collected_by_name="  "))  # type: ignore[arg-type]


def test_early_discharge_needs_a_reason(admin_desk: Desk, clock: FakeClock) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = in_recovery(admin_desk, nurse, clock)
    clock.advance(minutes=29)
    with pytest.raises(ValidationError, match="minimum observation time") as err:
        infusion.discharge(nurse, visit_id, **discharge_kwargs())  # type: ignore[arg-type]
    assert err.value.field == "early_discharge_reason"
    with pytest.raises(NotPermitted, match="hard stop"):
        infusion.discharge(nurse, visit_id, **discharge_kwargs(  # type: ignore[arg-type]
            early_discharge_reason="Fully alert; clinician agreed"))  # fmt: skip
    add_person(admin_desk, "amal", Role.CLINICIAN)
    done = infusion.discharge(nurse, visit_id, **discharge_kwargs(  # type: ignore[arg-type]
        early_discharge_reason="Fully alert; clinician agreed",
        cosigner=Cosignature("amal", STAFF_PASSWORD)))  # fmt: skip
    assert done.status is VisitState.DISCHARGED
    with admin_desk.read() as session:
        visit = session.get(Visit, visit_id)
        assert visit is not None and visit.early_discharge_reason == "Fully alert; clinician agreed"


def test_discharge_needs_end_vitals_dissociation_resolved_and_instructions(
    admin_desk: Desk, clock: FakeClock
) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = cleared_visit(admin_desk, nurse)
    infusion.start_infusion(nurse, visit_id)
    clock.advance(minutes=90)
    infusion.end_infusion(nurse, visit_id)
    clock.advance(minutes=31)
    with pytest.raises(ValidationError, match="end-of-infusion vitals"):
        infusion.discharge(nurse, visit_id, **discharge_kwargs())  # type: ignore[arg-type]
    prep.record_vitals(nurse, visit_id, GOOD_VITALS)
    for field in ("dissociation_resolved", "end_vitals_acceptable", "instructions_given"):
        with pytest.raises(ValidationError) as err:
            infusion.discharge(nurse, visit_id, **discharge_kwargs(**{field: False}))  # type: ignore[arg-type]
        assert err.value.field == field
    assert infusion.infusion_view(nurse, visit_id).status is VisitState.RECOVERY


def test_discharge_straight_from_infusing_is_refused(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = cleared_visit(admin_desk, nurse)
    infusion.start_infusion(nurse, visit_id)
    with pytest.raises(TransitionRefused, match="end the infusion first"):
        infusion.discharge(nurse, visit_id, **discharge_kwargs())  # type: ignore[arg-type]


def test_other_side_effect_needs_a_note(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = cleared_visit(admin_desk, nurse)
    infusion.start_infusion(nurse, visit_id)
    with pytest.raises(ValidationError, match="Describe"):
        infusion.record_side_effect(nurse, visit_id, SideEffectKind.OTHER, " ")
    effect = infusion.record_side_effect(nurse, visit_id, SideEffectKind.OTHER, "Tingling lips")
    assert (effect.label, effect.note) == ("Other", "Tingling lips")


def test_side_effects_are_not_recorded_before_the_infusion(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    with pytest.raises(ValidationError):
        infusion.record_side_effect(nurse, add_visit(admin_desk), SideEffectKind.NAUSEA)


def test_adult_recorded_is_the_one_pre_filled(admin_desk: Desk, clock: FakeClock) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = in_recovery(admin_desk, nurse, clock)
    assert infusion.infusion_view(nurse, visit_id).transport.adult_name == ADULT.name
