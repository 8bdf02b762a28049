"""A nurse's whole day through the main window, and what happens to her ticks when someone
else signs in at her desk. Driven by menus, shortcuts, visible labels and buttons."""

from __future__ import annotations

import io

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from desk.db.models import AuditEntry, Visit
from desk.domain.readiness import PrepItem
from desk.domain.roles import Role
from desk.domain.visit_states import VisitState
from desk.services import infusion, prep
from desk.ui.discharge import DischargeDialog
from desk.ui.document_viewer import DocumentViewerDialog
from desk.ui.infusion import EndInfusionDialog, InfusionDialog
from desk.ui.mainwindow import MainWindow
from desk.ui.prep import PrepDialog, ReasonDialog
from desk.ui.session import Session
from tests.helpers.fixtures import STAFF_PASSWORD, FakeClock, add_person
from tests.services.nurse_rows import GOOD_VITALS, add_visit, confirm_everything
from tests.ui.conftest import button, field_for, screen_shows
from tests.ui.test_nurse_flow import choose, fill_checklist, top_dialog, type_vitals

TICKS = ("Dissociation has resolved", "End vitals are acceptable",
         "Discharge instructions given to the patient and the adult")  # fmt: skip


def _window(qtbot: QtBot, session: Session) -> MainWindow:
    window = MainWindow(session, "infusion-room-1")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def _sign_in_as(qtbot: QtBot, window: MainWindow, username: str) -> None:
    """File → Switch user…, then the person's own user name and password."""
    window.switch_action.trigger()
    qtbot.waitUntil(window.lock_screen.switch_username.hasFocus)
    qtbot.keyClicks(window.lock_screen.switch_username, username)
    qtbot.keyClick(window.lock_screen.switch_username, Qt.Key.Key_Return)
    qtbot.keyClicks(window.lock_screen.switch_password, STAFF_PASSWORD)
    qtbot.keyClick(window.lock_screen.switch_password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=6000)
    assert window.session.actor.username == username


def _cosign(qtbot: QtBot, dialog: object, username: str, password: str) -> None:
    for label, text in (("Their user name", username), ("Their password", password)):
        field = field_for(dialog, label)  # type: ignore[arg-type]
        assert isinstance(field, QLineEdit) and field.isVisible()
        field.clear()
        qtbot.keyClicks(field, text)


def _in_recovery(session: Session, clock: FakeClock) -> int:
    nurse = session.desk
    visit_id = add_visit(nurse, start_in_minutes=0)
    view = confirm_everything(nurse, visit_id)
    prep.clear_for_infusion(nurse, visit_id, expected_version=view.prep_version)
    infusion.start_infusion(nurse, visit_id)
    clock.advance(minutes=90)
    infusion.end_infusion(nurse, visit_id)
    prep.record_vitals(nurse, visit_id, GOOD_VITALS)
    clock.advance(minutes=35)
    return visit_id


def _open_discharge(qtbot: QtBot, window: MainWindow, visit_id: int) -> DischargeDialog:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    # The board notices the new visit on its next poll, as another desk's change.
    qtbot.waitUntil(lambda: window.board.select_visit(visit_id), timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    screen = top_dialog(InfusionDialog)
    qtbot.keyClick(button(screen, "Discharge…"), Qt.Key.Key_Space)
    leaving = top_dialog(DischargeDialog)
    assert isinstance(leaving, DischargeDialog)
    return leaving


def test_switch_user_clears_the_previous_nurses_discharge_ticks(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    for name in ("nina", "noah"):
        add_person(session.desk, name, Role.NURSE)
    window = _window(qtbot, session)
    _sign_in_as(qtbot, window, "nina")
    leaving = _open_discharge(qtbot, window, _in_recovery(session, clock))
    for text in TICKS:
        qtbot.keyClick(button(leaving, text), Qt.Key.Key_Space)
    assert all(button(leaving, text).isChecked() for text in TICKS)

    _sign_in_as(qtbot, window, "noah")

    qtbot.waitUntil(leaving.isVisible)
    assert not any(button(leaving, text).isChecked() for text in TICKS)
    assert screen_shows("Another person signed in: the previous person's ticks and entries "
                        "were cleared.")  # fmt: skip


def test_the_same_nurse_unlocking_gets_her_ticks_back(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    add_person(session.desk, "nina", Role.NURSE)
    window = _window(qtbot, session)
    _sign_in_as(qtbot, window, "nina")
    leaving = _open_discharge(qtbot, window, _in_recovery(session, clock))
    for text in TICKS[:2]:
        qtbot.keyClick(button(leaving, text), Qt.Key.Key_Space)
    window.lock_action.trigger()  # File → Lock screen (the dialog has the keyboard)
    assert window.is_locked and not leaving.isVisible()
    qtbot.keyClicks(window.lock_screen.password, STAFF_PASSWORD)
    qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=6000)
    qtbot.waitUntil(leaving.isVisible)
    assert [button(leaving, text).isChecked() for text in TICKS] == [True, True, False]


def test_a_nurses_whole_day_through_the_main_window(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    add_person(session.desk, "nina", Role.NURSE)
    add_person(session.desk, "noah", Role.NURSE)
    visit_id = add_visit(session.desk, start_in_minutes=0, first="Sam", last="Lee")
    window = _window(qtbot, session)
    _sign_in_as(qtbot, window, "nina")
    assert window.person_label.text() == "Nina — Nurse"

    # The board → Ctrl+P: the prep checklist, filled in as the nurse hears it.
    assert window.board.select_visit(visit_id)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    checklist = top_dialog(PrepDialog)
    assert isinstance(checklist, PrepDialog)
    fill_checklist(qtbot, checklist)  # food, fluids, clothing, the way home, 124/80
    type_vitals(qtbot, checklist, "185", "112")  # re-measured: at the hold limits
    qtbot.waitUntil(lambda: "hold the infusion" in checklist.item_reason[PrepItem.VITALS].text())
    clear = button(checklist, "Clear for infusion")
    assert not clear.isEnabled()

    # A hold reading is a hard stop: the nurse's reason alone does not clear it.
    qtbot.keyClick(button(checklist, "Override…"), Qt.Key.Key_Space)
    ask = checklist.findChild(ReasonDialog)
    assert ask is not None and ask.isVisible()
    choose(field_for(ask, "Item"), "Pre-infusion vitals", qtbot)  # type: ignore[arg-type]
    assert screen_shows("Hard stop: a second nurse or a clinician must confirm")
    qtbot.keyClicks(field_for(ask, "Reason"), "Known hypertensive; Dr Reyes at the bedside")
    qtbot.keyClick(field_for(ask, "Reason"), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: checklist.cosigner.isVisible())
    assert not clear.isEnabled() and "second clinician confirms below" in checklist.blockers.text()
    _cosign(qtbot, checklist, "nina", STAFF_PASSWORD)  # herself: refused
    qtbot.keyClick(clear, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "someone other than you" in checklist.error.text())
    _cosign(qtbot, checklist, "noah", "not-his-password")
    qtbot.keyClick(clear, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "user name or password is not correct" in checklist.error.text())
    _cosign(qtbot, checklist, "noah", STAFF_PASSWORD)
    qtbot.keyClick(clear, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "Cleared for infusion" in checklist.verdict.text())
    assert "(Nina, co-signed by Noah)" in checklist.item_reason[PrepItem.VITALS].text()
    checklist.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    # Ctrl+Shift+I: the infusion, a side effect, the end (asked first), recovery readings.
    assert window.board.select_visit(visit_id)
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    screen = top_dialog(InfusionDialog)
    assert isinstance(screen, InfusionDialog)
    assert not button(screen, "End infusion…").isEnabled()
    assert button(screen, "End infusion…").toolTip() == "The infusion has not started."
    qtbot.keyClick(button(screen, "Start infusion now"), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: screen.state.text().startswith("Infusing since"))
    clock.advance(minutes=40)
    type_vitals(qtbot, screen, "146", "93")
    qtbot.waitUntil(lambda: "During the infusion: BP 146/93" in screen.readings.text())
    choose(field_for(screen, "Side effect"), "Nausea", qtbot)  # type: ignore[arg-type]
    qtbot.keyClicks(field_for(screen, "Note"), "ondansetron 4 mg given")
    qtbot.keyClick(button(screen, "Record side effect"), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "Nausea: ondansetron 4 mg given" in screen.effects.text())
    clock.advance(minutes=50)
    qtbot.keyClick(button(screen, "End infusion…"), Qt.Key.Key_Space)
    ask_end = top_dialog(EndInfusionDialog)
    assert "It has run 1 h 30 min" in ask_end.question.text()
    qtbot.keyClick(button(ask_end, "End infusion"), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "ready to leave at" in screen.state.text())
    type_vitals(qtbot, screen, "128", "82")
    qtbot.waitUntil(lambda: "End of the infusion: BP 128/82" in screen.readings.text())
    clock.advance(minutes=20)
    type_vitals(qtbot, screen, "122", "78")
    qtbot.waitUntil(lambda: "Recovery: BP 122/78" in screen.readings.text())
    clock.advance(minutes=15)

    # Discharge to someone other than the recorded adult: their details and a co-signer.
    qtbot.keyClick(button(screen, "Discharge…"), Qt.Key.Key_Space)
    leaving = top_dialog(DischargeDialog)
    assert isinstance(leaving, DischargeDialog)
    assert not button(leaving, "Discharge sheet…").isEnabled()
    for text in TICKS:
        qtbot.keyClick(button(leaving, text), Qt.Key.Key_Space)
    collector = field_for(leaving, "Who is collecting?")
    assert isinstance(collector, QLineEdit)
    collector.selectAll()
    qtbot.keyClicks(collector, "Tom Lee")
    assert screen_shows("✖ Not the recorded adult (Maria Lopez): a hard stop")
    qtbot.keyClicks(field_for(leaving, "Driver override reason"), "Sister's car broke down")
    qtbot.keyClicks(field_for(leaving, "Relationship to the patient"), "Brother-in-law")
    qtbot.keyClicks(field_for(leaving, "Their phone number"), "201-555-0188")
    qtbot.keyClick(button(leaving, "Photo ID seen and matches the name"), Qt.Key.Key_Space)
    qtbot.keyClick(button(leaving, "Discharge"), Qt.Key.Key_Space)
    assert "second clinician must confirm" in leaving.error.text()
    _cosign(qtbot, leaving, "noah", STAFF_PASSWORD)
    with qtbot.waitSignal(leaving.discharged, timeout=5000):
        qtbot.keyClick(button(leaving, "Discharge"), Qt.Key.Key_Space)
    assert screen_shows("Collected by Tom Lee (Brother-in-law, +12015550188, ID seen)")
    assert screen_shows("(Nina, co-signed by Noah)")
    assert not button(screen, "Record vitals").isEnabled()
    assert "discharged" in button(screen, "Record vitals").toolTip()

    # The discharge sheet: viewed, and printed or saved from the viewer.
    qtbot.keyClick(button(leaving, "Discharge sheet…"), Qt.Key.Key_Space)
    sheet = top_dialog(DocumentViewerDialog)
    assert isinstance(sheet, DocumentViewerDialog)
    assert button(sheet, "Print…").isEnabled() and button(sheet, "Save as PDF…").isEnabled()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(sheet.pdf)).pages)
    discharged_at = clock.now.astimezone().strftime("%H:%M")
    for fact in (f"Discharged at: {discharged_at}", "Collected by: Tom Lee",
                 "Discharging nurse: Nina", "Nausea", "ondansetron 4 mg given",
                 "co-signed by Noah"):  # fmt: skip
        assert fact in text, fact

    with session.desk.read() as db:
        visit = db.get(Visit, visit_id)
        assert visit is not None and visit.status == VisitState.DISCHARGED
        assert (visit.discharged_by, visit.discharge_cosigned_by) == ("nina", "noah")
        entries = db.query(AuditEntry.actor, AuditEntry.summary).filter(
            AuditEntry.action.in_(("prep.clear", "visit.discharge"))).all()  # fmt: skip
    assert [actor for actor, _ in entries] == ["nina", "nina"]
    assert all("cosigned_by=noah" in summary for _, summary in entries)
