"""The nurse view: chairs with elapsed time and next check, the prep queue, one query."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import Engine, event

from desk.domain.policy import DEFAULT_POLICY
from desk.domain.visit_states import VisitState
from desk.domain.vitals import Checkpoint, CheckpointState
from desk.services import infusion, nurse_board, prep
from desk.services.context import Desk
from tests.helpers.fixtures import FakeClock
from tests.services.nurse_rows import (
    GOOD_VITALS,
    add_visit,
    confirm_everything,
    nurse_and_receptionist,
)


def start(admin_desk: Desk, nurse: Desk, chair: str) -> int:
    visit_id = add_visit(admin_desk, start_in_minutes=0, chair=chair)
    view = confirm_everything(nurse, visit_id)
    prep.clear_for_infusion(nurse, visit_id, expected_version=view.prep_version)
    infusion.start_infusion(nurse, visit_id)
    return visit_id


@contextmanager
def counted_statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_every_chair_is_listed_and_free_ones_say_so(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    board = nurse_board.nurse_board(nurse)
    assert [c.chair for c in board.chairs] == ["Chair 1", "Chair 2", "Chair 3", "Chair 4"]
    assert all(c.status_label == "Free" for c in board.chairs)
    assert board.waiting == ()


def test_infusing_chair_shows_elapsed_time_and_the_mid_infusion_check(
    admin_desk: Desk, clock: FakeClock
) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    start(admin_desk, nurse, "Chair 2")
    started = clock.now
    clock.advance(minutes=25)
    chair = nurse_board.nurse_board(nurse).chairs[1]
    assert (chair.chair, chair.status, chair.elapsed_minutes) == (
        "Chair 2", VisitState.INFUSING, 25)  # fmt: skip
    assert chair.next_check is not None
    assert chair.next_check.checkpoint is Checkpoint.MID_INFUSION
    assert chair.next_check.due_at == started + timedelta(minutes=40)
    assert chair.next_check_text(DEFAULT_POLICY).startswith("During the infusion: upcoming")
    clock.advance(minutes=30)
    late = nurse_board.nurse_board(nurse).chairs[1]
    assert late.next_check is not None and late.next_check.state is CheckpointState.OVERDUE
    assert "overdue since" in late.next_check_text(DEFAULT_POLICY)


def test_recovery_chair_shows_when_the_patient_may_leave(
    admin_desk: Desk, clock: FakeClock
) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = start(admin_desk, nurse, "Chair 1")
    clock.advance(minutes=40)
    prep.record_vitals(nurse, visit_id, GOOD_VITALS)
    clock.advance(minutes=50)
    infusion.end_infusion(nurse, visit_id)
    chair = nurse_board.nurse_board(nurse).chairs[0]
    assert chair.status is VisitState.RECOVERY
    assert chair.ready_to_leave_at == clock.now + timedelta(minutes=30)
    assert chair.elapsed_minutes is None
    assert chair.next_check is not None and chair.next_check.checkpoint is Checkpoint.END


def test_waiting_for_prep_lists_arrived_patients_with_their_hold(
    admin_desk: Desk, clock: FakeClock
) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    waiting = add_visit(admin_desk, chair="Chair 3", first="Ana", last="Diaz")
    held = add_visit(admin_desk, chair="Chair 4", first="Bo", last="Chen")
    add_visit(admin_desk, status="scheduled", first="Cy", last="Dunn")
    prep.hold(nurse, held, "BP high, re-measure at 15:00")
    clock.advance(minutes=12)
    board = nurse_board.nurse_board(nurse)
    assert [(w.visit_id, w.patient_name, w.waiting_minutes) for w in board.waiting] == [
        (waiting, "Ana D.", 12), (held, "Bo C.", 12)]  # fmt: skip
    assert board.waiting[1].hold_reason == "BP high, re-measure at 15:00"


def test_an_arrived_consultation_is_not_waiting_for_prep(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    infusion = add_visit(admin_desk, chair="Chair 3")
    add_visit(admin_desk, chair=None, visit_type="consultation", first="Con", last="Sult")
    board = nurse_board.nurse_board(nurse)
    assert [w.visit_id for w in board.waiting] == [infusion]


def test_a_cleared_patient_takes_their_chair_and_leaves_the_queue(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk, chair="Chair 3")
    view = confirm_everything(nurse, visit_id)
    prep.clear_for_infusion(nurse, visit_id, expected_version=view.prep_version)
    board = nurse_board.nurse_board(nurse)
    assert board.waiting == ()
    assert board.chairs[2].visit_id == visit_id
    assert board.chairs[2].status_label == "Cleared for infusion"


def test_the_board_costs_the_same_queries_for_one_patient_or_many(
    admin_desk: Desk, engine: Engine
) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    start(admin_desk, nurse, "Chair 1")
    with counted_statements(engine) as one:
        nurse_board.nurse_board(nurse)
    start(admin_desk, nurse, "Chair 2")
    start(admin_desk, nurse, "Chair 3")
    add_visit(admin_desk)
    with counted_statements(engine) as many:
        board = nurse_board.nurse_board(nurse)
    assert len([c for c in board.chairs if c.visit_id]) == 3
    assert len(many) == len(one)
