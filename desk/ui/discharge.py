"""Discharge: dissociation resolved, end vitals, instructions, and who is collecting.

"Who is collecting?" starts with the recorded responsible adult. Typing someone else (or
ticking that nobody came) asks for the nurse's override reason before Discharge works;
discharging before the minimum observation time asks for a reason too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError, ValidationError
from desk.domain.fasting import PrepStatus
from desk.domain.transport import PickupOutcome, check_pickup
from desk.ui.forms import error_line, named
from desk.ui.permissions import NURSING_ROLES
from desk.ui.prep import BADGE, STATUS_STYLE, reading_text
from desk.ui.session import Session
from desk.ui.vitals import no_default_buttons

if TYPE_CHECKING:
    from desk.services.infusion import InfusionView


class DischargeDialog(QDialog):
    required_roles = NURSING_ROLES
    discharged = Signal(object)

    def __init__(self, session: Session, visit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._visit_id = visit_id
        self.view: InfusionView | None = None
        self.setWindowTitle("Discharge")
        self.title = named(QLabel("", wordWrap=True), "dischargeTitle")
        self.title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.observation = named(QLabel("", wordWrap=True), "dischargeObservation")
        self.end_vitals = named(QLabel("", wordWrap=True), "dischargeEndVitals")
        self.dissociation = named(QCheckBox("D&issociation has resolved"), "dissociationResolved")
        self.vitals_ok = named(QCheckBox("End &vitals are acceptable"), "endVitalsAcceptable")
        self.instructions = named(
            QCheckBox("Discharge i&nstructions given to the patient and the adult"),
            "instructionsGiven",
        )
        self.collector = named(QLineEdit(maxLength=200), "collectedBy")
        self.nobody = named(QCheckBox("N&obody is collecting the patient"), "nobodyCollecting")
        self.match = named(QLabel("", wordWrap=True), "driverMatch")
        self.driver_reason = named(QLineEdit(maxLength=2000), "driverOverrideReason")
        self.driver_reason_label = QLabel("Driver &override reason")
        self.driver_reason_label.setBuddy(self.driver_reason)
        self.early_reason = named(QLineEdit(maxLength=2000), "earlyDischargeReason")
        self.early_reason_label = QLabel("&Early discharge reason")
        self.early_reason_label.setBuddy(self.early_reason)
        self.error = error_line("dischargeError")
        self.discharge_button = named(QPushButton("Disc&harge"), "discharge")
        self.discharge_button.setAutoDefault(False)
        self.cancel_button = named(QPushButton("Cancel"), "cancelDischarge")
        self.discharge_button.clicked.connect(self.discharge)
        self.cancel_button.clicked.connect(self.reject)
        self.collector.textChanged.connect(self._show_match)
        self.nobody.toggled.connect(self._show_match)
        no_default_buttons(self)
        self._layout()
        self.reload()
        if self.view is not None:
            self.collector.setText(self.view.transport.adult_name)
        self.resize(720, 520)

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow(self.dissociation)
        form.addRow(self.end_vitals)
        form.addRow(self.vitals_ok)
        form.addRow(self.instructions)
        form.addRow("&Who is collecting?", self.collector)
        form.addRow("", self.nobody)
        form.addRow("", self.match)
        form.addRow(self.driver_reason_label, self.driver_reason)
        form.addRow(self.early_reason_label, self.early_reason)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.discharge_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.observation)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def reload(self) -> None:
        from desk.services.infusion import infusion_view

        try:
            self.show_view(infusion_view(self._session.desk, self._visit_id))
        except DeskError as err:
            self.error.setText(str(err))

    def show_view(self, view: InfusionView) -> None:
        self.view = view
        fmt = self._session.policy.time_format
        ride = view.transport
        adult = f"{ride.adult_name} ({ride.relationship})" if ride.recorded else "nobody recorded"
        self.title.setText(f"{view.patient_name} · MRN {view.mrn} · responsible adult: {adult}")
        early = self._early()
        if view.ready_to_leave_at is None:
            self.observation.setText(view.status.label)
        elif early:
            self.observation.setText(
                f"Minimum observation ends at {view.ready_to_leave_at:{fmt}}: "
                "an earlier discharge needs a reason."
            )
        else:
            self.observation.setText(
                f"Observation complete (ready to leave at {view.ready_to_leave_at:{fmt}})."
            )
        self.early_reason.setVisible(early)
        self.early_reason_label.setVisible(early)
        end = view.end_reading
        self.end_vitals.setText(
            f"End vitals: {reading_text(end, fmt)}"
            if end
            else "No end-of-infusion vitals yet: record them in the infusion screen."
        )
        self._show_match()

    def _early(self) -> bool:
        leave = self.view.ready_to_leave_at if self.view else None
        return leave is not None and self._session.desk.now() < leave

    def collected_by(self) -> str | None:
        if self.nobody.isChecked():
            return None
        return self.collector.text().strip() or None

    def _show_match(self) -> None:
        view = self.view
        if view is None:
            return
        self.collector.setEnabled(not self.nobody.isChecked())
        outcome = self._pickup_outcome()
        needs = outcome is not PickupOutcome.MATCHES
        if outcome is PickupOutcome.MATCHES:
            text, status = "✓ Matches the recorded responsible adult.", PrepStatus.OK
        elif self.collected_by() is None:
            text = "✖ Nobody is collecting: a nurse override with a reason is needed."
            status = PrepStatus.NOT_READY
        else:
            text = (
                f"✖ Not the recorded adult ({view.transport.adult_name or 'none recorded'}): "
                "a nurse override with a reason is needed."
            )
            status = PrepStatus.NOT_READY
        self.match.setText(text)
        self.match.setStyleSheet(f"{STATUS_STYLE[status]} {BADGE}")
        self.driver_reason.setVisible(needs)
        self.driver_reason_label.setVisible(needs)

    def _pickup_outcome(self) -> PickupOutcome:
        from desk.domain.transport import ResponsibleAdult, TransportPlan

        ride = self.view.transport if self.view else None
        plan = None
        if ride is not None and ride.recorded and ride.pickup is not None:
            try:
                adult = ResponsibleAdult(ride.adult_name, ride.adult_phone, ride.relationship)
            except ValidationError:
                adult = None
            plan = TransportPlan(ride.pickup, adult)
        return check_pickup(plan, self.collected_by(), policy=self._session.policy).outcome

    def discharge(self) -> None:
        from desk.services.infusion import discharge

        self.error.setText("")
        version = self.view.version if self.view else None
        try:
            view = discharge(
                self._session.desk,
                self._visit_id,
                dissociation_resolved=self.dissociation.isChecked(),
                end_vitals_acceptable=self.vitals_ok.isChecked(),
                instructions_given=self.instructions.isChecked(),
                collected_by_name=self.collected_by(),
                driver_override_reason=self.driver_reason.text(),
                early_discharge_reason=self.early_reason.text(),
                expected_version=version,
            )
        except ValidationError as err:
            self.error.setText(str(err))
            self._focus(err.field)
            return
        except DeskError as err:
            self.error.setText(str(err))
            return
        self.discharged.emit(view)
        self.accept()

    def _focus(self, field: str | None) -> None:
        target = {
            "dissociation_resolved": self.dissociation,
            "end_vitals_acceptable": self.vitals_ok,
            "instructions_given": self.instructions,
            "driver_override_reason": self.driver_reason,
            "early_discharge_reason": self.early_reason,
            "collected_by_name": self.collector,
        }.get(field or "")
        if target is not None:
            target.setFocus()
