"""Tomorrow's call list on screen: ticks saved at once, the PDF saved under a plain name."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk.domain.booking import VisitType
from desk.domain.roles import Role
from desk.domain.transport import PickupPlan, ResponsibleAdult
from desk.services import booking, call_list, transport
from desk.ui.call_list import PREP_COLUMN, RIDE_COLUMN, CallListDialog
from desk.ui.session import Session
from tests.helpers.fixtures import add_person
from tests.helpers.visits import add_patient
from tests.ui.conftest import screen_shows

TOMORROW = date(2026, 11, 26)


def test_call_list_shows_prep_times_and_saves_ticks(qtbot: QtBot, session: Session) -> None:
    session.switch_to(add_person(session.desk, "rita", Role.RECEPTIONIST))
    patient = add_patient(session.desk, "Ana", "Silva")
    view = booking.book_visit(session.desk, patient, VisitType.MOOD_INFUSION,
                              datetime.combine(TOMORROW, time(10)), "Chair 1")
    transport.record_transport(
        session.desk, view.id, ResponsibleAdult("Kim Silva", "+12015550199", "sister"),
        PickupPlan.FAMILY_DRIVES, None,
    )
    dialog = CallListDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert screen_shows("No food after 06:00 · clear fluids only until 08:00")
    assert screen_shows("1 infusion patient; 1 still to confirm.")
    ride = dialog.model.index(0, RIDE_COLUMN)
    dialog.model.setData(ride, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    qtbot.waitUntil(lambda: dialog.model.rows()[0].ride_confirmed, timeout=5000)
    prep = dialog.model.index(0, PREP_COLUMN)
    assert prep.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    dialog.model.setData(prep, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    qtbot.waitUntil(lambda: screen_shows("0 still to confirm."), timeout=5000)
    entry = call_list.call_list(session.desk, TOMORROW)[0]
    assert entry.ride_confirmed and entry.prep_explained


def test_pdf_is_written_to_the_chosen_file(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    patient = add_patient(session.desk, "Ana", "Silva")
    booking.book_visit(session.desk, patient, VisitType.PAIN_INFUSION,
                       datetime.combine(TOMORROW, time(9)), "Chair 4")
    dialog = CallListDialog(session)
    qtbot.addWidget(dialog)
    target = tmp_path / "call-list-2026-11-26.pdf"
    dialog.write_pdf(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert dialog.summary.text() == "Saved call-list-2026-11-26.pdf."


def test_ride_tick_with_no_way_home_recorded_opens_the_way_home_panel(
    qtbot: QtBot, session: Session
) -> None:
    session.switch_to(add_person(session.desk, "rita", Role.RECEPTIONIST))
    patient = add_patient(session.desk, "Ana", "Silva")
    booking.book_visit(session.desk, patient, VisitType.MOOD_INFUSION,
                       datetime.combine(TOMORROW, time(10)), "Chair 1")
    dialog = CallListDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    ride = dialog.model.index(0, RIDE_COLUMN)
    dialog.model.setData(ride, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    qtbot.waitUntil(lambda: screen_shows("Record who takes the patient home"), timeout=5000)
    qtbot.waitUntil(lambda: any(w.windowTitle() == "Way home" and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=5000)
