"""The way-home panel: responsible adult, pickup plan and the phone confirmation.

Reception and nurses both use it (the services allow both roles); the board's ride badge
follows whatever is saved here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError, ValidationError
from desk.domain.locale import format_time
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.domain.transport import PickupPlan, ResponsibleAdult, TransportStatus
from desk.ui.forms import error_line, named
from desk.ui.messages import error_text
from desk.ui.session import Session

if TYPE_CHECKING:
    from desk.services.transport import TransportView

# Colour is the second channel: the words carry the meaning on their own.
TRANSPORT_STYLE = {
    TransportStatus.CONFIRMED: "background: #e3f4e5; color: #14532d;",
    TransportStatus.NOT_CONFIRMED: "background: #eeeeee; color: #333333;",
    TransportStatus.NOT_RECORDED: "background: #eeeeee; color: #333333;",
    TransportStatus.NOT_ACCEPTABLE: "background: #fde2e1; color: #7f1d1d;",
}


class TransportPanel(QWidget):
    """Edit and confirm one visit's way home; ``changed`` fires after every save."""

    changed = Signal(object)

    def __init__(self, session: Session, visit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._visit_id = visit_id
        self._view: TransportView | None = None
        self.adult_name = named(QLineEdit(maxLength=200), "adultName")
        self.adult_phone = named(QLineEdit(maxLength=40), "adultPhone")
        self.relationship = named(QLineEdit(maxLength=80), "adultRelationship")
        self.plan = named(QComboBox(), "pickupPlan")
        self.plan.addItem("— choose —", None)
        for plan in PickupPlan:
            self.plan.addItem(plan.label, plan.value)  # Qt hands enums back as plain text
        self.status = named(QLabel("", wordWrap=True), "transportStatus")
        self.error = error_line("transportError")
        self.save_button = named(QPushButton("&Save way home"), "saveTransport")
        self.confirm_button = named(QPushButton("Confirmed by &phone"), "confirmTransport")
        self.save_button.clicked.connect(self.save)
        self.confirm_button.clicked.connect(self.confirm)
        form = QFormLayout()
        form.addRow("Responsible &adult", self.adult_name)
        form.addRow("Pho&ne", self.adult_phone)
        form.addRow("Re&lationship", self.relationship)
        form.addRow("Pic&kup plan", self.plan)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.confirm_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        self.reload()

    def reload(self) -> None:
        from desk.services.transport import transport_for

        try:
            self.show_view(transport_for(self._session.desk, self._visit_id))
        except DeskError as err:
            self.error.setText(str(err))

    def show_view(self, view: TransportView) -> None:
        self._view = view
        self.adult_name.setText(view.adult_name)
        self.adult_phone.setText(view.adult_phone)
        self.relationship.setText(view.relationship)
        code = view.pickup.value if view.pickup else None
        self.plan.setCurrentIndex(max(0, self.plan.findData(code)))
        self.status.setText(status_text(view, self._session.policy))
        self.status.setStyleSheet(
            TRANSPORT_STYLE[view.status] + " padding: 4px 6px; border-radius: 4px;"
        )
        self.confirm_button.setEnabled(
            view.recorded and view.status is not TransportStatus.NOT_ACCEPTABLE
        )

    def save(self) -> bool:
        from desk.services.transport import record_transport

        self.error.setText("")
        try:
            code = self.plan.currentData()
            if code is None:
                raise ValidationError("Choose how the patient gets home.", "plan")
            plan = PickupPlan(code)
            adult = ResponsibleAdult(
                self.adult_name.text(), self.adult_phone.text(), self.relationship.text()
            )
            version = self._view.version if self._view and self._view.recorded else None
            view = record_transport(self._session.desk, self._visit_id, adult, plan, version)
        except DeskError as err:
            self.error.setText(error_text(err))
            return False
        self.show_view(view)
        self.changed.emit(view)
        plan_text = view.pickup.label if view.pickup else "no plan"
        self._session.announce(f"Saved the way home: {view.adult_name}, {plan_text}.")
        return True

    def confirm(self) -> None:
        from desk.services.transport import confirm_by_phone

        self.error.setText("")
        if self._unsaved_changes() and not self.save():
            return
        try:
            version = self._view.version if self._view else None
            view = confirm_by_phone(self._session.desk, self._visit_id, version)
        except DeskError as err:
            self.error.setText(error_text(err))
            return
        self.show_view(view)
        self.changed.emit(view)
        self._session.announce(f"Ride confirmed by phone: {view.adult_name} takes them home.")

    def _unsaved_changes(self) -> bool:
        view = self._view
        if view is None or not view.recorded:
            return True
        return (
            self.adult_name.text().strip() != view.adult_name
            or self.relationship.text().strip() != view.relationship
            or self.plan.currentData() != view.pickup
            or self.adult_phone.text().strip() != view.adult_phone
        )


def status_text(view: TransportView, policy: ClinicPolicy) -> str:
    """ "Ride confirmed by phone — rita at 10:42" or the reason it is not."""
    if view.status is TransportStatus.CONFIRMED and view.confirmed_at is not None:
        at = format_time(view.confirmed_at, policy)
        return f"✓ {view.badge}: phoned by {view.confirmed_by} at {at}"
    mark = "✖" if view.status is TransportStatus.NOT_ACCEPTABLE else "?"
    return f"{mark} {view.badge}: {view.reason}"


class TransportDialog(QDialog):
    """The panel on its own, for the board and the check-in desk."""

    required_roles = frozenset({Role.RECEPTIONIST, Role.NURSE})

    def __init__(self, session: Session, visit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Way home")
        self.panel = TransportPanel(session, visit_id, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(buttons)
