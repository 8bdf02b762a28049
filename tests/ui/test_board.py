"""The day board: the service's local day and order, and the widget's days and empty state."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk.domain.booking import VisitType
from desk.domain.errors import NotPermitted
from desk.domain.roles import Role
from desk.services import booking, visits
from desk.services.board import board_name, day_board
from desk.services.context import Desk
from desk.ui.board import DayBoard
from desk.ui.session import Session
from tests.helpers.fixtures import FakeClock, add_person
from tests.helpers.visits import add_patient
from tests.ui.conftest import add_visit, button, field_for, local, screen_shows, today


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
    assert board.empty.text() == f"No visits on {day:%A}, {day:%B} {day.day}, {day.year}."


def test_day_switcher_and_today_button(qtbot: QtBot, session: Session) -> None:
    day = today(session.desk)
    add_visit(session.desk, "Tomas", "Reed", local(day + timedelta(days=1), 10))
    board = _board(qtbot, session)
    assert not board.today_button.isEnabled()
    qtbot.mouseClick(board.next_button, Qt.MouseButton.LeftButton)
    assert board.day == day + timedelta(days=1)
    assert board.title.text().startswith("Tomorrow — ")
    # Another day loads in a worker: the window never freezes while it does.
    qtbot.waitUntil(lambda: board.table.isVisible() and board.model.rowCount() == 1)
    qtbot.mouseClick(button(board, "Today"), Qt.MouseButton.LeftButton)
    assert board.day == day
    qtbot.waitUntil(lambda: not board.loading and board.empty.isVisible())
    assert board.empty.text().startswith("No visits on ")


def test_board_picks_up_changes_by_polling(qtbot: QtBot, session: Session) -> None:
    board = _board(qtbot, session)
    board.refresh_timer.setInterval(20)
    add_visit(session.desk, "Nadia", "Osei", local(today(session.desk), 11))
    # Written without a service, so nudge the change counter the way any service would.
    from tests.ui.conftest import set_policy

    set_policy(session.desk, booking_step_minutes=10)
    qtbot.waitUntil(lambda: board.model.rowCount() == 1)
    assert board.table.isVisible()


# --- badges, filters, keyboard and live refresh -------------------------------------------


def _ready_patient_visit(desk: Desk, hour: int, chair: str) -> int:
    """A visit with nothing missing: screened, consented, ride confirmed."""
    from desk.db.models import ConsentDocument, ConsentTemplate, Transport

    patient = add_patient(desk, "Rea", "Dee")
    view = booking.book_visit(desk, patient, VisitType.MOOD_INFUSION,
                              datetime.combine(today(desk), time(hour)), chair)
    signed = desk.now() - timedelta(days=30)
    with desk.write() as uow:
        template = ConsentTemplate(
            template_key="ketamine-infusion", version="1.0", major=1, minor=0, language="en",
            treatments="mood_series", text="", sha256="0" * 64, imported_at=signed,
            imported_by="admin",
        )
        uow.session.add(template)
        uow.session.flush()
        uow.session.add_all([
            ConsentDocument(
                document_uid="CNS-READY", patient_id=patient, template_id=template.id,
                treatment="mood_series", method="paper", signed_at=signed, witness="rita",
                witnessed_at=signed, pdf=b"%PDF", sha256="1" * 64,
            ),
            Transport(visit_id=view.id, adult_name="Kim Dee", adult_phone="+12015550199",
                      relationship="sister", plan="family_drives", confirmed_by="rita",
                      confirmed_at=desk.now()),
        ])
        uow.commit()
    return view.id


def _focus_table(qtbot: QtBot, board: DayBoard) -> None:
    """Shortcuts go to the active window only: make the board's window active, table focused."""
    board.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is board.window())
    board.table.setFocus()


@pytest.fixture
def morning_session(session: Session, clock: FakeClock) -> Session:
    clock.now = datetime.combine(clock.now.astimezone().date(), time(7)).astimezone(UTC)
    return session


def _cell(board: DayBoard, row: int, header: str) -> str:
    headers = [board.model.headerData(c, Qt.Orientation.Horizontal)
               for c in range(board.model.columnCount())]
    return str(board.model.index(row, headers.index(header)).data())


def _tip(board: DayBoard, row: int, header: str) -> str:
    headers = [board.model.headerData(c, Qt.Orientation.Horizontal)
               for c in range(board.model.columnCount())]
    return str(board.model.index(row, headers.index(header)).data(Qt.ItemDataRole.ToolTipRole))


def test_badges_say_what_blocks_a_visit_without_relying_on_colour(
    qtbot: QtBot, morning_session: Session
) -> None:
    desk = morning_session.desk
    patient = add_patient(desk, "Zoë", "Brandt")
    booking.book_visit(desk, patient, VisitType.MOOD_INFUSION,
                       datetime.combine(today(desk), time(9)), "Chair 1")
    board = _board(qtbot, morning_session)
    assert _cell(board, 0, "Visit") == "Mood"
    assert _cell(board, 0, "Consent") == "✖ Missing"
    assert _tip(board, 0, "Consent") == "No signed consent for this treatment."
    assert _cell(board, 0, "Transport") == "✖ None recorded"
    assert _cell(board, 0, "Candidacy") == "✔ Candidate"
    assert "Consent: No signed consent" in _tip(board, 0, "Patient")
    assert board.counts.text() == "1 visits · 1 blocked"


def test_blocked_only_filter_from_the_keyboard(qtbot: QtBot, morning_session: Session) -> None:
    desk = morning_session.desk
    ready = _ready_patient_visit(desk, 9, "Chair 1")
    patient = add_patient(desk, "Bo", "Lind")
    blocked = booking.book_visit(desk, patient, VisitType.MOOD_INFUSION,
                                 datetime.combine(today(desk), time(9)), "Chair 2")
    board = _board(qtbot, morning_session)
    assert board.model.rowCount() == 2
    _focus_table(qtbot, board)
    qtbot.keyClick(board.table, Qt.Key.Key_K,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert board.blocked_only.isChecked()
    assert board.model.rowCount() == 1
    assert _cell(board, 0, "Patient") == "Bo L."
    assert board.counts.text() == "2 visits · 1 blocked · 1 shown"
    qtbot.mouseClick(button(board, "Blocked only"), Qt.MouseButton.LeftButton)
    assert board.model.rowCount() == 2
    assert {r.visit_id for r in board.model.rows()} == {ready, blocked.id}


def test_status_and_chair_filters(qtbot: QtBot, morning_session: Session) -> None:
    desk = morning_session.desk
    for name, chair in (("Ana", "Chair 1"), ("Ben", "Chair 2"), ("Cy", "Chair 3")):
        booking.book_visit(desk, add_patient(desk, name, "Test"), VisitType.MOOD_INFUSION,
                           datetime.combine(today(desk), time(9)), chair)
    board = _board(qtbot, morning_session)
    first = board.model.rows()[0]
    visits.cancel_visit(desk, first.visit_id, visits.VisitReason("clinic"),
                         expected_version=first.version)
    board.reload()
    qtbot.waitUntil(lambda: not board.loading)
    board.chair_filter.setCurrentText("Chair 2")
    assert board.model.rowCount() == 1 and _cell(board, 0, "Chair") == "Chair 2"
    board.chair_filter.setCurrentText("All chairs")
    board.status_filter.setCurrentText("Still open")
    assert board.model.rowCount() == 2
    board.status_filter.setCurrentText("Cancelled")
    assert board.model.rowCount() == 1 and _cell(board, 0, "Status") == "Cancelled"


def test_sorting_by_patient_and_back_by_time(qtbot: QtBot, morning_session: Session) -> None:
    desk = morning_session.desk
    booking.book_visit(desk, add_patient(desk, "Zed", "Ray"), VisitType.MOOD_INFUSION,
                       datetime.combine(today(desk), time(9)), "Chair 1")
    booking.book_visit(desk, add_patient(desk, "Amy", "Fox"), VisitType.MOOD_INFUSION,
                       datetime.combine(today(desk), time(12)), "Chair 1")
    board = _board(qtbot, morning_session)
    assert [_cell(board, r, "Patient") for r in range(2)] == ["Zed R.", "Amy F."]
    board.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    assert [_cell(board, r, "Patient") for r in range(2)] == ["Amy F.", "Zed R."]
    board.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert [_cell(board, r, "Patient") for r in range(2)] == ["Zed R.", "Amy F."]


def test_arrows_enter_and_ctrl_i_open_the_visit_and_check_in(
    qtbot: QtBot, morning_session: Session, clock: FakeClock
) -> None:
    desk = morning_session.desk
    for name, hour in (("Ana", 9), ("Ben", 11)):
        booking.book_visit(desk, add_patient(desk, name, "Test"), VisitType.MOOD_INFUSION,
                           datetime.combine(today(desk), time(hour)), "Chair 1")
    board = _board(qtbot, morning_session)
    _focus_table(qtbot, board)
    qtbot.keyClick(board.table, Qt.Key.Key_Down)
    qtbot.keyClick(board.table, Qt.Key.Key_Down)
    selected = board.selected()
    assert selected is not None and selected.patient_name == "Ben T."
    with qtbot.waitSignal(board.visit_opened, timeout=2000) as opened:
        qtbot.keyClick(board.table, Qt.Key.Key_Return)
    assert opened.args == [selected.visit_id]
    qtbot.waitUntil(lambda: screen_shows("Consent") and screen_shows("✖ Missing — No signed"))
    panel = next(w for w in QApplication.topLevelWidgets()
                 if w.isVisible() and w.windowTitle() == "Visit")
    panel.close()
    clock.now = datetime.combine(today(desk), time(10, 55)).astimezone(UTC)
    _focus_table(qtbot, board)
    qtbot.keyClick(board.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(w.isVisible() and w.windowTitle() == "Check in"
                                for w in QApplication.topLevelWidgets()))
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if w.isVisible() and w.windowTitle() == "Check in")
    qtbot.keyClicks(field_for(dialog, "Date of birth"), "05/17/1980")
    qtbot.keyClick(button(dialog, "Contact and emergency contact confirmed with the patient"),
                   Qt.Key.Key_Space)
    qtbot.mouseClick(button(dialog, "Check in"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _cell(board, 1, "Status") == "Arrived", timeout=5000)
    selected = board.selected()
    assert selected is not None and selected.patient_name == "Ben T."


def test_background_refresh_updates_in_place_and_keeps_the_selection(
    qtbot: QtBot, morning_session: Session
) -> None:
    desk = morning_session.desk
    views = [
        booking.book_visit(desk, add_patient(desk, name, "Test"), VisitType.MOOD_INFUSION,
                           datetime.combine(today(desk), time(9)), chair)
        for name, chair in (("Ana", "Chair 1"), ("Ben", "Chair 2"), ("Cy", "Chair 3"))
    ]
    board = _board(qtbot, morning_session)
    board.refresh_timer.stop()
    assert board.select_visit(views[1].id)
    resets: list[bool] = []
    board.model.modelReset.connect(lambda: resets.append(True))
    visits.cancel_visit(desk, views[0].id, visits.VisitReason("clinic"),
                         expected_version=views[0].version)
    booking.book_visit(desk, add_patient(desk, "Dee", "Test"), VisitType.CONSULTATION,
                       datetime.combine(today(desk), time(13)), None)
    board.poll()
    qtbot.waitUntil(lambda: board.model.rowCount() == 4, timeout=5000)
    assert _cell(board, 0, "Status") == "Cancelled"
    selected = board.selected()
    assert selected is not None and selected.visit_id == views[1].id
    assert resets == []


def _click_header(qtbot: QtBot, board: DayBoard, header: str) -> None:
    headers = [board.model.headerData(c, Qt.Orientation.Horizontal)
               for c in range(board.model.columnCount())]
    bar = board.table.horizontalHeader()
    section = headers.index(header)
    x = bar.sectionViewportPosition(section) + bar.sectionSize(section) // 2
    qtbot.mouseClick(bar.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(x, bar.height() // 2))


def test_header_clicks_sort_both_ways_and_the_selection_follows_its_visit(
    qtbot: QtBot, morning_session: Session
) -> None:
    desk = morning_session.desk
    for name, hour, chair in (("Cy", 9, "Chair 1"), ("Amy", 10, "Chair 2"), ("Bo", 11, "Chair 3")):
        booking.book_visit(desk, add_patient(desk, name, "Test"), VisitType.MOOD_INFUSION,
                           datetime.combine(today(desk), time(hour)), chair)
    board = _board(qtbot, morning_session)
    board.refresh_timer.stop()
    assert [_cell(board, r, "Patient") for r in range(3)] == ["Cy T.", "Amy T.", "Bo T."]
    board.table.selectRow(0)
    _click_header(qtbot, board, "Patient")
    assert [_cell(board, r, "Patient") for r in range(3)] == ["Amy T.", "Bo T.", "Cy T."]
    _click_header(qtbot, board, "Patient")
    assert [_cell(board, r, "Patient") for r in range(3)] == ["Cy T.", "Bo T.", "Amy T."]
    selected = board.selected()
    assert selected is not None and selected.patient_name == "Cy T."
    board.chair_filter.setCurrentText("Chair 1")
    assert board.model.rowCount() == 1
    selected = board.selected()
    assert selected is not None and selected.patient_name == "Cy T."
    board.chair_filter.setCurrentText("All chairs")
    assert board.model.rowCount() == 3
    selected = board.selected()
    assert selected is not None and selected.patient_name == "Cy T."
    assert board.select_visit(board.model.row_at(1).visit_id)
    board.status_filter.setCurrentText("Still open")
    selected = board.selected()
    assert selected is not None and selected.patient_name == "Bo T."


def test_a_new_day_replaces_the_rows_in_one_reset_not_row_by_row(
    qtbot: QtBot, session: Session
) -> None:
    day = today(session.desk)
    add_visit(session.desk, "Ida", "Today", local(day, 10))
    for hour in (9, 10, 11):
        add_visit(session.desk, "Tom", f"Morrow{hour}", local(day + timedelta(days=1), hour))
    board = _board(qtbot, session)
    board.refresh_timer.stop()
    assert board.model.rowCount() == 1
    signals: list[str] = []
    board.model.modelReset.connect(lambda: signals.append("reset"))
    board.model.rowsInserted.connect(lambda *_: signals.append("insert"))
    board.model.rowsRemoved.connect(lambda *_: signals.append("remove"))
    qtbot.mouseClick(board.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not board.loading and board.model.rowCount() == 3)
    assert signals and set(signals) == {"reset"}
    assert [_cell(board, r, "Patient") for r in range(3)] == ["Tom M.", "Tom M.", "Tom M."]
