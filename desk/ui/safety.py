"""The clinician's safety assessment after a positive suicide item: risk, action, who was told."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError
from desk.domain.outcomes import MAX_ASSESSMENT_TEXT, RiskLevel
from desk.domain.roles import Role
from desk.services import outcomes
from desk.ui.forms import error_line, named
from desk.ui.messages import error_text
from desk.ui.session import Session


class SafetyAssessmentDialog(QDialog):
    """``saved(SafetyAlert)`` once the assessment is recorded."""

    required_roles = frozenset({Role.CLINICIAN})
    saved = Signal(object)

    def __init__(self, session: Session, visit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("safetyAssessment")
        self.setWindowTitle("Safety assessment")
        self._session, self._visit_id = session, visit_id
        alert = outcomes.safety_alert(session.desk, visit_id)
        self.alert_text = named(QLabel(alert.text if alert else "This visit has no safety alert."),
                                "safetyAlertText")  # fmt: skip
        self.alert_text.setWordWrap(True)
        self.risk = named(QComboBox(), "safetyRisk")
        self.risk.addItem("Choose…", "")
        for level in RiskLevel:
            self.risk.addItem(level.label, level.value)
        self.action = named(QPlainTextEdit(tabChangesFocus=True), "safetyAction")
        self.action.setPlaceholderText("e.g. safety plan reviewed, crisis line given, infusion "
                                       "deferred")  # fmt: skip
        self.told = named(QLineEdit(maxLength=MAX_ASSESSMENT_TEXT), "safetyTold")
        self.told.setPlaceholderText("e.g. the referring provider, the emergency contact")
        self.error = error_line("safetyError")
        form = QFormLayout()
        form.addRow("&Risk level", self.risk)
        form.addRow("&Action taken", self.action)
        form.addRow("&Who was told", self.told)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("R&ecord assessment")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.alert_text)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(520, 360)

    def save(self) -> None:
        try:
            alert = outcomes.record_safety_assessment(
                self._session.desk, self._visit_id, risk=str(self.risk.currentData()),
                action=self.action.toPlainText(), told=self.told.text(),
            )  # fmt: skip
        except DeskError as err:
            self.error.setText(error_text(err))
            return
        self.saved.emit(alert)
        self.accept()
