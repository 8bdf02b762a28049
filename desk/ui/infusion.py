"""The infusion and recovery screen: start, vitals at the check points, side effects, end.

Times and check points come from the infusion service; the nurse starts and ends the
infusion here and opens the discharge dialog once the patient is in recovery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError, StaleEdit
from desk.domain.roles import Role
from desk.domain.visit_states import VisitState
from desk.domain.vitals import CheckpointState, Vitals
from desk.ui.forms import error_line, named
from desk.ui.permissions import NURSING_ROLES
from desk.ui.prep import BADGE, reading_text
from desk.ui.session import Session
from desk.ui.transport import status_text
from desk.ui.vitals import VitalsEntry, no_default_buttons, save_reading

if TYPE_CHECKING:
    from desk.services.infusion import InfusionView

INFO_STYLE = "background: #e0ecff; color: #0b3d91; border: 1px solid #5b8def;"
TICK_MS = 30_000  # the elapsed time and "due" states move by the minute
CHECK_MARK = {
    CheckpointState.DONE: "✓",
    CheckpointState.UPCOMING: "…",
    CheckpointState.DUE: "!",
    CheckpointState.OVERDUE: "✖",
    CheckpointState.NOT_NEEDED: "–",
}


def minutes_text(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


class InfusionDialog(QDialog):
    required_roles = NURSING_ROLES

    def __init__(self, session: Session, visit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from desk.services.infusion import SideEffectKind

        self._session = session
        self._visit_id = visit_id
        self.view: InfusionView | None = None
        self.setWindowTitle("Infusion and recovery")
        self.title = named(QLabel("", wordWrap=True), "infusionTitle")
        self.title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.state = named(QLabel("", wordWrap=True), "infusionState")
        self.state.setStyleSheet("font-size: 13pt;")
        self.ride = named(QLabel("", wordWrap=True), "infusionRide")
        self.checks = named(QLabel("", wordWrap=True), "infusionChecks")
        self.start_button = named(QPushButton("&Start infusion now"), "startInfusion")
        self.end_button = named(QPushButton("&End infusion now"), "endInfusion")
        self.discharge_button = named(QPushButton("&Discharge…"), "openDischarge")
        self.close_button = named(QPushButton("Close"), "closeInfusion")
        for button in (self.start_button, self.end_button, self.discharge_button):
            button.setAutoDefault(False)
        self.start_button.clicked.connect(self.start)
        self.end_button.clicked.connect(self.end)
        self.discharge_button.clicked.connect(self.open_discharge)
        self.close_button.clicked.connect(self.close)
        self.vitals_entry = VitalsEntry(session.policy)
        self.vitals_entry.connect_record(self.save_vitals)
        self.readings = named(QLabel("", wordWrap=True), "infusionReadings")
        self.effect = named(QComboBox(), "sideEffect")
        for kind in SideEffectKind:
            self.effect.addItem(kind.label, kind.value)
        self.effect_note = named(QLineEdit(maxLength=2000), "sideEffectNote")
        self.effect_button = named(QPushButton("Record side effec&t"), "recordSideEffect")
        self.effect_button.setAutoDefault(False)
        self.effect_button.clicked.connect(self.record_effect)
        self.effects = named(QLabel("", wordWrap=True), "sideEffects")
        self.error = error_line("infusionError")
        self._layout()
        QShortcut(QKeySequence("F5"), self).activated.connect(self.reload)
        self.ticker = QTimer(self, interval=TICK_MS)
        self.ticker.timeout.connect(self.reload)
        self.ticker.start()
        no_default_buttons(self)
        self.reload()
        self.resize(900, 640)

    def _layout(self) -> None:
        actions = QHBoxLayout()
        for button in (self.start_button, self.end_button, self.discharge_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.close_button)
        vitals = QGroupBox("Vitals (before, ~40 min, end; extra readings any time)")
        vitals_layout = QVBoxLayout(vitals)
        vitals_layout.addWidget(self.checks)
        vitals_layout.addWidget(self.vitals_entry)
        vitals_layout.addWidget(self.readings)
        vitals_layout.addStretch(1)
        effects = QGroupBox("Side effects")
        effects_layout = QVBoxLayout(effects)
        form = QFormLayout()
        effects_layout.addLayout(form)
        form.addRow("Side e&ffect", self.effect)
        form.addRow("N&ote", self.effect_note)
        form.addRow("", self.effect_button)
        form.addRow(self.effects)
        effects_layout.addStretch(1)
        columns = QHBoxLayout()
        columns.addWidget(vitals, 3)
        columns.addWidget(effects, 2)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.state, self.ride):
            layout.addWidget(widget)
        layout.addLayout(actions)
        layout.addLayout(columns, 1)
        layout.addWidget(self.error)

    def reload(self) -> None:
        from desk.services.infusion import infusion_view

        try:
            self.show_view(infusion_view(self._session.desk, self._visit_id))
        except DeskError as err:
            self.error.setText(str(err))

    def show_view(self, view: InfusionView) -> None:
        self.view = view
        fmt = self._session.policy.time_format
        chair = f" · {view.chair}" if view.chair else ""
        self.title.setText(f"{view.patient_name} · MRN {view.mrn}{chair}")
        self.state.setText(self._state_text(view, fmt))
        self.ride.setText(status_text(view.transport, fmt))
        self.checks.setText(
            "\n".join(
                f"{CHECK_MARK[c.state]} {c.checkpoint.label}: {c.state.label}"
                + (f" ({c.due_at.astimezone():{fmt}})" if c.due_at else "")
                for c in view.checkpoints
            )
        )
        self.readings.setText(
            "\n".join(reading_text(r, fmt) for r in reversed(view.readings)) or "No vitals yet."
        )
        self.effects.setText(
            "\n".join(
                f"{e.recorded_at:{fmt}} {e.label}"
                + (f": {e.note}" if e.note else "")
                + f" ({e.recorded_by})"
                for e in view.side_effects
            )
            or "None recorded."
        )
        self._enable(view)

    def _state_text(self, view: InfusionView, fmt: str) -> str:
        now = self._session.desk.now()
        if view.status is VisitState.INFUSING and view.infusion_start:
            elapsed = int((now - view.infusion_start).total_seconds() // 60)
            return f"Infusing since {view.infusion_start:{fmt}} ({minutes_text(max(0, elapsed))})"
        if view.status is VisitState.RECOVERY and view.ready_to_leave_at:
            return (
                f"In recovery since {view.infusion_end:{fmt}} · "
                f"ready to leave at {view.ready_to_leave_at:{fmt}}"
            )
        if view.status is VisitState.DISCHARGED:
            return view.discharged
        return view.status.label

    def _enable(self, view: InfusionView) -> None:
        nurse = self._session.actor.has(Role.NURSE)
        self.start_button.setEnabled(nurse and view.status is VisitState.PREP_CLEARED)
        self.end_button.setEnabled(nurse and view.status is VisitState.INFUSING)
        self.discharge_button.setEnabled(nurse and view.status is VisitState.RECOVERY)
        during = view.status in (VisitState.INFUSING, VisitState.RECOVERY)
        for widget in (self.effect, self.effect_note, self.effect_button):
            widget.setEnabled(nurse and during)
        self.state.setStyleSheet(f"{INFO_STYLE} {BADGE} font-size: 13pt;" if during else "")

    def _call(self, action: object) -> None:
        self.error.setText("")
        try:
            view = action()  # type: ignore[operator]
        except StaleEdit as err:
            self.error.setText(str(err))
            self.reload()  # show what changed; the nurse decides again
            return
        except DeskError as err:
            self.error.setText(str(err))
            return
        self.show_view(view)

    def start(self) -> None:
        from desk.services.infusion import start_infusion

        version = self.view.version if self.view else None
        self._call(lambda: start_infusion(self._session.desk, self._visit_id, version))

    def end(self) -> None:
        from desk.services.infusion import end_infusion

        version = self.view.version if self.view else None
        self._call(lambda: end_infusion(self._session.desk, self._visit_id, version))

    def save_vitals(self, vitals: Vitals) -> bool:
        desk = self._session.desk
        if not save_reading(desk, self._visit_id, vitals, self.vitals_entry, self.error):
            return False
        self.reload()
        return True

    def record_effect(self) -> None:
        from desk.services.infusion import SideEffectKind, record_side_effect

        self.error.setText("")
        try:
            record_side_effect(
                self._session.desk, self._visit_id, SideEffectKind(self.effect.currentData()),
                self.effect_note.text(),
            )  # fmt: skip
        except DeskError as err:
            self.error.setText(str(err))
            return
        self.effect_note.clear()
        self.reload()

    def open_discharge(self) -> QDialog:
        from desk.ui.discharge import DischargeDialog

        dialog = DischargeDialog(self._session, self._visit_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.discharged.connect(lambda _view: self.reload())
        dialog.open()
        return dialog
