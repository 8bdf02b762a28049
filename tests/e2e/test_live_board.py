"""A change committed by another process (another workstation) reaches the board in time."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime, time

from pytestqt.qtbot import QtBot

from desk.domain.booking import VisitType
from desk.services import booking, settings
from desk.services.context import Desk
from desk.services.database import location_text
from desk.ui.board import DayBoard
from desk.ui.session import Session
from tests.helpers.fixtures import FakeClock
from tests.helpers.visits import add_patient

# The other workstation: its own process, its own engine, the same SQLite file.
OTHER_DESK = textwrap.dedent("""
    import sys
    from datetime import datetime, time
    from desk.domain.booking import VisitType
    from desk.services import booking, visits
    from desk.services.context import CLI_ACTOR, Desk
    from desk.services.database import open_database

    url, visit_id, version, patient_id, now = sys.argv[1:6]
    fixed = datetime.fromisoformat(now)
    desk = Desk(open_database(url), workstation="front-desk-2", clock=lambda: fixed,
                actor=CLI_ACTOR)
    visits.mark_no_show(desk, int(visit_id), visits.VisitReason("not_reachable"),
                        expected_version=int(version))
    start = datetime.combine(fixed.astimezone().date(), time(15))
    booking.book_visit(desk, int(patient_id), VisitType.CONSULTATION, start, None)
""")


def test_change_from_another_process_appears_within_five_seconds_keeping_selection(
    qtbot: QtBot, sqlite_admin_desk: Desk, clock: FakeClock
) -> None:
    desk = sqlite_admin_desk
    day = clock.now.astimezone().date()
    clock.now = datetime.combine(day, time(7)).astimezone(UTC)
    first = booking.book_visit(desk, add_patient(desk, "Ana", "Silva"),
                               VisitType.MOOD_INFUSION, datetime.combine(day, time(9)), "Chair 1")
    second = booking.book_visit(desk, add_patient(desk, "Ben", "Cole"),
                                VisitType.MOOD_INFUSION, datetime.combine(day, time(9)), "Chair 2")
    session = Session(desk, settings.clinic_info(desk), location_text(desk.engine))
    board = DayBoard(session)
    qtbot.addWidget(board)
    board.show()
    qtbot.waitExposed(board)
    assert board.select_visit(second.id)
    resets: list[bool] = []
    board.model.modelReset.connect(lambda: resets.append(True))

    subprocess.run(
        [sys.executable, "-c", OTHER_DESK, desk.engine.url.render_as_string(False),
         str(second.id), str(second.version), str(first.patient_id), clock.now.isoformat()],
        check=True, timeout=120,
    )

    qtbot.waitUntil(lambda: board.model.rowCount() == 3, timeout=5000)
    selected = board.selected()
    assert selected is not None and selected.visit_id == second.id
    assert selected.status_label == "No-show"
    assert resets == []
