"""Chairs are physical, readings carry their phase, short infusions need a reason, and the
boards show the latest reading, the worst verdict and overruns."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from desk.domain.errors import PrepNotReady, ValidationError
from desk.domain.vitals import Vitals
from desk.services import board, handouts, infusion, nurse_board, prep
from desk.services.context import Desk
from desk.services.infusion import SideEffectKind
from tests.helpers.fixtures import FakeClock
from tests.services.nurse_rows import (
    GOOD_VITALS,
    add_visit,
    confirm_everything,
    nurse_and_receptionist,
)


def started(admin_desk: Desk, nurse: Desk, chair: str = "Chair 1", **visit: object) -> int:
    visit_id = add_visit(admin_desk, start_in_minutes=0, chair=chair, **visit)  # type: ignore[arg-type]
    view = confirm_everything(nurse, visit_id)
    prep.clear_for_infusion(nurse, visit_id, expected_version=view.prep_version)
    infusion.start_infusion(nurse, visit_id)
    return visit_id


def test_an_occupied_chair_is_refused_naming_who_is_in_it(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    started(admin_desk, nurse, first="Ada", last="King")
    second = add_visit(admin_desk, start_in_minutes=0, chair="Chair 1", first="Bo", last="Ray")
    view = confirm_everything(nurse, second)
    prep.clear_for_infusion(nurse, second, expected_version=view.prep_version)
    with pytest.raises(PrepNotReady, match=r"Chair 1 is occupied: Ada K\. is still there"):
        infusion.start_infusion(nurse, second)
    infusion.move_chair(nurse, second, "Chair 2")
    assert infusion.start_infusion(nurse, second).chair == "Chair 2"
    with pytest.raises(PrepNotReady, match="Chair 1 is occupied"):
        infusion.move_chair(nurse, second, "Chair 1")


def test_a_short_infusion_ends_only_for_a_recorded_side_effect(
    admin_desk: Desk, clock: FakeClock
) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = started(admin_desk, nurse)
    clock.advance(minutes=5)
    with pytest.raises(ValidationError, match="less than the clinic's minimum of 30 min"):
        infusion.end_infusion(nurse, visit_id)
    with pytest.raises(ValidationError, match="record the side effect"):
        infusion.end_infusion(nurse, visit_id, stopped_for=SideEffectKind.NAUSEA)
    infusion.record_side_effect(nurse, visit_id, SideEffectKind.NAUSEA, "Vomited twice")
    ended = infusion.end_infusion(nurse, visit_id, stopped_for=SideEffectKind.NAUSEA)
    assert ended.stopped_for == "Nausea"


def test_readings_are_labelled_by_their_phase_on_the_timeline(
    admin_desk: Desk, clock: FakeClock
) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = started(admin_desk, nurse)
    for minutes in (20, 20, 60):  # at 20 (extra), 40 (the mid check), 100
        clock.advance(minutes=minutes)
        prep.record_vitals(nurse, visit_id, GOOD_VITALS)
    infusion.end_infusion(nurse, visit_id)
    clock.advance(minutes=5)
    prep.record_vitals(nurse, visit_id, GOOD_VITALS)
    clock.advance(minutes=30)
    prep.record_vitals(nurse, visit_id, GOOD_VITALS)
    labels = [r.checkpoint_label for r in infusion.infusion_view(nurse, visit_id).readings]
    assert labels == [
        "Before the infusion", "During the infusion (extra reading)", "During the infusion",
        "End of the infusion", "End of the infusion", "Recovery",
    ]  # fmt: skip


def test_the_boards_show_the_latest_reading_and_the_worst_verdict(
    admin_desk: Desk, clock: FakeClock
) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = started(admin_desk, nurse)
    clock.advance(minutes=40)
    prep.record_vitals(nurse, visit_id, Vitals(146, 93, 80, 97))
    row = next(r for r in board.day_board(nurse, clock.now.astimezone().date())
               if r.visit_id == visit_id)  # fmt: skip
    assert row.vitals.text == "146/93 Review"
    clock.advance(minutes=20)
    prep.record_vitals(nurse, visit_id, GOOD_VITALS)
    row = next(r for r in board.day_board(nurse, clock.now.astimezone().date())
               if r.visit_id == visit_id)  # fmt: skip
    assert row.vitals.text == "122/78 OK (worst: Review)"
    chair = next(c for c in nurse_board.nurse_board(nurse).chairs if c.visit_id == visit_id)
    assert chair.vitals_text == "122/78 Within limits (worst: Clinician review)"


def test_overruns_are_flagged_on_both_boards(admin_desk: Desk, clock: FakeClock) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = started(admin_desk, nurse)  # booked for 2 h
    clock.advance(minutes=120 + 16)
    chair = next(c for c in nurse_board.nurse_board(nurse).chairs if c.visit_id == visit_id)
    assert chair.overrun == "Infusion ⚠ 16 min past its booked length."
    infusion.end_infusion(nurse, visit_id)
    clock.advance(minutes=30 + 31)  # observation, then 31 min more
    row = next(r for r in board.day_board(nurse, clock.now.astimezone().date())
               if r.visit_id == visit_id)  # fmt: skip
    assert any(w.startswith("Still in recovery: ⚠ 31 min past ready to leave at") for w in
               row.warnings)  # fmt: skip


def test_the_discharge_sheet_carries_the_visits_own_facts(
    admin_desk: Desk, clock: FakeClock
) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = started(admin_desk, nurse)
    infusion.record_side_effect(nurse, visit_id, SideEffectKind.NAUSEA, "Ondansetron 4 mg given")
    clock.advance(minutes=60)
    infusion.end_infusion(nurse, visit_id)
    prep.record_vitals(nurse, visit_id, GOOD_VITALS)
    clock.advance(minutes=31)
    infusion.discharge(
        nurse, visit_id, dissociation_resolved=True, end_vitals_acceptable=True,
        instructions_given=True, collected_by_name="Maria Lopez",
    )  # fmt: skip
    pdf = handouts.discharge_instructions_pdf(nurse, visit_id)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    discharged = clock.now.astimezone().strftime("%H:%M")
    for fact in (f"Discharged at: {discharged}", "Collected by: Maria Lopez",
                 "Discharging nurse: Nina", "Nausea", "Ondansetron 4 mg given",
                 "until the next day"):  # fmt: skip
        assert fact in text, fact
