"""Discharge: dissociation resolved, end vitals, instructions, and who is collecting.

"Who is collecting?" starts with the recorded responsible adult. Someone else collecting
(their relationship, phone and ID are recorded), nobody collecting, or leaving before the
minimum observation time are hard stops: a reason and a second clinician's own password.
Once discharged, the dialog offers the patient's discharge sheet (view, print, save).
The ticks are the signed-in nurse's attestation: another person signing in clears them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
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

from desk.domain.errors import DeskError, ValidationError
from desk.domain.fasting import PrepStatus
from desk.domain.locale import format_time
from desk.domain.transport import PickupOutcome, check_pickup
from desk.ui.cosign import CosignerBox
from desk.ui.forms import error_line, named
from desk.ui.permissions import NURSING_ROLES
from desk.ui.prep import BADGE, STATUS_STYLE, reading_text
from desk.ui.session import Session
from desk.ui.vitals import no_default_buttons

if TYPE_CHECKING:
    from desk.services.infusion import Collector, InfusionView


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
        self.nobody = named(QCheckBox("No&body is collecting the patient"), "nobodyCollecting")
        self.match = named(QLabel("", wordWrap=True), "driverMatch")
        self.driver_reason = named(QLineEdit(maxLength=2000), "driverOverrideReason")
        self.driver_reason_label = QLabel("Driver &override reason")
        self.driver_reason_label.setBuddy(self.driver_reason)
        self.early_reason = named(QLineEdit(maxLength=2000), "earlyDischargeReason")
        self.early_reason_label = QLabel("Early discharge &reason")
        self.early_reason_label.setBuddy(self.early_reason)
        self.collector_box = self._collector_box()
        self.cosigner = CosignerBox()
        self.notice = named(QLabel("", wordWrap=True), "dischargeNotice")
        self.sheet_button = named(QPushButton("Discharge &sheet…"), "dischargeSheet")
        self.sheet_button.setAutoDefault(False)
        self.sheet_button.clicked.connect(self.open_sheet)
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
        session.actor_changed.connect(self.forget_attestations)
        self.resize(760, 640)

    def _collector_box(self) -> QGroupBox:
        self.collector_relationship = named(QLineEdit(maxLength=80), "collectorRelationship")
        self.collector_phone = named(QLineEdit(maxLength=40), "collectorPhone")
        self.collector_id_seen = named(
            QCheckBox("Photo I&D seen and matches the name"), "collectorIdSeen"
        )
        box = QGroupBox("The person collecting (not the recorded adult)")
        form = QFormLayout(box)
        form.addRow("Re&lationship to the patient", self.collector_relationship)
        form.addRow("Their phone n&umber", self.collector_phone)
        form.addRow("", self.collector_id_seen)
        return box

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow(self.dissociation)
        form.addRow(self.end_vitals)
        form.addRow(self.vitals_ok)
        form.addRow(self.instructions)
        form.addRow("&Who is collecting?", self.collector)
        form.addRow("", self.nobody)
        form.addRow("", self.match)
        form.addRow(self.collector_box)
        form.addRow(self.driver_reason_label, self.driver_reason)
        form.addRow(self.early_reason_label, self.early_reason)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sheet_button)
        buttons.addStretch(1)
        buttons.addWidget(self.discharge_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.observation)
        layout.addLayout(form)
        layout.addWidget(self.cosigner)
        layout.addWidget(self.notice)
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
        policy = self._session.policy
        ride = view.transport
        adult = f"{ride.adult_name} ({ride.relationship})" if ride.recorded else "nobody recorded"
        self.title.setText(f"{view.patient_name} · MRN {view.mrn} · responsible adult: {adult}")
        early = self._early()
        if view.discharged:
            self.observation.setText(
                "\n".join((f"✓ {view.discharged}.", view.collected, *view.overrides))
            )
        elif view.ready_to_leave_at is None:
            self.observation.setText(view.status.label)
        elif early:
            self.observation.setText(
                "Minimum observation ends at "
                f"{format_time(view.ready_to_leave_at, policy)}: an earlier "
                "discharge is a hard stop (a reason and a second clinician)."
            )
        else:
            self.observation.setText(
                "Observation complete (ready to leave at "
                f"{format_time(view.ready_to_leave_at, policy)})."
            )
        self.early_reason.setVisible(early and not view.discharged)
        self.early_reason_label.setVisible(early and not view.discharged)
        self._show_done(bool(view.discharged))
        end = view.end_reading
        self.end_vitals.setText(
            f"End vitals: {reading_text(end, policy)}"
            if end
            else "No end-of-infusion vitals yet: record them in the infusion screen."
        )
        self._show_match()

    def _show_done(self, done: bool) -> None:
        """A discharged visit: nothing left to tick, the sheet to hand over."""
        self.sheet_button.setEnabled(done)
        self.sheet_button.setToolTip(
            "" if done else "The discharge sheet carries the discharge time and who collected: "
            "discharge the patient first."
        )
        self.discharge_button.setVisible(not done)
        self.cancel_button.setText("Close" if done else "Cancel")
        for widget in (self.dissociation, self.vitals_ok, self.instructions, self.collector,
                       self.nobody, self.driver_reason):  # fmt: skip
            widget.setEnabled(not done)
        if done:
            self.collector_box.hide()
            self.cosigner.hide()
            self.driver_reason.hide()
            self.driver_reason_label.hide()
            self.match.hide()

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
        if view.discharged:
            return
        self.collector.setEnabled(not self.nobody.isChecked())
        outcome = self._pickup_outcome()
        needs = outcome is not PickupOutcome.MATCHES
        if outcome is PickupOutcome.MATCHES:
            text, status = "✓ Matches the recorded responsible adult.", PrepStatus.OK
        elif self.collected_by() is None:
            text = "✖ Nobody is collecting: a hard stop (a reason and a second clinician)."
            status = PrepStatus.NOT_READY
        else:
            text = (
                f"✖ Not the recorded adult ({view.transport.adult_name or 'none recorded'}): "
                "a hard stop (their details, a reason and a second clinician)."
            )
            status = PrepStatus.NOT_READY
        self.match.setText(text)
        self.match.setStyleSheet(f"{STATUS_STYLE[status]} {BADGE}")
        needs = needs and outcome is not PickupOutcome.LEAVES_ALONE_ACCEPTED
        self.driver_reason.setVisible(needs)
        self.driver_reason_label.setVisible(needs)
        self.collector_box.setVisible(needs and self.collected_by() is not None)
        self.cosigner.setVisible(needs or self._early())

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
                collector=self._collector(),
                driver_override_reason=self.driver_reason.text(),
                early_discharge_reason=self.early_reason.text(),
                cosigner=self.cosigner.cosignature() if self.cosigner.isVisible() else None,
                expected_version=version,
            )
        except ValidationError as err:
            self.error.setText(str(err))
            self._focus(err.field)
            return
        except DeskError as err:
            self.error.setText(str(err))
            return
        finally:
            self.cosigner.clear_password()  # a typed password is used once
        self.cosigner.clear()
        self.show_view(view)
        self.discharged.emit(view)
        self.sheet_button.setFocus()

    def _collector(self) -> Collector | None:
        from desk.services.infusion import Collector

        if not self.collector_box.isVisible():
            return None
        return Collector(
            self.collector_relationship.text(),
            self.collector_phone.text(),
            self.collector_id_seen.isChecked(),
        )

    def forget_attestations(self) -> None:
        """Someone else signed in: none of the previous nurse's ticks or typing stays."""
        for box in (self.dissociation, self.vitals_ok, self.instructions, self.nobody,
                    self.collector_id_seen):  # fmt: skip
            box.setChecked(False)
        for field in (self.driver_reason, self.early_reason, self.collector_relationship,
                      self.collector_phone):  # fmt: skip
            field.clear()
        self.cosigner.clear()
        self.collector.setText(self.view.transport.adult_name if self.view else "")
        self.error.setText("")
        self.notice.setText(
            "Another person signed in: the previous person's ticks and entries were cleared."
        )
        self.reload()

    def open_sheet(self) -> QDialog | None:
        """The patient's discharge sheet for this visit: view, print or save it."""
        from desk.pdf import DocumentKind, new_document_id
        from desk.services.handouts import discharge_instructions_pdf
        from desk.ui.document_viewer import DocumentViewerDialog

        desk = self._session.desk
        document_id = new_document_id(DocumentKind.DISCHARGE, desk.now().astimezone().date())
        try:
            pdf = discharge_instructions_pdf(desk, self._visit_id, document_id=document_id)
        except DeskError as err:
            self.error.setText(str(err))
            return None
        viewer = DocumentViewerDialog(pdf, "Discharge sheet", document_id, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.open()
        return viewer

    def _focus(self, field: str | None) -> None:
        target = {
            "dissociation_resolved": self.dissociation,
            "end_vitals_acceptable": self.vitals_ok,
            "instructions_given": self.instructions,
            "driver_override_reason": self.driver_reason,
            "early_discharge_reason": self.early_reason,
            "collected_by_name": self.collector,
            "collector_relationship": self.collector_relationship,
            "collector_phone": self.collector_phone,
            "collector_id_seen": self.collector_id_seen,
        }.get(field or "")
        if target is not None:
            target.setFocus()
