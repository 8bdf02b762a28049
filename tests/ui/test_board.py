"""The day board: the service's local day and order, and the widget's days and empty state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desk.domain.errors import NotPermitted
from desk.domain.roles import Role
from desk.services.board import board_name, day_board
from desk.services.context import Desk
from desk.ui.board import DayBoard
from desk.ui.session import Session
from tests.helpers.fixtures import add_person
from tests.ui.conftest import add_visit, button, local, today


def test_board_lists_the_local_day_in_time_order(sqlite_admin_desk: Desk) -> None:
    desk = sqlite_admin_desk
    day = today(desk)
    add_visit(desk, "Late", "Person", local(day, 15), status="arrived")
    add_visit(desk, "Samantha", "Lee", local(day, 9, 30), preferred="Sam", chair="Chair 2")
    add_visit(desk, "Yesterday", "Evening", local(day - timedelta(days=1), 23, 45))
    add_visit(desk, "Tomorrow", "Early", local(day + timedelta(days=1), 0, 0))
    rows = day_board(desk.as_actor(add_person(desk, "rita", Role.RECEPTIONIST)), day)
    assert [r.patient_name for r in rows] == ["Sam L.", "Late P."]
    assert rows[0].start == local(day, 9, 30)
    assert (rows[0].chair, rows[0].visit_type_label, rows[0].status_label) == (
        "Chair 2", "Mood Series infusion", "Scheduled"
    )
    assert rows[1].status_label == "Arrived"


def test_board_needs_someone_signed_in(sqlite_admin_desk: Desk) -> None:
    with pytest.raises(NotPermitted):
        day_board(sqlite_admin_desk.as_actor(None), today(sqlite_admin_desk))


def test_board_name_prefers_the_preferred_name() -> None:
    assert board_name("Sam", "Samantha", "Lee") == "Sam L."
    assert board_name("", "Samantha", "Lee") == "Samantha L."
    assert board_name("", "Cher", "") == "Cher"


def _board(qtbot: QtBot, session: Session) -> DayBoard:
    board = DayBoard(session)
    qtbot.addWidget(board)
    board.show()
    qtbot.waitExposed(board)
    return board


def test_empty_day_says_so_instead_of_an_empty_grid(qtbot: QtBot, session: Session) -> None:
    board = _board(qtbot, session)
    assert board.empty.isVisible() and not board.table.isVisible()
    day = today(session.desk)
    assert board.empty.text() == f"No visits on {day:%A} {day.day} {day:%B %Y}."


def test_day_switcher_and_today_button(qtbot: QtBot, session: Session) -> None:
    day = today(session.desk)
    add_visit(session.desk, "Tomas", "Reed", local(day + timedelta(days=1), 10))
    board = _board(qtbot, session)
    assert not board.today_button.isEnabled()
    qtbot.mouseClick(board.next_button, Qt.MouseButton.LeftButton)
    assert board.day == day + timedelta(days=1)
    assert board.table.isVisible() and board.model.rowCount() == 1
    assert board.title.text().startswith("Tomorrow — ")
    qtbot.mouseClick(button(board, "Today"), Qt.MouseButton.LeftButton)
    assert board.day == day and board.empty.isVisible()


def test_board_picks_up_changes_by_polling(qtbot: QtBot, session: Session) -> None:
    board = _board(qtbot, session)
    board.refresh_timer.setInterval(20)
    add_visit(session.desk, "Nadia", "Osei", local(today(session.desk), 11))
    # Written without a service, so nudge the change counter the way any service would.
    from tests.ui.conftest import set_policy

    set_policy(session.desk, booking_step_minutes=10)
    qtbot.waitUntil(lambda: board.model.rowCount() == 1)
    assert board.table.isVisible()
