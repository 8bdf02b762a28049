"""The clinician's order for a visit (or its whole series): drug, mg/kg, weight, duration.

Above the clinic's dose limit the order needs a second clinician's password and a reason;
the fields for that are always visible so nobody has to discover them by failing first.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError
from desk.domain.roles import Role
from desk.services import orders
from desk.ui.forms import error_line, named
from desk.ui.session import Session
from desk.ui.witness import WitnessFields


class OrderDialog(QDialog):
    required_roles = frozenset({Role.CLINICIAN})

    def __init__(self, session: Session, visit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Infusion order")
        self._session, self._visit_id = session, visit_id
        policy = session.policy
        self.current = named(QLabel("", wordWrap=True), "currentOrder")
        self.drug = named(QComboBox(), "orderDrug")
        self.drug.addItems(list(policy.drugs))
        self.mg_per_kg = named(QLineEdit(maxLength=12), "orderMgPerKg")
        self.weight = named(QLineEdit(maxLength=12), "orderWeight")
        self.weight.setPlaceholderText("blank: the weight in this visit's vitals")
        self.duration = named(
            QSpinBox(minimum=1, maximum=24 * 60, value=40, suffix=" min"), "orderMinutes"
        )
        self.series = named(QCheckBox("For every infusion of the series"), "orderSeries")
        self.notes = named(QLineEdit(maxLength=2000), "orderNotes")
        self.limits = QLabel(
            f"Clinic limits: {policy.max_dose_mg_per_kg:g} mg/kg and {policy.max_dose_mg} mg per "
            "infusion. Above them a second clinician confirms with their password."
        )
        self.limits.setWordWrap(True)
        self.reason = named(QLineEdit(maxLength=2000), "orderOverrideReason")
        self.save_button = named(QPushButton("&Save order"), "saveOrder")
        self.close_button = QPushButton("Close")
        self.error = error_line("orderError")
        form = QFormLayout()
        for label, widget in (("Drug", self.drug), ("Dose mg/kg", self.mg_per_kg),
                              ("Weight kg", self.weight), ("Duration", self.duration),
                              ("Notes", self.notes)):  # fmt: skip
            form.addRow(label, widget)
        form.addRow("", self.series)
        above = QGroupBox("Only above the clinic's limit")
        above_form = QFormLayout(above)
        above_form.addRow("Reason for the higher dose", self.reason)
        self.cosigner = WitnessFields(above_form, "Second clinician", "orderCosigner")
        layout = QVBoxLayout(self)
        layout.addWidget(self.current)
        layout.addLayout(form)
        layout.addWidget(self.limits)
        layout.addWidget(above)
        layout.addWidget(self.save_button)
        layout.addWidget(self.close_button)
        layout.addWidget(self.error)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.close)
        self.reload()

    def reload(self) -> None:
        try:
            order = orders.current_order(self._session.desk, self._visit_id)
        except DeskError as err:
            self.error.setText(str(err))
            return
        self.current.setText(f"Current order: {order.summary()}" if order else "No order yet.")

    def save(self) -> None:
        self.error.setText("")
        above = bool(self.cosigner.username.text().strip())
        try:
            orders.record_order(
                self._session.desk, self._visit_id, drug=self.drug.currentText(),
                mg_per_kg=self.mg_per_kg.text(), weight_kg=self.weight.text(),
                duration_min=self.duration.value(), whole_series=self.series.isChecked(),
                notes=self.notes.text(), cosigner=self.cosigner.cosigner() if above else None,
                override_reason=self.reason.text(),
            )  # fmt: skip
        except DeskError as err:
            self.error.setText(str(err))
            return
        finally:
            self.cosigner.clear()
        self.reload()
