"""The main window: menus, the day board, the status bar, and the idle lock."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QStackedWidget, QWidget

import desk
from desk.domain.errors import AccessChanged
from desk.domain.roles import Role
from desk.ui.board import DayBoard
from desk.ui.forms import named
from desk.ui.idle import IdleMonitor, WindowShield
from desk.ui.lockscreen import LockScreen
from desk.ui.messages import show_message
from desk.ui.session import Session, role_text

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

    from desk.services.context import Actor
    from desk.ui.nurse_board import NurseBoardView


class MainWindow(QMainWindow):
    def __init__(self, session: Session, workstation: str) -> None:
        super().__init__()
        self.session = session
        self.workstation = workstation
        self._dialogs: dict[str, QDialog] = {}
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
        self.quit_action = self._action(
            file_menu, "&Quit", self.close, "Ctrl+Q"
        )
        self._build_view_menu()
        self._build_patient_menu()
        self.visit_menu = self.menuBar().addMenu("&Visit")
        for board_action in self.board.menu_actions():
            if board_action is None:
                self.visit_menu.addSeparator()
            else:
                self.visit_menu.addAction(board_action)
        self._build_nurse_menu()
        self.admin_menu = self.menuBar().addMenu("&Admin")
        self._action(self.admin_menu, "&Staff…", self.open_staff)
        self._action(self.admin_menu, "&Clinic settings…", self.open_clinic_settings)
        self._action(self.admin_menu, "Consent &templates…", self.open_templates)
        self._action(self.admin_menu, "&Audit trail…", self.open_audit)
        help_menu = self.menuBar().addMenu("&Help")
        self.about_action = self._action(help_menu, "&About Infusion Desk", self.show_about)

    def _build_view_menu(self) -> None:
        view_menu = self.menuBar().addMenu("Vie&w")
        self._action(view_menu, "&Day board", self.show_board, "Ctrl+1")
        self._action(view_menu, "&Nurse station", self.show_nurse_station, "Ctrl+2")

    def _build_patient_menu(self) -> None:
        patient_menu = self.menuBar().addMenu("&Patient")
        self._action(patient_menu, "&Find patient…", self.find_patient, "Ctrl+F")
        self._action(patient_menu, "&New patient…", self.new_patient, "Ctrl+N")
        patient_menu.addSeparator()
        self._action(patient_menu, "Patient &record…", self.open_patient_record, "Ctrl+R")
        self._action(patient_menu, "&Consent and documents…", self.open_consent, "Ctrl+Shift+C")

    def _build_nurse_menu(self) -> None:
        nurse_menu = self.menuBar().addMenu("&Nurse")
        self._action(nurse_menu, "&Prep checklist…", self.open_prep, "Ctrl+P")
        self._action(nurse_menu, "&Infusion and recovery…", self.open_infusion, "Ctrl+Shift+I")
        self._action(nurse_menu, "&Way home (transport)…", self.open_transport, "Ctrl+T")

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
        for label in (self.database_label, self.workstation_label):
            label.setStyleSheet("color: #444; padding: 0 8px; border-left: 1px solid #bbb;")
            self.statusBar().addPermanentWidget(label)
        self.database_label.setText(f"Database: {self.session.location}")
        self.workstation_label.setText(f"Workstation: {self.workstation}")

    def _show_actor(self) -> None:
        actor = self.session.actor
        self.person_label.setText(f"{actor.full_name} — {role_text(actor)}")
        # Hiding the menu is for tidiness; the services refuse non-admins regardless.
        self.admin_menu.menuAction().setVisible(actor.has(Role.ADMIN))
        self.lock_screen.set_desk(self.session.desk)

    def _show_clinic(self) -> None:
        self.setWindowTitle(f"Infusion Desk — {self.session.clinic.name}")
        self.idle.set_minutes(self.session.policy.idle_lock_minutes)

    # --- locking ----------------------------------------------------------------------

    @property
    def is_locked(self) -> bool:
        return self._locked

    def lock(self, switch: bool = False) -> None:
        """Cover everything: the board goes behind the lock page, other windows hide."""
        if not self._locked:
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

    def show_about(self) -> None:
        show_message(
            self,
            f"<b>Infusion Desk</b> version {desk.__version__}<br><br>"
            "Front desk, preparation and consent for a ketamine infusion clinic.<br>"
            f"Database: {self.session.location}<br>Workstation: {self.workstation}",
            "About Infusion Desk",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.idle.detach()
        self.board.set_active(False)
        if self.nurse_station is not None:
            self.nurse_station.set_active(False)
        for widget in QApplication.topLevelWidgets():
            if widget is not self and widget.isVisible():
                widget.close()
        super().closeEvent(event)
