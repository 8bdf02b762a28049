"""Every window of the desk, opened as it first appears: it fits a 1366×768 screen with its
buttons on screen, and no two of its Alt+letter mnemonics are the same letter."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot

from desk.services import booking, call_list, candidacy, patients
from desk.services.board import day_board
from desk.services.patients import DuplicateCandidate
from desk.ui.session import Session
from tests.helpers.fixtures import FakeClock
from tests.helpers.visits import add_patient
from tests.ui.conftest import add_visit, local, today

# A 1366×768 laptop or front-desk monitor, less a 40-pixel taskbar.
SCREEN_WIDTH, SCREEN_HEIGHT = 1366, 768 - 40

_MNEMONIC = re.compile(r"&(?!&)(\w)")


@dataclass(frozen=True)
class Clinic:
    session: Session
    patient_id: int
    scheduled_id: int  # a consultation later today
    arrived_id: int  # an infusion patient in the waiting room
    clock: FakeClock


@pytest.fixture
def clinic(session: Session, clock: FakeClock) -> Clinic:
    desk = session.desk
    patient_id = add_patient(desk)
    scheduled = add_visit(desk, "Ben", "Tan", local(today(desk), 16), status="scheduled")
    arrived = add_visit(desk, "Ana", "Silva", local(today(desk), 9), status="arrived")
    return Clinic(session, patient_id, scheduled, arrived, clock)


def _windows() -> dict[str, Callable[[Clinic], QWidget]]:
    from desk.ui.administration import AdministrationDialog
    from desk.ui.audit_view import AuditDialog
    from desk.ui.booking import BookVisitDialog, SeriesBookingDialog
    from desk.ui.call_list import CallListDialog
    from desk.ui.candidacy_panel import CandidacyPanel
    from desk.ui.checkin import open_check_in
    from desk.ui.clinic_settings import ClinicSettingsDialog
    from desk.ui.connect import ConnectDialog, PasswordPrompt
    from desk.ui.consent import ConsentDialog
    from desk.ui.day_close import DayCloseDialog
    from desk.ui.discharge import DischargeDialog
    from desk.ui.document_viewer import DocumentViewerDialog
    from desk.ui.infusion import EndInfusionDialog, InfusionDialog
    from desk.ui.kiosk import KioskWindow, StaffUnlockDialog
    from desk.ui.letters_due import LettersDueDialog
    from desk.ui.mainwindow import MainWindow
    from desk.ui.orders import OrderDialog
    from desk.ui.outcomes_record import OutcomesDialog, SignLetterDialog
    from desk.ui.patient_form import DuplicatePrompt, PatientForm
    from desk.ui.phone_answers import PhoneAnswersDialog
    from desk.ui.prep import PrepDialog, ReasonDialog
    from desk.ui.safety import SafetyAssessmentDialog
    from desk.ui.search import PatientSearchDialog
    from desk.ui.signin import SignInDialog
    from desk.ui.staff_admin import AddPersonDialog, ResetPasswordDialog, StaffDialog
    from desk.ui.stock import StockDialog
    from desk.ui.templates_admin import TemplatesDialog
    from desk.ui.transport import TransportDialog
    from desk.ui.upgrade import UpgradeDialog
    from desk.ui.user_guide import UserGuideDialog
    from desk.ui.visit_actions import VisitActionDialog, VisitPanel
    from desk.ui.wizard import SetupWizard

    def visit(c: Clinic) -> booking.VisitView:
        return booking.get_visit(c.session.desk, c.scheduled_id)

    def record(c: Clinic) -> patients.PatientView:
        return patients.get_patient(c.session.desk, c.patient_id)

    def with_cosigner(window: DischargeDialog | PrepDialog) -> QWidget:
        window.cosigner.show()  # the second clinician's box, as an early discharge shows it
        return window

    def end_infusion(c: Clinic) -> QWidget:
        from desk.services.infusion import infusion_view

        return EndInfusionDialog(infusion_view(c.session.desk, c.arrived_id), c.session)

    def staff_unlock(c: Clinic) -> QWidget:
        kiosk = KioskWindow(c.session, c.arrived_id)
        unlock = StaffUnlockDialog(c.session.desk, "admin", kiosk)
        unlock.kiosk = kiosk  # type: ignore[attr-defined]  # the parent lives as long
        return unlock

    def progress_letter(c: Clinic) -> QWidget:
        from tests.services.test_progress_letters import finished_series

        _patient, series = finished_series(c.session.desk, c.clock)
        return SignLetterDialog(c.session, series)

    return {
        "main window": lambda c: MainWindow(c.session, "Front desk 1"),
        "sign in": lambda c: SignInDialog(),
        "setup wizard": lambda c: SetupWizard(c.session.desk),
        "connect": lambda c: ConnectDialog(),
        "database password": lambda c: PasswordPrompt("postgresql://desk@clinic-server/desk"),
        "find patient": lambda c: PatientSearchDialog(c.session),
        "new patient": lambda c: PatientForm.register(c.session),
        "patient record": lambda c: PatientForm(c.session, record(c)),
        "possible duplicate": lambda c: DuplicatePrompt(c.session, [DuplicateCandidate(
            c.patient_id, "T00001", "Zoë O'Neill", None, ("(201) 555-0123",), "same name")]),
        "screening": lambda c: CandidacyPanel(
            c.session, record(c), candidacy.get_candidacy(c.session.desk, c.patient_id)),
        "book a visit": lambda c: BookVisitDialog(c.session, c.patient_id),
        "book a series": lambda c: SeriesBookingDialog(c.session, c.patient_id),
        "cancel visit": lambda c: VisitActionDialog(c.session, visit(c), "cancel"),
        "no-show": lambda c: VisitActionDialog(c.session, visit(c), "no_show"),
        "move visit": lambda c: VisitActionDialog(c.session, visit(c), "reschedule"),
        "reinstate visit": lambda c: VisitActionDialog(c.session, visit(c), "reinstate"),
        "visit panel": lambda c: VisitPanel(
            c.session, day_board(c.session.desk, today(c.session.desk))[0], []),
        "check in": lambda c: open_check_in(c.session, c.scheduled_id),
        "call list": lambda c: CallListDialog(c.session),
        "consent": lambda c: ConsentDialog(c.session, c.patient_id),
        "pdf viewer": lambda c: DocumentViewerDialog(
            call_list.call_list_pdf(c.session.desk, today(c.session.desk)), "Call list", "CAL"),
        "prep checklist": lambda c: PrepDialog(c.session, c.arrived_id),
        "hold reason": lambda c: ReasonDialog("Hold the infusion", "Why?", None, ["Other"]),
        "prep checklist with cosigner": lambda c: with_cosigner(
            PrepDialog(c.session, c.arrived_id)),
        "infusion": lambda c: InfusionDialog(c.session, c.arrived_id),
        "end infusion": end_infusion,
        "discharge": lambda c: DischargeDialog(c.session, c.arrived_id),
        "discharge with cosigner": lambda c: with_cosigner(
            DischargeDialog(c.session, c.arrived_id)),
        "infusion order": lambda c: OrderDialog(c.session, c.arrived_id),
        "drug record": lambda c: AdministrationDialog(c.session, c.arrived_id),
        "controlled-substance stock": lambda c: StockDialog(c.session),
        "close the day": lambda c: DayCloseDialog(c.session),
        "outcomes": lambda c: OutcomesDialog(c.session, c.patient_id),
        "progress letter": progress_letter,
        "letters due": lambda c: LettersDueDialog(c.session, lambda _patient: None),
        "kiosk": lambda c: KioskWindow(c.session, c.arrived_id),
        "kiosk staff unlock": staff_unlock,
        "questionnaire by phone": lambda c: PhoneAnswersDialog(c.session, c.arrived_id),
        "safety assessment": lambda c: SafetyAssessmentDialog(c.session, c.arrived_id),
        "user guide": lambda c: UserGuideDialog(c.session.actor),
        "upgrade database": lambda c: UpgradeDialog(
            "postgresql://desk@clinic-server/desk", "The clinic's database is older."),
        "way home": lambda c: TransportDialog(c.session, c.arrived_id),
        "staff": lambda c: StaffDialog(c.session),
        "add staff": lambda c: AddPersonDialog(c.session),
        "reset password": lambda c: ResetPasswordDialog(c.session, "admin"),
        "clinic settings": lambda c: ClinicSettingsDialog(c.session),
        "consent templates": lambda c: TemplatesDialog(c.session),
        "audit trail": lambda c: AuditDialog(c.session),
    }


WINDOWS = sorted(_windows())


def opened(qtbot: QtBot, clinic: Clinic, name: str) -> QWidget:
    window = _windows()[name](clinic)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def action_buttons(window: QWidget) -> list[QAbstractButton]:
    """The buttons that finish or act on the window: its button boxes and wizard buttons."""
    found = [b for box in window.findChildren(QDialogButtonBox) for b in box.buttons()]
    if isinstance(window, QWizard):
        found += [window.button(which) for which in (
            QWizard.WizardButton.NextButton, QWizard.WizardButton.CancelButton)]
    return [b for b in found if b.isVisibleTo(window)]


def mnemonics(window: QWidget) -> Counter[str]:
    """The Alt+letters a person can press in ``window`` as it is shown."""
    texts: list[str] = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        labelled = isinstance(widget, QLabel) and widget.buddy() is not None
        if isinstance(widget, QAbstractButton) or labelled:
            texts.append(widget.text())
        elif isinstance(widget, QGroupBox) and widget.isCheckable():
            texts.append(widget.title())
        elif isinstance(widget, QTabWidget):
            texts += [widget.tabText(i) for i in range(widget.count())]
    if isinstance(window, QMainWindow):
        texts += [menu.title() for menu in window.menuBar().findChildren(QMenu)
                  if menu.menuAction().isVisible() and menu.parent() is window.menuBar()]
    return Counter(m.lower() for text in texts for m in _MNEMONIC.findall(text))


@pytest.mark.parametrize("name", WINDOWS)
def test_the_window_fits_a_1366_by_768_screen_with_its_buttons_on_it(
    qtbot: QtBot, clinic: Clinic, name: str
) -> None:
    window = opened(qtbot, clinic, name)
    size = window.frameGeometry().size()
    assert size.width() <= SCREEN_WIDTH and size.height() <= SCREEN_HEIGHT, (
        f"{name} opens at {size.width()}×{size.height()}")
    inside = QRect(QPoint(0, 0), window.size())
    for button in action_buttons(window):
        where = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
        assert inside.contains(where), f"{name}: {button.text()!r} is off the window"


@pytest.mark.parametrize("name", WINDOWS)
def test_no_two_alt_letters_in_the_window_are_the_same(
    qtbot: QtBot, clinic: Clinic, name: str
) -> None:
    window = opened(qtbot, clinic, name)
    twice = sorted(letter for letter, count in mnemonics(window).items() if count > 1)
    assert not twice, f"{name}: Alt+{', Alt+'.join(twice)} mean two things"


def test_the_mnemonic_check_sees_a_letter_used_twice(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    row = QVBoxLayout(window)
    for text in ("&Register", "P&review", "&Save", "Print && close"):
        row.addWidget(QPushButton(text))
    window.show()
    assert mnemonics(window) == Counter({"r": 2, "s": 1})


def test_the_tests_run_on_a_1366_by_768_screen() -> None:
    screen = QApplication.primaryScreen().size()
    assert (screen.width(), screen.height()) == (1366, 768)
