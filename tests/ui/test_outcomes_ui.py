"""Outcomes through the screens: the kiosk after check-in, the safety alert that stops the
line until a clinician assesses, the trend chart's points, and the kiosk's ways out."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desk.db.models import Visit
from desk.domain.instruments import Language
from desk.domain.roles import Role
from desk.domain.visit_states import VisitState
from desk.services import outcomes, prep
from desk.services.context import Desk
from desk.ui.checkin import open_check_in
from desk.ui.kiosk import KioskWindow, StaffUnlockDialog
from desk.ui.mainwindow import MainWindow
from desk.ui.outcomes_record import OutcomesDialog
from desk.ui.prep import PrepDialog
from desk.ui.safety import SafetyAssessmentDialog
from desk.ui.session import Session
from tests.helpers.fixtures import STAFF_PASSWORD, FakeClock, add_person
from tests.services.nurse_rows import add_visit, confirm_everything
from tests.ui.conftest import button, field_for, screen_shows, visible_texts
from tests.ui.test_nurse_flow import choose, top_dialog


def visible(kind: type[QWidget]) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def tap(qtbot: QtBot, window: QWidget, text: str) -> None:
    qtbot.mouseClick(button(window, text), Qt.MouseButton.LeftButton)


def menu_action(window: MainWindow, text: str) -> None:
    for action in window.menuBar().actions():
        menu = action.menu()
        for item in menu.actions() if menu else []:
            if item.text().replace("&", "") == text:
                item.trigger()
                return
    raise AssertionError(f"no menu item {text!r}")


def check_in(qtbot: QtBot, session: Session, visit_id: int) -> None:
    dialog = open_check_in(session, visit_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(field_for(dialog, "Date of birth"), "01/01/1980")
    dialog.contact_ok.setChecked(True)
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        tap(qtbot, dialog, "Check in")


def answer_on_kiosk(qtbot: QtBot, kiosk: KioskWindow, answers: list[str]) -> None:
    for text in answers:
        tap(qtbot, kiosk, text)


def test_kiosk_item_nine_stops_the_line_until_a_clinician_assesses(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    rita = add_person(session.desk, "rita", Role.RECEPTIONIST)
    nina = add_person(session.desk, "nina", Role.NURSE)
    doctor = add_person(session.desk, "drhale", Role.CLINICIAN)
    session.switch_to(rita)
    visit_id = add_visit(session.desk, status="scheduled", first="Sam", last="Lee")
    check_in(qtbot, session, visit_id)
    window = MainWindow(session, "front-desk-1")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.board.select_visit(visit_id), timeout=5000)

    menu_action(window, "Questionnaires on the kiosk…")
    kiosk = visible(KioskWindow)[0]
    assert isinstance(kiosk, KioskWindow)
    assert screen_shows("Hello Sam.")
    tap(qtbot, kiosk, "Start")
    assert kiosk.progress.text() == "Patient Health Questionnaire (PHQ-9) — question 1 of 9"
    answer_on_kiosk(qtbot, kiosk, ["Several days"] * 4)
    tap(qtbot, kiosk, "Español")  # the patient switches language mid-way
    assert kiosk.question.text().startswith("Sin apetito")
    answer_on_kiosk(qtbot, kiosk, ["Ningún día"] * 4 + ["Varios días"])  # item 9 = 1
    answer_on_kiosk(qtbot, kiosk, ["Nunca"] * 7)  # GAD-7
    assert kiosk.message.text().startswith("Gracias.")
    kiosk.close()  # the window stays: only a staff password takes it back
    unlock = visible(StaffUnlockDialog)[0]
    assert kiosk.isVisible() and isinstance(unlock, StaffUnlockDialog)
    qtbot.keyClicks(unlock.password, STAFF_PASSWORD)
    tap(qtbot, unlock, "Take back")
    qtbot.waitUntil(lambda: not kiosk.isVisible())

    window.board.reload()
    qtbot.waitUntil(lambda: screen_shows("✖ Alert"), timeout=5000)
    notes = [t for t in visible_texts() if t.startswith("✖ Blocked:")]
    assert notes and "safety" in notes[0]
    menu_action(window, "Safety assessment…")  # reception may not assess
    assert screen_shows("Only a clinician may record a safety assessment.")

    session.switch_to(nina)
    confirm_everything(session.desk, visit_id)
    dialog = PrepDialog(session, visit_id)
    qtbot.addWidget(dialog)
    dialog.show()
    tap(qtbot, dialog, "Clear for infusion")
    qtbot.waitUntil(lambda: "PHQ-9 item 9 was answered above 0" in dialog.error.text())

    session.switch_to(doctor)
    menu_action(window, "Safety assessment…")
    assessment = top_dialog(SafetyAssessmentDialog)
    choose(field_for(assessment, "Risk level"), "Low risk", qtbot)  # type: ignore[arg-type]
    qtbot.keyClicks(field_for(assessment, "Action taken"), "Safety plan reviewed with patient")
    qtbot.keyClicks(field_for(assessment, "Who was told"), "Dr Hale (referring)")
    tap(qtbot, assessment, "Record assessment")
    qtbot.waitUntil(lambda: not assessment.isVisible())

    session.switch_to(nina)
    dialog.reload()
    tap(qtbot, dialog, "Clear for infusion")
    qtbot.waitUntil(lambda: "Cleared for infusion" in dialog.verdict.text())
    assert prep.readiness(session.desk, visit_id).status is VisitState.PREP_CLEARED


def another_visit(desk: Desk, visit_id: int, status: str) -> int:
    """A second visit, now, for the patient of ``visit_id``."""
    with desk.sessions() as db:
        first = db.get(Visit, visit_id)
        assert first is not None
        now = desk.now()
        visit = Visit(
            patient_id=first.patient_id, visit_type="mood_infusion", chair="Chair 1",
            scheduled_start=now, scheduled_end=now + timedelta(hours=2), status=status,
            created_at=now,
        )  # fmt: skip
        db.add(visit)
        db.commit()
        return visit.id


def test_trend_chart_holds_each_days_score_and_marks_infusion_days(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    session.switch_to(add_person(session.desk, "nina", Role.NURSE))
    first = add_visit(session.desk, status="discharged", start_in_minutes=0)
    expected = []
    for answers in ([3, 3, 2, 2, 2, 2, 2, 2, 0], [2, 2, 1, 1, 1, 1, 1, 1, 0],
                    [1, 1, 0, 0, 0, 1, 0, 0, 0]):  # fmt: skip
        visit_id = first if not expected else another_visit(session.desk, first, "discharged")
        outcomes.record_answers(session.desk, visit_id, "phq9", answers, language=Language.EN,
                                method="phone")  # fmt: skip
        expected.append((clock.now.astimezone().date(), sum(answers)))
        clock.advance(days=3)
    with session.desk.read() as db:
        patient_id = db.get(Visit, first).patient_id  # type: ignore[union-attr]
    dialog = OutcomesDialog(session, patient_id)
    qtbot.addWidget(dialog)
    dialog.show()
    chart = dialog.charts["phq9"]
    assert chart.points == tuple(expected) == ((expected[0][0], 18), (expected[1][0], 10),
                                               (expected[2][0], 3))  # fmt: skip
    assert chart.infusion_marks == tuple(day for day, _total in expected)
    assert dialog.charts["gad7"].points == ()
    # Later days sit further right, higher scores higher up (y grows downwards).
    places = [chart.position(day, total) for day, total in chart.points]
    assert places[0].x() < places[1].x() < places[2].x()
    assert places[0].y() < places[1].y() < places[2].y()


def test_idle_kiosk_drops_the_answers_in_progress_and_shows_a_neutral_screen(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    session.switch_to(add_person(session.desk, "rita", Role.RECEPTIONIST))
    visit_id = add_visit(session.desk, first="Sam", last="Lee")
    kiosk = KioskWindow(session, visit_id)
    qtbot.addWidget(kiosk)
    kiosk.idle.setInterval(50)
    kiosk.show()
    tap(qtbot, kiosk, "Start")
    answer_on_kiosk(qtbot, kiosk, ["Several days"] * 3)
    qtbot.waitUntil(lambda: kiosk.message.isVisible(), timeout=3000)
    assert kiosk.message.text() == "Please see the front desk."
    assert not screen_shows("Sam") and not screen_shows("Several days")
    assert outcomes.visit_questionnaires(session.desk, visit_id).answered == frozenset()


def test_wrong_staff_password_keeps_the_kiosk_open(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    session.switch_to(add_person(session.desk, "rita", Role.RECEPTIONIST))
    kiosk = KioskWindow(session, add_visit(session.desk))
    qtbot.addWidget(kiosk)
    kiosk.show()
    qtbot.keyClick(kiosk, Qt.Key.Key_Escape)
    assert kiosk.isVisible()
    unlock = kiosk.ask_staff_password()
    assert isinstance(unlock, StaffUnlockDialog)
    qtbot.keyClicks(unlock.password, "not-the-password")
    tap(qtbot, unlock, "Take back")
    assert "not correct" in unlock.error.text()
    assert kiosk.isVisible()


def test_clinician_signs_the_progress_letter_from_the_outcomes_record(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    from desk.ui.document_viewer import DocumentViewerDialog
    from desk.ui.outcomes_record import SignLetterDialog
    from tests.services.test_progress_letters import finished_series

    session.switch_to(add_person(session.desk, "drhale", Role.CLINICIAN))
    patient_id, _series = finished_series(session.desk, clock)
    dialog = OutcomesDialog(session, patient_id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "PHQ-9 20 → 8 (-60 %), response, not in remission" in dialog.series.text()
    assert "maintenance infusion is suggested" in dialog.proposal.text()
    tap(qtbot, dialog, "Sign progress letter (Mood Series ending 11/12/2026)…")
    letter = top_dialog(SignLetterDialog)
    assert "maintenance infusion is suggested" in letter.plan.toPlainText()  # type: ignore[attr-defined]
    tap(qtbot, letter, "Sign and view")
    viewer = top_dialog(DocumentViewerDialog)
    assert viewer.windowTitle() == "Progress letter"
