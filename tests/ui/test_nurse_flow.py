"""The nurse station by visible labels and keyboard: one patient from arrival to discharge,
and a discharge where someone else is collecting and the override is required."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desk.db.models import AuditEntry, Visit
from desk.domain.readiness import PrepItem
from desk.domain.roles import Role
from desk.domain.visit_states import VisitState
from desk.domain.vitals import Vitals
from desk.services import infusion, prep
from desk.ui.discharge import DischargeDialog
from desk.ui.infusion import EndInfusionDialog, InfusionDialog
from desk.ui.nurse_board import NurseBoardView
from desk.ui.prep import PrepDialog
from desk.ui.session import Session
from desk.ui.transport import TransportDialog
from tests.helpers.fixtures import STAFF_PASSWORD, FakeClock, add_person
from tests.services.nurse_rows import GOOD_VITALS, add_visit, confirm_everything
from tests.ui.conftest import button, field_for, screen_shows


def as_nurse(session: Session) -> Session:
    session.switch_to(add_person(session.desk, "nina", Role.NURSE))
    return session


def top_dialog(kind: type[QDialog]) -> QDialog:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    assert found, f"no {kind.__name__} is open"
    return found[-1]


def choose(combo: QComboBox, text: str, qtbot: QtBot) -> None:
    combo.setFocus()
    while combo.currentText() != text:
        before = combo.currentIndex()
        qtbot.keyClick(combo, Qt.Key.Key_Down)
        assert combo.currentIndex() != before, f"{text!r} is not in the list"


def type_vitals(qtbot: QtBot, window: QDialog, systolic: str, diastolic: str) -> None:
    for label, value in (("Systolic", systolic), ("Diastolic", diastolic), ("Heart rate", "72"),
                         ("SpO2", "98")):  # fmt: skip
        field = field_for(window, label)
        assert isinstance(field, QLineEdit)
        field.clear()
        qtbot.keyClicks(field, value)
    qtbot.keyClick(field_for(window, "SpO2"), Qt.Key.Key_Return)


def fill_checklist(qtbot: QtBot, dialog: PrepDialog) -> None:
    """Food and fluids, clothing, the way home and vitals, as a nurse enters them."""
    qtbot.keyClick(button(dialog.food, "now −6 h"), Qt.Key.Key_Space)
    qtbot.keyClick(button(dialog.fluid, "now −2 h"), Qt.Key.Key_Space)
    choose(field_for(dialog, "What they drank"), "Clear fluids only (water, black tea or coffee)",
           qtbot)  # type: ignore[arg-type]  # fmt: skip
    qtbot.keyClick(button(dialog, "Save food and fluids"), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "Confirmed by Nina" in dialog.item_confirmed[PrepItem.FOOD].text())
    qtbot.keyClick(button(dialog, "Clothing gives access to the arms for the IV"), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "Checked by Nina" in dialog.item_confirmed[PrepItem.CLOTHING].text())
    qtbot.keyClick(button(dialog, "Way home…"), Qt.Key.Key_Space)
    ride = top_dialog(TransportDialog)
    qtbot.keyClicks(field_for(ride, "Responsible adult"), "Maria Lopez")
    qtbot.keyClicks(field_for(ride, "Phone"), "201-555-0123")
    qtbot.keyClicks(field_for(ride, "Relationship"), "Sister")
    choose(field_for(ride, "Pickup plan"), "A family member drives", qtbot)  # type: ignore[arg-type]
    qtbot.keyClick(button(ride, "Save way home"), Qt.Key.Key_Space)
    qtbot.keyClick(button(ride, "Confirmed by phone"), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "Ride confirmed" in ride.panel.status.text())
    qtbot.keyClick(button(ride, "Close"), Qt.Key.Key_Space)
    type_vitals(qtbot, dialog, "124", "80")
    qtbot.waitUntil(lambda: "Taken by Nina" in dialog.item_confirmed[PrepItem.VITALS].text())


def test_one_patient_from_arrival_to_discharge(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    as_nurse(session)
    visit_id = add_visit(session.desk, start_in_minutes=0, first="Sam", last="Lee")
    board = NurseBoardView(session)
    qtbot.addWidget(board)
    board.show()
    assert screen_shows("Waiting for prep (1)") and screen_shows("Sam L. (T")
    board.waiting_table.setFocus()
    board.waiting_table.selectRow(0)
    qtbot.keyClick(board.waiting_table, Qt.Key.Key_Return)
    dialog = top_dialog(PrepDialog)
    assert isinstance(dialog, PrepDialog)
    assert dialog.verdict.text().startswith("✖ NOT READY")
    assert not button(dialog, "Clear for infusion").isEnabled()
    assert screen_shows("? Not confirmed")

    fill_checklist(qtbot, dialog)
    assert dialog.verdict.text().startswith("✓ READY")
    clear = button(dialog, "Clear for infusion")
    assert clear.isEnabled()
    qtbot.keyClick(clear, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "Cleared for infusion" in dialog.verdict.text())
    dialog.close()

    board.reload()
    assert screen_shows("Waiting for prep: nobody") and screen_shows("Cleared for infusion")
    board.chair_table.selectRow(0)
    qtbot.keyClick(button(board, "Infusion / recovery…"), Qt.Key.Key_Space)
    screen = top_dialog(InfusionDialog)
    assert isinstance(screen, InfusionDialog)
    qtbot.keyClick(button(screen, "Start infusion now"), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: screen.state.text().startswith("Infusing since"))
    clock.advance(minutes=40)
    type_vitals(qtbot, screen, "128", "82")
    qtbot.waitUntil(lambda: "✓ During the infusion: Done" in screen.checks.text())
    choose(field_for(screen, "Side effect"), "Nausea", qtbot)  # type: ignore[arg-type]
    qtbot.keyClicks(field_for(screen, "Note"), "mild, settled with ginger")
    qtbot.keyClick(button(screen, "Record side effect"), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "Nausea: mild, settled with ginger" in screen.effects.text())
    clock.advance(minutes=50)
    board.reload()
    assert screen_shows("1 h 30 min")
    qtbot.keyClick(button(screen, "End infusion…"), Qt.Key.Key_Space)
    qtbot.keyClick(button(top_dialog(EndInfusionDialog), "End infusion"), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "ready to leave at" in screen.state.text())
    type_vitals(qtbot, screen, "120", "78")
    qtbot.waitUntil(lambda: "✓ End of the infusion: Done" in screen.checks.text())
    clock.advance(minutes=30)

    qtbot.keyClick(button(screen, "Discharge…"), Qt.Key.Key_Space)
    leaving = top_dialog(DischargeDialog)
    assert isinstance(leaving, DischargeDialog)
    assert field_for(leaving, "Who is collecting?").text() == "Maria Lopez"  # type: ignore[attr-defined]
    assert screen_shows("✓ Matches the recorded responsible adult.")
    for text in ("Dissociation has resolved", "End vitals are acceptable",
                 "Discharge instructions given to the patient and the adult"):  # fmt: skip
        qtbot.keyClick(button(leaving, text), Qt.Key.Key_Space)
    with qtbot.waitSignal(leaving.discharged, timeout=5000):
        qtbot.keyClick(button(leaving, "Discharge"), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: screen.state.text().startswith("Discharged by Nina"))
    with session.desk.read() as db:
        visit = db.get(Visit, visit_id)
        assert visit is not None and visit.status == VisitState.DISCHARGED
        assert visit.collected_by_name == "Maria Lopez"


def test_a_different_driver_needs_their_details_a_reason_and_a_cosigner(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    add_person(session.desk, "amal", Role.CLINICIAN)
    nurse = as_nurse(session).desk
    visit_id = add_visit(nurse, start_in_minutes=0)
    view = confirm_everything(nurse, visit_id)
    prep.clear_for_infusion(nurse, visit_id, expected_version=view.prep_version)
    infusion.start_infusion(nurse, visit_id)
    clock.advance(minutes=90)
    infusion.end_infusion(nurse, visit_id)
    prep.record_vitals(nurse, visit_id, GOOD_VITALS)
    clock.advance(minutes=35)
    leaving = DischargeDialog(session, visit_id)
    qtbot.addWidget(leaving)
    leaving.show()
    for text in ("Dissociation has resolved", "End vitals are acceptable",
                 "Discharge instructions given to the patient and the adult"):  # fmt: skip
        qtbot.keyClick(button(leaving, text), Qt.Key.Key_Space)
    collector = field_for(leaving, "Who is collecting?")
    assert isinstance(collector, QLineEdit)
    collector.selectAll()
    qtbot.keyClicks(collector, "Tom Lee")
    assert screen_shows("✖ Not the recorded adult (Maria Lopez): a hard stop (their details, a "
                        "reason and a second clinician).")  # fmt: skip
    reason = field_for(leaving, "Driver override reason")
    assert reason.isVisible()
    qtbot.keyClick(button(leaving, "Discharge"), Qt.Key.Key_Space)
    assert "not the recorded responsible adult" in leaving.error.text()
    assert leaving.focusWidget() is reason
    qtbot.keyClicks(reason, "Her husband; photo ID checked")
    qtbot.keyClick(button(leaving, "Discharge"), Qt.Key.Key_Space)
    relationship = field_for(leaving, "Relationship to the patient")
    assert leaving.focusWidget() is relationship and "related" in leaving.error.text()
    qtbot.keyClicks(relationship, "Husband")
    qtbot.keyClicks(field_for(leaving, "Their phone number"), "201-555-0199")
    qtbot.keyClick(button(leaving, "Photo ID seen and matches the name"), Qt.Key.Key_Space)
    qtbot.keyClicks(field_for(leaving, "Their user name"), "amal")
    qtbot.keyClicks(field_for(leaving, "Their password"), STAFF_PASSWORD)
    with qtbot.waitSignal(leaving.discharged, timeout=5000):
        qtbot.keyClick(button(leaving, "Discharge"), Qt.Key.Key_Space)
    with nurse.read() as db:
        visit = db.get(Visit, visit_id)
        assert visit is not None and visit.driver_override_reason == "Her husband; photo ID checked"
        summary = db.scalars(
            select(AuditEntry.summary).where(AuditEntry.action == "visit.discharge")
        ).one()
    assert "overridden" in summary


def test_review_vitals_ask_for_a_note_before_clearing(qtbot: QtBot, session: Session) -> None:
    nurse = as_nurse(session).desk
    visit_id = add_visit(nurse, start_in_minutes=0)
    confirm_everything(nurse, visit_id)
    prep.record_vitals(nurse, visit_id, Vitals(150, 85, 72, 98))
    dialog = PrepDialog(session, visit_id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.verdict.text().startswith("! READY WITH CLINICIAN REVIEW")
    assert screen_shows("! Caution")
    clear = button(dialog, "Clear for infusion")
    assert not clear.isEnabled()
    qtbot.keyClicks(field_for(dialog, "Reviewing clinician (if asked)"), "Dr Rivera")
    qtbot.keyClicks(field_for(dialog, "Review note"), "Usual for her; proceed")
    assert clear.isEnabled()
    qtbot.keyClick(clear, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "Cleared for infusion" in dialog.verdict.text())


def test_implausible_vitals_show_an_inline_error_and_save_nothing(
    qtbot: QtBot, session: Session
) -> None:
    nurse = as_nurse(session).desk
    visit_id = add_visit(nurse)
    dialog = PrepDialog(session, visit_id)
    qtbot.addWidget(dialog)
    dialog.show()
    type_vitals(qtbot, dialog, "1200", "80")
    error = dialog.vitals_entry.errors["systolic"]
    assert error.isVisible() and "outside the plausible range" in error.text()
    assert prep.readiness(nurse, visit_id).readings == ()


def test_not_ready_food_can_be_overridden_with_a_reason(qtbot: QtBot, session: Session) -> None:
    nurse = as_nurse(session).desk
    visit_id = add_visit(nurse, start_in_minutes=0)
    view = confirm_everything(nurse, visit_id)
    now = nurse.now()
    prep.record_intake(nurse, visit_id, now - timedelta(hours=2), now - timedelta(hours=3), True,
                       view.prep_version)  # fmt: skip
    dialog = PrepDialog(session, visit_id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert screen_shows("✖ Not ready") and "Ready at" in dialog.item_reason[PrepItem.FOOD].text()
    assert not button(dialog, "Clear for infusion").isEnabled()
    qtbot.keyClick(button(dialog, "Override…"), Qt.Key.Key_Space)
    ask = dialog.findChild(QDialog)
    assert ask is not None and ask.isVisible()
    qtbot.keyClicks(field_for(ask, "Reason"), "Clinician approved: clear soup only")
    qtbot.keyClick(field_for(ask, "Reason"), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: button(dialog, "Clear for infusion").isEnabled())
    qtbot.keyClick(button(dialog, "Clear for infusion"), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "Overridden: Clinician approved" in
                    dialog.item_reason[PrepItem.FOOD].text())  # fmt: skip


def test_a_receptionist_sees_why_they_cannot_clear(qtbot: QtBot, session: Session) -> None:
    session.switch_to(add_person(session.desk, "rita", Role.RECEPTIONIST))
    visit_id = add_visit(session.desk)
    dialog = PrepDialog(session, visit_id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not button(dialog, "Clear for infusion").isEnabled()
    assert screen_shows("Only a nurse can clear or hold the infusion.")


def test_hold_asks_for_a_reason_and_shows_it(qtbot: QtBot, session: Session) -> None:
    nurse = as_nurse(session).desk
    visit_id = add_visit(nurse)
    dialog = PrepDialog(session, visit_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(button(dialog, "Hold…"), Qt.Key.Key_Space)
    ask = dialog.findChild(QDialog)
    assert ask is not None and ask.isVisible()
    qtbot.keyClick(field_for(ask, "Reason for the hold"), Qt.Key.Key_Return)
    assert ask.isVisible() and screen_shows("Give a reason.")
    qtbot.keyClicks(field_for(ask, "Reason for the hold"), "Waiting for the clinician")
    qtbot.keyClick(field_for(ask, "Reason for the hold"), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.hold_banner.isVisible())
    assert dialog.hold_banner.text() == "On hold: Waiting for the clinician"
    assert prep.readiness(nurse, visit_id).hold_reason == "Waiting for the clinician"
