"""The infusion and recovery screen: start, vitals at the check points, side effects, end.

Times and check points come from the infusion service; the nurse starts and ends the
infusion here (ending asks first, and a short infusion names the side effect it was stopped
for), moves the patient to another chair, and opens the discharge dialog in recovery. A
button that cannot act is disabled with the reason as its tooltip.
"""

from __future__ import annotations

from datetime import timedelta
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
from desk.domain.locale import format_time
from desk.domain.overruns import infusion_overrun, overrun_text, recovery_overrun
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.domain.visit_states import VisitState
from desk.domain.vitals import Checkpoint, CheckpointState, CheckpointStatus, Vitals
from desk.ui.forms import error_line, named
from desk.ui.permissions import NURSING_ROLES
from desk.ui.prep import BADGE, reading_text
from desk.ui.session import Session
from desk.ui.transport import status_text
from desk.ui.vitals import VitalsEntry, no_default_buttons, save_reading

if TYPE_CHECKING:
    from desk.services.infusion import InfusionView, SideEffectKind

INFO_STYLE = "background: #e0ecff; color: #0b3d91; border: 1px solid #5b8def;"
TICK_MS = 30_000  # the elapsed time and "due" states move by the minute
IN_CLINIC = (VisitState.ARRIVED, VisitState.PREP_CLEARED, VisitState.INFUSING,
             VisitState.RECOVERY)  # fmt: skip
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
        self.end_button = named(QPushButton("&End infusion…"), "endInfusion")
        self.chair = named(QComboBox(), "moveChair")
        self.chair.addItems(list(session.policy.chairs))
        self.move_button = named(QPushButton("Move to this ch&air"), "moveToChair")
        self.move_button.setAutoDefault(False)
        self.move_button.clicked.connect(self.move_chair)
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
        self.sedation = named(QLabel("", wordWrap=True), "infusionSedation")
        self.effect = named(QComboBox(), "sideEffect")
        for kind in SideEffectKind:
            self.effect.addItem(kind.label, kind.value)
        self.effect_note = named(QLineEdit(maxLength=2000), "sideEffectNote")
        self.severity = named(QComboBox(), "sideEffectSeverity")
        for level in ("", "mild", "moderate", "severe"):
            self.severity.addItem(level.capitalize() or "Not graded", level)
        self.intervention = named(QLineEdit(maxLength=2000), "intervention")
        self.intervention_drug = named(QLineEdit(maxLength=80), "interventionDrug")
        self.intervention_dose = named(QLineEdit(maxLength=40), "interventionDose")
        self.effect_button = named(QPushButton("Record side effe&ct"), "recordSideEffect")
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
        chair_label = QLabel("C&hair")
        chair_label.setBuddy(self.chair)
        actions.addWidget(chair_label)
        actions.addWidget(self.chair)
        actions.addWidget(self.move_button)
        actions.addWidget(self.close_button)
        vitals = QGroupBox("Vitals (before, ~40 min, end; extra readings any time)")
        vitals_layout = QVBoxLayout(vitals)
        vitals_layout.addWidget(self.checks)
        vitals_layout.addWidget(self.vitals_entry)
        vitals_layout.addWidget(self.readings)
        vitals_layout.addWidget(self.sedation)
        vitals_layout.addStretch(1)
        effects = QGroupBox("Side effects")
        effects_layout = QVBoxLayout(effects)
        form = QFormLayout()
        effects_layout.addLayout(form)
        form.addRow("Side e&ffect", self.effect)
        form.addRow("&Note", self.effect_note)
        form.addRow("Se&verity", self.severity)
        form.addRow("Intervention", self.intervention)
        form.addRow("Drug given for it", self.intervention_drug)
        form.addRow("Its dose and route", self.intervention_dose)
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
        policy = self._session.policy
        chair = f" · {view.chair}" if view.chair else ""
        self.title.setText(f"{view.patient_name} · MRN {view.mrn}{chair}")
        self.state.setText(self._state_text(view, policy))
        self.ride.setText(status_text(view.transport, policy))
        self.checks.setText("\n".join(self._check_line(c, view, policy) for c in view.checkpoints))
        self.readings.setText(
            "\n".join(reading_text(r, policy) for r in reversed(view.readings)) or "No vitals yet."
        )
        self.sedation.setText(self._sedation_text())
        self.effects.setText(
            "\n".join(
                f"{format_time(e.recorded_at, policy)} {e.label}"
                + (f" ({e.severity})" if e.severity else "")
                + (f": {e.note}" if e.note else "")
                + (f" — {e.intervention}" if e.intervention else "")
                + f" ({e.recorded_by})"
                for e in view.side_effects
            )
            or "None recorded."
        )
        self._enable(view)

    @staticmethod
    def _check_line(check: CheckpointStatus, view: InfusionView, policy: ClinicPolicy) -> str:
        """A done check shows when its reading was taken; an open one when it is due."""
        line = f"{CHECK_MARK[check.state]} {check.checkpoint.label}: {check.state.label}"
        if check.state is CheckpointState.DONE:
            codes = {check.checkpoint.value}
            if check.checkpoint is Checkpoint.END:
                codes.add(Checkpoint.RECOVERY.value)  # a late end reading counts
            taken = [r.taken_at for r in view.readings if r.checkpoint in codes]
            return line + (f" (taken {format_time(taken[-1], policy)})" if taken else "")
        due = check.due_at
        return line + (f" (due {format_time(due.astimezone(), policy)})" if due else "")

    def _sedation_text(self) -> str:
        # Recorded in the drug record; shown here beside the vitals of the same points.
        from desk.services.administration import sedation_for

        try:
            checks = sedation_for(self._session.desk, self._visit_id)
        except DeskError:
            return ""
        return "Sedation / dissociation:\n" + "\n".join(checks) if checks else ""

    def _state_text(self, view: InfusionView, policy: ClinicPolicy) -> str:
        now = self._session.desk.now()
        if view.status is VisitState.INFUSING and view.infusion_start:
            elapsed = int((now - view.infusion_start).total_seconds() // 60)
            since = format_time(view.infusion_start, policy)
            text = f"Infusing since {since} ({minutes_text(max(0, elapsed))})"
            booked = timedelta(minutes=view.booked_minutes)
            if over := infusion_overrun(view.infusion_start, booked, now):
                text += f" · {overrun_text(over, 'the booked length')}"
            return text
        if view.status is VisitState.RECOVERY and view.ready_to_leave_at:
            ended = format_time(view.infusion_end, policy) if view.infusion_end else "—"
            text = (
                f"In recovery since {ended} · "
                f"ready to leave at {format_time(view.ready_to_leave_at, policy)}"
            )
            if over := recovery_overrun(view.ready_to_leave_at, now):
                text += f" · {overrun_text(over, 'ready to leave')}"
            return text
        if view.status is VisitState.DISCHARGED:
            return " · ".join((view.discharged, view.collected, *view.overrides))
        return view.status.label

    def _enable(self, view: InfusionView) -> None:
        """Each control is enabled only when it can act; otherwise its tooltip says why."""
        nurse = self._session.actor.has(Role.NURSE)
        status = view.status
        during = status in (VisitState.INFUSING, VisitState.RECOVERY)
        in_clinic = status in IN_CLINIC
        not_nurse = "Only a nurse can do this."
        rules: list[tuple[list[QWidget], bool, str]] = [
            ([self.start_button], status is VisitState.PREP_CLEARED,
             "Started already." if during or status is VisitState.DISCHARGED
             else "Clear the prep checklist first."),
            ([self.end_button], status is VisitState.INFUSING,
             "The infusion has not started." if status in (VisitState.ARRIVED,
                                                         VisitState.PREP_CLEARED)
             else "The infusion has already ended."),
            ([self.discharge_button], status is VisitState.RECOVERY,
             "The patient is already discharged." if status is VisitState.DISCHARGED
             else "Discharge comes after the infusion has ended."),
            ([self.effect, self.effect_note, self.effect_button, self.severity,
              self.intervention, self.intervention_drug, self.intervention_dose], during,
             "Side effects are recorded during the infusion and recovery."),
            ([self.vitals_entry, self.vitals_entry.record_button], in_clinic,
             f"The visit is {status.label.lower()}: vitals are recorded only while the "
             "patient is in the clinic."),
            ([self.chair, self.move_button], in_clinic,
             f"The visit is {status.label.lower()}: there is no one to move."),
        ]  # fmt: skip
        for widgets, can, why in rules:
            for widget in widgets:
                widget.setEnabled(nurse and can)
                widget.setToolTip("" if nurse and can else (why if nurse else not_nurse))
        if view.chair and not self.chair.hasFocus():
            self.chair.setCurrentText(view.chair)
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

    def end(self) -> QDialog | None:
        """Ask first: ending is final, and a short infusion needs the side effect."""
        if self.view is None:
            return None
        dialog = EndInfusionDialog(self.view, self._session, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._end(dialog.stopped_for()))
        dialog.open()
        return dialog

    def _end(self, stopped_for: SideEffectKind | None) -> None:
        from desk.services.infusion import end_infusion

        version = self.view.version if self.view else None
        self._call(
            lambda: end_infusion(
                self._session.desk, self._visit_id, version, stopped_for=stopped_for
            )
        )

    def move_chair(self) -> None:
        from desk.services.infusion import move_chair

        version = self.view.version if self.view else None
        chair = self.chair.currentText()
        self._call(lambda: move_chair(self._session.desk, self._visit_id, chair, version))

    def save_vitals(self, vitals: Vitals) -> bool:
        desk = self._session.desk
        if not save_reading(desk, self._visit_id, vitals, self.vitals_entry, self.error):
            return False
        self.reload()
        return True

    def record_effect(self) -> None:
        from desk.services.infusion import Intervention, SideEffectKind, record_side_effect

        self.error.setText("")
        done = Intervention(self.intervention.text(), self.intervention_drug.text(),
                            self.intervention_dose.text())  # fmt: skip
        try:
            record_side_effect(
                self._session.desk, self._visit_id, SideEffectKind(self.effect.currentData()),
                self.effect_note.text(), severity=str(self.severity.currentData()),
                intervention=done,
            )  # fmt: skip
        except DeskError as err:
            self.error.setText(str(err))
            return
        for field in (self.effect_note, self.intervention, self.intervention_drug,
                      self.intervention_dose):  # fmt: skip
            field.clear()
        self.reload()

    def open_discharge(self) -> QDialog:
        from desk.ui.discharge import DischargeDialog

        dialog = DischargeDialog(self._session, self._visit_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.discharged.connect(lambda _view: self.reload())
        dialog.open()
        return dialog


class EndInfusionDialog(QDialog):
    """"End the infusion now?" — with the side effect it was stopped for when it is short."""

    def __init__(self, view: InfusionView, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from desk.services.infusion import SideEffectKind

        self.setWindowTitle("End the infusion")
        now = session.desk.now()
        ran = int((now - view.infusion_start).total_seconds() // 60) if view.infusion_start else 0
        minimum = session.policy.min_infusion_minutes
        self.short = ran < minimum
        text = (
            f"End the infusion for {view.patient_name} now? It has run {minutes_text(ran)} "
            f"of the booked {minutes_text(view.booked_minutes)}. This cannot be undone."
        )
        self.question = named(QLabel(text, wordWrap=True), "endQuestion")
        self.reason = named(QComboBox(), "stoppedFor")
        recorded = {e.effect for e in view.side_effects}
        for kind in SideEffectKind:
            if kind.value in recorded:
                self.reason.addItem(kind.label, kind.value)
        self.end_button = named(QPushButton("&End infusion"), "confirmEndInfusion")
        keep = named(QPushButton("&Keep infusing"), "keepInfusing")
        self.end_button.clicked.connect(self.accept)
        keep.clicked.connect(self.reject)
        keep.setDefault(True)  # Enter on a stray dialog must not end a treatment
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        if self.short:
            layout.addWidget(self._short_box(minimum, bool(recorded)))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.end_button)
        buttons.addWidget(keep)
        layout.addLayout(buttons)
        self.end_button.setEnabled(not self.short or bool(recorded))
        self.resize(520, 200)

    def _short_box(self, minimum: int, any_recorded: bool) -> QWidget:
        box = QGroupBox(f"Shorter than the clinic's minimum of {minimum} min")
        form = QFormLayout(box)
        if any_recorded:
            form.addRow(QLabel("End early only when stopping for a side effect:", wordWrap=True))
            form.addRow("&Stopped for", self.reason)
        else:
            form.addRow(QLabel(
                "End early only when stopping for a side effect: record the side effect "
                "first (Side effects, on the right).", wordWrap=True,
            ))  # fmt: skip
        return box

    def stopped_for(self) -> SideEffectKind | None:
        from desk.services.infusion import SideEffectKind

        if not self.short or self.reason.count() == 0:
            return None
        return SideEffectKind(self.reason.currentData())
