"""The main window: menus (following the signed-in roles), the day board, the status bar
(who works here, and each save confirmed for a few seconds), and the idle lock."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QStackedWidget, QWidget

import desk
from desk.domain.errors import AccessChanged, DeskError, NotPermitted
from desk.domain.roles import Role
from desk.services.booking import BOOKING_ROLES
from desk.services.call_list import CALL_ROLES
from desk.services.checkin import CHECK_IN_ROLES
from desk.services.patients import EDITING_ROLES
from desk.services.transport import TRANSPORT_ROLES
from desk.services.visits import NO_SHOW_ROLES
from desk.ui.board import DayBoard
from desk.ui.forms import named
from desk.ui.idle import IdleMonitor, WindowShield
from desk.ui.lockscreen import LockScreen
from desk.ui.messages import show_error, show_message
from desk.ui.permissions import NURSING_ROLES, allow, allow_reading, make_read_only
from desk.ui.session import Session, role_text

SAVED_MESSAGE_MS = 8000

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

    from desk.services.context import Actor
    from desk.ui.nurse_board import NurseBoardView


log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, session: Session, workstation: str) -> None:
        super().__init__()
        self.session = session
        self.workstation = workstation
        self._dialogs: dict[str, QDialog] = {}
        self._role_rules: list[tuple[QAction, Collection[Role]]] = []
        self._read_rules: list[tuple[QAction, Collection[Role]]] = []  # open, maybe read-only
        self._locked = False
        self.board = DayBoard(session)
        self.nurse_station: NurseBoardView | None = None
        self.lock_screen = LockScreen()
        self.lock_screen.signed_in.connect(self._signed_in_while_locked)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.board)
        self.pages.addWidget(self.lock_screen)
        self._page_before_lock: QWidget = self.board
        self.setCentralWidget(self.pages)
        self._build_menus()
        self._build_status_bar()
        self.shield = WindowShield()
        self.idle = IdleMonitor(session.policy.idle_lock_minutes, parent=self)
        self.idle.idle.connect(self.lock)
        session.actor_changed.connect(self._show_actor)
        session.saved.connect(self.show_saved)
        self.board.patient_wanted.connect(self.find_patient)
        # Queued: the refused save finishes (and says why) before its dialog is closed.
        session.access_changed.connect(
            self._access_changed, Qt.ConnectionType.QueuedConnection
        )
        session.clinic_changed.connect(self._show_clinic)
        self._show_actor()
        self._show_clinic()
        self.resize(1100, 700)
        self.idle.start()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.lock_action = self._action(file_menu, "&Lock screen", self.lock, "Ctrl+L")
        self.switch_action = self._action(
            file_menu, "S&witch user…", lambda: self.lock(switch=True)
        )
        file_menu.addSeparator()
        self.connection_action = self._action(
            file_menu, "&Database connection…", self.open_database_connection
        )
        file_menu.addSeparator()
        self.quit_action = self._action(
            file_menu, "&Quit", self.close, "Ctrl+Q"
        )
        self._build_view_menu()
        self._build_patient_menu()
        self.visit_menu = self.menuBar().addMenu("&Visit")
        self.visit_menu.setToolTipsVisible(True)  # a disabled action says who may use it
        for board_action in self.board.menu_actions():
            if board_action is None:
                self.visit_menu.addSeparator()
            else:
                self.visit_menu.addAction(board_action)
        self._build_outcomes_actions()
        board = self.board
        for actions, roles in (
            ((board.check_in_action,), CHECK_IN_ROLES),
            ((board.book_action, board.series_action, board.move_action, board.cancel_action,
              board.reinstate_action), BOOKING_ROLES),
            ((board.no_show_action,), NO_SHOW_ROLES),
            ((board.call_list_action,), CALL_ROLES),
        ):
            self._role_rules.extend((action, roles) for action in actions)
        self._build_nurse_menu()
        self._build_controlled_substance_menu()
        self.admin_menu = self.menuBar().addMenu("&Admin")
        self._action(self.admin_menu, "&Staff…", self.open_staff)
        self._action(self.admin_menu, "&Clinic settings…", self.open_clinic_settings)
        self._action(self.admin_menu, "Consent &templates…", self.open_templates)
        self._action(self.admin_menu, "&Audit trail…", self.open_audit)
        help_menu = self.menuBar().addMenu("&Help")
        self.guide_action = self._action(help_menu, "&User guide", self.open_user_guide, "F1")
        self.about_action = self._action(help_menu, "&About Infusion Desk", self.show_about)

    def _build_view_menu(self) -> None:
        view_menu = self.menuBar().addMenu("Vie&w")
        self._action(view_menu, "&Day board", self.show_board, "Ctrl+1")
        self._action(view_menu, "&Nurse station", self.show_nurse_station, "Ctrl+2")

    def _build_patient_menu(self) -> None:
        patient_menu = self.menuBar().addMenu("&Patient")
        patient_menu.setToolTipsVisible(True)
        self._action(patient_menu, "&Find patient…", self.find_patient, "Ctrl+F")
        new = self._action(patient_menu, "&New patient…", self.new_patient, "Ctrl+N")
        self._role_rules.append((new, EDITING_ROLES))
        patient_menu.addSeparator()
        self._action(patient_menu, "Patient &record…", self.open_patient_record, "Ctrl+R")
        self._action(patient_menu, "&Consent and documents…", self.open_consent, "Ctrl+Shift+C")
        self._action(patient_menu, "&Outcomes and trends…", self.open_outcomes, "Ctrl+Shift+O")

    def _build_outcomes_actions(self) -> None:
        self.visit_menu.addSeparator()
        self._action(self.visit_menu, "Questionnaires on the &kiosk…", self.open_kiosk,
                     "Ctrl+Shift+Q")
        self._action(self.visit_menu, "Questionnaire by p&hone…", self.open_phone_answers)
        self._action(self.visit_menu, "Sa&fety assessment…", self.open_safety_assessment,
                     "Ctrl+Shift+F")
        self._action(self.visit_menu, "Progress &letters due…", self.open_letters_due)

    def _build_nurse_menu(self) -> None:
        nurse_menu = self.menuBar().addMenu("&Nurse")
        nurse_menu.setToolTipsVisible(True)
        prep = self._action(nurse_menu, "&Prep checklist…", self.open_prep, "Ctrl+P")
        infusion = self._action(
            nurse_menu, "&Infusion and recovery…", self.open_infusion, "Ctrl+Shift+I"
        )
        way_home = self._action(
            nurse_menu, "&Way home (transport)…", self.open_transport, "Ctrl+T"
        )
        self._read_rules += [(prep, NURSING_ROLES), (infusion, NURSING_ROLES),
                             (way_home, TRANSPORT_ROLES)]

    def _build_controlled_substance_menu(self) -> None:
        menu = self.menuBar().addMenu("&Controlled substance")
        self._action(menu, "Infusion &order…", self.open_order, "Ctrl+Shift+M")
        self._action(
            menu, "&Drug record (vial, rate, waste)…", self.open_drug_record, "Ctrl+Shift+D"
        )
        menu.addSeparator()
        self._action(menu, "&Stock and log…", self.open_stock, "Ctrl+Shift+V")
        self._action(menu, "Close the &day…", self.open_day_close)

    def _action(
        self,
        menu: QWidget,
        text: str,
        slot: Callable[[], object],
        shortcut: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _build_status_bar(self) -> None:
        self.person_label = named(QLabel(), "statusPerson")
        self.database_label = named(QLabel(), "statusDatabase")
        self.workstation_label = named(QLabel(), "statusWorkstation")
        self.person_label.setStyleSheet("font-weight: 600; padding: 0 8px;")
        self.statusBar().addWidget(self.person_label)  # left: who is working here
        # Next to it, each save said in words for a few seconds; nothing to dismiss.
        self.saved_label = named(QLabel(), "statusSaved")
        self.saved_label.setStyleSheet("color: #1b5e20; font-weight: 600; padding: 0 8px;")
        self.statusBar().addWidget(self.saved_label, 1)
        self._saved_timer = QTimer(self, singleShot=True, interval=SAVED_MESSAGE_MS)
        self._saved_timer.timeout.connect(self.saved_label.clear)
        for label in (self.database_label, self.workstation_label):
            label.setStyleSheet("color: #444; padding: 0 8px; border-left: 1px solid #bbb;")
            self.statusBar().addPermanentWidget(label)
        self.database_label.setText(f"Database: {self.session.location}")
        self.workstation_label.setText(f"Workstation: {self.workstation}")

    def show_saved(self, text: str) -> None:
        """Confirm a save on the status bar: visible, never in the way, gone in seconds."""
        self.saved_label.setText(f"✔ {text}")
        self._saved_timer.start()

    def _show_actor(self) -> None:
        actor = self.session.actor
        self.person_label.setText(f"{actor.full_name} — {role_text(actor)}")
        # Hiding and disabling are for a clear screen; the services refuse regardless.
        self.admin_menu.menuAction().setVisible(actor.has(Role.ADMIN))
        for action, roles in self._role_rules:
            allow(action, actor, roles)
        for action, roles in self._read_rules:
            allow_reading(action, actor, roles)
        self.lock_screen.set_desk(self.session.desk)

    def _show_clinic(self) -> None:
        self.setWindowTitle(self.session.clinic.name)  # Qt adds " — Infusion Desk"
        self.idle.set_minutes(self.session.policy.idle_lock_minutes)

    # --- locking ----------------------------------------------------------------------

    @property
    def is_locked(self) -> bool:
        return self._locked

    def lock(self, switch: bool = False) -> None:
        """Cover everything: the board goes behind the lock page, other windows hide."""
        if not self._locked:
            log.info("%s: staff id %s", "switch user" if switch else "locked",
                     self.session.actor.staff_id)
            self._locked = True
            self.idle.stop()
            self._page_before_lock = self.pages.currentWidget() or self.board
            self.board.set_active(False)
            if self.nurse_station is not None:
                self.nurse_station.set_active(False)
            self.shield.hide_all_except(self)
            self.menuBar().setEnabled(False)
            for action in (self.lock_action, self.switch_action, self.about_action):
                action.setEnabled(False)
            self.lock_screen.set_desk(self.session.desk)
            self.pages.setCurrentWidget(self.lock_screen)
            self.activateWindow()  # the hidden dialog had the focus: take it back here
        if switch:
            self.lock_screen.show_switch()
        else:
            self.lock_screen.show_unlock()

    def _access_changed(self) -> None:
        """The signed-in person was disabled or given other roles: back to sign-in.

        Their open forms are dropped, since they may no longer be allowed to finish them.
        """
        for dialog in self._open_dialogs():
            self.shield.forget(dialog)
            dialog.close()
        self.lock(switch=True)
        self.lock_screen.message.setText(str(AccessChanged()))

    def _signed_in_while_locked(self, actor: Actor) -> None:
        before = self.session.actor.staff_id
        if actor.staff_id == before:
            log.info("unlocked: staff id %s", actor.staff_id)
        else:
            log.info("switched user: staff id %s -> %s", before, actor.staff_id)
        self.session.switch_to(actor)
        self._close_dialogs_not_allowed_for(actor)
        self.pages.setCurrentWidget(self._page_before_lock)
        if self.nurse_station is not None:
            self.nurse_station.set_active(True)
        self.menuBar().setEnabled(True)
        for action in (self.lock_action, self.switch_action, self.about_action):
            action.setEnabled(True)
        self._locked = False
        self.board.set_active(True)
        self.shield.restore()
        self.idle.start()

    def _close_dialogs_not_allowed_for(self, actor: Actor) -> None:
        # Another person's half-filled form comes back, unless they may not use it at all.
        for dialog in self._open_dialogs():
            roles: frozenset[Role] = getattr(dialog, "required_roles", frozenset())
            if roles and not actor.has(*roles):
                self.shield.forget(dialog)
                dialog.close()

    # --- dialogs ----------------------------------------------------------------------

    def _open_dialogs(self) -> list[QDialog]:
        return [d for d in self._dialogs.values() if shiboken6.isValid(d)]

    def _open_once(self, key: str, make: Callable[[], QDialog]) -> QDialog:
        """Open the dialog, or bring the one already open to the front."""
        dialog = self._dialogs.get(key)
        if dialog is None or not shiboken6.isValid(dialog):
            dialog = make()
            roles: frozenset[Role] = getattr(dialog, "required_roles", frozenset())
            if roles and not self.session.actor.has(*roles):
                make_read_only(dialog, roles)  # e.g. a receptionist reading the prep checklist
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self._dialogs[key] = dialog
            dialog.open()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    # --- views ------------------------------------------------------------------------

    def show_board(self) -> None:
        if not self._locked:
            self.pages.setCurrentWidget(self.board)

    def show_nurse_station(self) -> None:
        if self._locked:
            return
        if self.nurse_station is None:
            from desk.ui.nurse_board import NurseBoardView

            self.nurse_station = NurseBoardView(self.session, open_dialog=self._open_once)
            self.pages.addWidget(self.nurse_station)
        self.nurse_station.set_active(True)
        self.pages.setCurrentWidget(self.nurse_station)

    def _selected_visit(self) -> tuple[int, int] | None:
        """(visit id, patient id) of the visit selected on the board, or None with a hint."""
        row = self.board.selected()
        if row is None:
            self.statusBar().showMessage("Select a visit on the day board first.", 4000)
            return None
        return row.visit_id, row.patient_id

    # --- patients -----------------------------------------------------------------------

    def find_patient(self) -> None:
        from desk.ui.search import PatientSearchDialog

        dialog = self._dialogs.get("search")
        if dialog is None or not shiboken6.isValid(dialog):
            dialog = PatientSearchDialog(self.session, self)
            self._dialogs["search"] = dialog
        assert isinstance(dialog, PatientSearchDialog)
        dialog.show_search()

    def new_patient(self) -> None:
        from desk.ui.patient_form import PatientForm

        self._open_once("new-patient", lambda: PatientForm.register(self.session, self))

    def open_patient_record(self) -> None:
        from desk.ui.patient_form import open_patient_record

        selected = self._selected_visit()
        if selected is not None:
            open_patient_record(self.session, selected[1], self)

    def open_consent(self) -> None:
        from desk.ui.consent import ConsentDialog

        selected = self._selected_visit()
        if selected is not None:
            patient_id = selected[1]
            self._open_once(
                f"consent-{patient_id}", lambda: ConsentDialog(self.session, patient_id, self)
            )

    # --- outcomes ---------------------------------------------------------------------

    def open_kiosk(self) -> QWidget | None:
        from desk.ui.kiosk import KioskWindow

        selected = self._selected_visit()
        if selected is None:
            return None
        try:
            kiosk = KioskWindow(self.session, selected[0])
        except DeskError as err:
            show_error(self, err)
            return None
        kiosk.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        kiosk.handed_back.connect(self.board.reload)
        kiosk.present()
        return kiosk

    def open_phone_answers(self) -> QDialog | None:
        from desk.ui.phone_answers import PhoneAnswersDialog

        selected = self._selected_visit()
        if selected is None:
            return None
        visit_id = selected[0]
        return self._open_guarded(
            f"phone-{visit_id}", lambda: PhoneAnswersDialog(self.session, visit_id, self)
        )

    def open_safety_assessment(self) -> QDialog | None:
        from desk.ui.safety import SafetyAssessmentDialog

        selected = self._selected_visit()
        if selected is None:
            return None
        visit_id = selected[0]
        if not self.session.actor.has(Role.CLINICIAN):
            show_error(self, NotPermitted("Only a clinician may record a safety assessment."))
            return None
        return self._open_guarded(
            f"safety-{visit_id}", lambda: SafetyAssessmentDialog(self.session, visit_id, self)
        )

    def open_outcomes(self, patient_id: int | None = None) -> QDialog | None:
        from desk.ui.outcomes_record import OutcomesDialog

        if patient_id is None:
            selected = self._selected_visit()
            if selected is None:
                return None
            patient_id = selected[1]
        chosen = patient_id
        return self._open_guarded(
            f"outcomes-{chosen}", lambda: OutcomesDialog(self.session, chosen, self)
        )

    def open_letters_due(self) -> QDialog | None:
        from desk.ui.letters_due import LettersDueDialog

        return self._open_guarded(
            "letters-due", lambda: LettersDueDialog(self.session, self.open_outcomes, self)
        )

    def _open_guarded(self, key: str, make: Callable[[], QDialog]) -> QDialog | None:
        """``_open_once``, with a failure while loading shown as a sentence."""
        try:
            return self._open_once(key, make)
        except DeskError as err:
            show_error(self, err)
            return None

    # --- nurse station ----------------------------------------------------------------

    def _on_nurse_station(self) -> bool:
        return self.nurse_station is not None and self.pages.currentWidget() is self.nurse_station

    def open_prep(self) -> None:
        from desk.ui.prep import PrepDialog

        if self._on_nurse_station():
            assert self.nurse_station is not None
            self.nurse_station.open_prep()
            return
        selected = self._selected_visit()
        if selected is not None:
            visit_id = selected[0]
            self._open_once(f"prep-{visit_id}", lambda: PrepDialog(self.session, visit_id, self))

    def open_infusion(self) -> None:
        from desk.ui.infusion import InfusionDialog

        if self._on_nurse_station():
            assert self.nurse_station is not None
            self.nurse_station.open_infusion()
            return
        selected = self._selected_visit()
        if selected is not None:
            visit_id = selected[0]
            self._open_once(
                f"infusion-{visit_id}", lambda: InfusionDialog(self.session, visit_id, self)
            )

    def open_transport(self) -> None:
        from desk.ui.transport import TransportDialog

        selected = self._selected_visit()
        if selected is not None:
            visit_id = selected[0]
            self._open_once(
                f"transport-{visit_id}", lambda: TransportDialog(self.session, visit_id, self)
            )

    # --- controlled substance ------------------------------------------------------------

    def _visit_in_view(self) -> int | None:
        if self._on_nurse_station():
            assert self.nurse_station is not None
            visit_id = self.nurse_station.selected_visit_id()
            if visit_id is None:
                self.statusBar().showMessage("Select a patient on the nurse station first.", 4000)
            return visit_id
        selected = self._selected_visit()
        return selected[0] if selected is not None else None

    def open_order(self) -> QDialog | None:
        from desk.ui.orders import OrderDialog

        visit_id = self._visit_in_view()
        if visit_id is None:
            return None
        return self._open_once(
            f"order-{visit_id}", lambda: OrderDialog(self.session, visit_id, self)
        )

    def open_drug_record(self) -> QDialog | None:
        from desk.ui.administration import AdministrationDialog

        visit_id = self._visit_in_view()
        if visit_id is None:
            return None
        return self._open_once(
            f"drug-{visit_id}", lambda: AdministrationDialog(self.session, visit_id, self)
        )

    def open_stock(self) -> QDialog:
        from desk.ui.stock import StockDialog

        return self._open_once("stock", lambda: StockDialog(self.session, self))

    def open_day_close(self) -> QDialog:
        from desk.ui.day_close import DayCloseDialog

        return self._open_once("day-close", lambda: DayCloseDialog(self.session, self))

    def open_templates(self) -> QDialog:
        from desk.ui.templates_admin import TemplatesDialog

        return self._open_once("templates", lambda: TemplatesDialog(self.session, self))

    def open_staff(self) -> QDialog:
        from desk.ui.staff_admin import StaffDialog

        return self._open_once("staff", lambda: StaffDialog(self.session, self))

    def open_clinic_settings(self) -> QDialog:
        from desk.ui.clinic_settings import ClinicSettingsDialog

        return self._open_once("clinic", lambda: ClinicSettingsDialog(self.session, self))

    def open_audit(self) -> QDialog:
        from desk.ui.audit_view import AuditDialog

        return self._open_once("audit", lambda: AuditDialog(self.session, self))

    def open_database_connection(self) -> None:
        """Change the server details or re-enter a changed password (used from the next start).

        The dialog saves only details it has tested, so it needs the server's password:
        whoever knows it may change the setting, as IT would on the PC itself.
        """
        from desk.config import resolve_database_url
        from desk.ui.connect import ConnectDialog

        def saved(dialog: ConnectDialog) -> None:
            log.info("database connection changed by staff id %s", self.session.actor.staff_id)
            show_message(
                self,
                "The new connection is saved. Infusion Desk uses it from its next start: "
                "quit and start it again when convenient.",
            )

        def make() -> QDialog:
            dialog = ConnectDialog(self, current_url=resolve_database_url())
            dialog.accepted.connect(lambda: saved(dialog))
            return dialog

        self._open_once("connection", make)

    def open_user_guide(self) -> QDialog:
        from desk.ui.user_guide import UserGuideDialog

        return self._open_once("guide", lambda: UserGuideDialog(self.session.actor, self))

    def show_about(self) -> None:
        show_message(
            self,
            f"<b>Infusion Desk</b> version {desk.__version__}<br><br>"
            "Front desk, preparation and consent for a ketamine infusion clinic.<br>"
            f"Database: {self.session.location}<br>Workstation: {self.workstation}",
            "About Infusion Desk",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        log.info("quit: staff id %s", self.session.actor.staff_id)
        self.idle.detach()
        self.board.set_active(False)
        if self.nurse_station is not None:
            self.nurse_station.set_active(False)
        for widget in QApplication.topLevelWidgets():
            if widget is not self and widget.isVisible():
                widget.close()
        super().closeEvent(event)
