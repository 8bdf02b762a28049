"""The controlled-substance stock screen: lots and balances, receiving vials (two people),
removing vials, and printing a lot's log or the inventory form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desk.domain.dosing import mg_text
from desk.domain.errors import DeskError
from desk.domain.ledger import MANUAL_REMOVALS, Movement
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.services import cs_log, stock
from desk.ui.datetime_fields import DayField
from desk.ui.document_viewer import DocumentViewerDialog
from desk.ui.forms import error_line, named
from desk.ui.session import Session
from desk.ui.witness import WitnessFields


def date_edit(day: date, name: str, policy: ClinicPolicy) -> DayField:
    """A date typed in the clinic's format (or picked from a calendar)."""
    return named(DayField(day, policy), name)


def picked(edit: DayField) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


class StockDialog(QDialog):
    required_roles = frozenset({Role.NURSE, Role.CLINICIAN, Role.ADMIN})

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Controlled-substance stock")
        self._session = session
        self.last_pdf = b""
        self._views: list[stock.LotView] = []
        today = session.desk.now().astimezone().date()
        policy = session.policy
        self.lots = named(QListWidget(), "stockLots")
        self.drug = named(QComboBox(), "receiveDrug")
        self.drug.addItems(list(session.policy.drugs))
        self.lot_number = named(QLineEdit(maxLength=80), "receiveLot")
        self.expiry = date_edit(today + timedelta(days=365), "receiveExpiry", policy)
        self.concentration = named(QLineEdit("50", maxLength=12), "receiveConcentration")
        self.vial_ml = named(QLineEdit("1", maxLength=12), "receiveVialMl")
        self.vials = named(QSpinBox(minimum=1, maximum=stock.MAX_VIALS), "receiveVials")
        self.supplier = named(QLineEdit(maxLength=80), "receiveSupplier")
        self.invoice = named(QLineEdit(maxLength=80), "receiveInvoice")
        self.receive_button = named(QPushButton("&Receive vials"), "receiveVialsButton")
        self.remove_kind = named(QComboBox(), "removeKind")
        for kind in MANUAL_REMOVALS:
            self.remove_kind.addItem(kind.label, kind.value)
        self.remove_vials = named(QSpinBox(minimum=1, maximum=stock.MAX_VIALS), "removeVials")
        self.remove_reason = named(QLineEdit(maxLength=2000), "removeReason")
        self.remove_button = named(QPushButton("Re&move vials"), "removeVialsButton")
        self.since = date_edit(today.replace(day=1), "logSince", policy)
        self.until = date_edit(today, "logUntil", policy)
        self.log_button = named(QPushButton("Print &log of the lot…"), "printLog")
        self.inventory_button = named(QPushButton("&Inventory form…"), "printInventory")
        self.error = error_line("stockError")
        self.receive_witness: WitnessFields
        self.remove_witness: WitnessFields
        self._lay_out()
        self.receive_button.clicked.connect(self.receive)
        self.remove_button.clicked.connect(self.remove)
        self.log_button.clicked.connect(self.print_log)
        self.inventory_button.clicked.connect(self.print_inventory)
        self.reload()
        self.resize(900, 640)

    def _lay_out(self) -> None:
        receive = QGroupBox("Receive vials (two people)")
        form = QFormLayout(receive)
        for label, widget in (("Drug", self.drug), ("Lot number", self.lot_number),
                              ("Expiry", self.expiry), ("Concentration mg/mL", self.concentration),
                              ("Vial volume mL", self.vial_ml), ("Vials received", self.vials),
                              ("Supplier", self.supplier), ("Invoice", self.invoice)):  # fmt: skip
            form.addRow(label, widget)
        self.receive_witness = WitnessFields(form, "Receiving witness", "receiveWitness")
        form.addRow("", self.receive_button)
        remove = QGroupBox("Return, expire or report a loss of the selected lot (two people)")
        remove_form = QFormLayout(remove)
        remove_form.addRow("Removal", self.remove_kind)
        remove_form.addRow("Vials removed", self.remove_vials)
        remove_form.addRow("Reason", self.remove_reason)
        self.remove_witness = WitnessFields(remove_form, "Removal witness", "removeWitness")
        remove_form.addRow("", self.remove_button)
        printing = QHBoxLayout()
        for label, widget in (("From", self.since), ("to", self.until)):
            printing.addWidget(QLabel(label))
            printing.addWidget(widget)
        printing.addWidget(self.log_button)
        printing.addStretch(1)
        printing.addWidget(self.inventory_button)
        left = QVBoxLayout()
        left.addWidget(QLabel("Lots in stock (balance from the ledger)"))
        left.addWidget(self.lots, 1)
        left.addLayout(printing)
        left.addWidget(remove)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addWidget(receive, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.error)

    def reload(self) -> None:
        try:
            views = stock.lots(self._session.desk)
        except DeskError as err:
            self.error.setText(str(err))
            return
        self._views = views
        self.lots.clear()
        for view in views:
            in_use = f", {mg_text(view.in_use_ug)} mg in use" if view.in_use_ug else ""
            self.lots.addItem(
                f"{view.label} — {view.balance_mg} mg, {view.sealed_vials} sealed vials{in_use}"
            )
        if views:
            self.lots.setCurrentRow(0)

    def selected_lot(self) -> stock.LotView | None:
        row = self.lots.currentRow()
        if row < 0 or row >= len(self._views):
            self.error.setText("Select a lot first.")
            return None
        return self._views[row]

    def receive(self) -> None:
        self.error.setText("")
        try:
            stock.receive(
                self._session.desk, drug=self.drug.currentText(),
                lot_number=self.lot_number.text(), expiry=picked(self.expiry),
                concentration_mg_per_ml=self.concentration.text(), vial_ml=self.vial_ml.text(),
                vials=self.vials.value(), supplier=self.supplier.text(),
                invoice=self.invoice.text(), witness=self.receive_witness.cosigner(),
            )  # fmt: skip
        except DeskError as err:
            self.error.setText(str(err))
            return
        finally:
            self.receive_witness.clear()
        self.reload()

    def remove(self) -> None:
        lot = self.selected_lot()
        if lot is None:
            return
        self.error.setText("")
        try:
            stock.remove(
                self._session.desk, lot.id, Movement(self.remove_kind.currentData()),
                self.remove_vials.value(), self.remove_reason.text(),
                self.remove_witness.cosigner(),
            )  # fmt: skip
        except DeskError as err:
            self.error.setText(str(err))
            return
        finally:
            self.remove_witness.clear()
        self.remove_reason.clear()
        self.reload()

    def print_log(self) -> QDialog | None:
        lot = self.selected_lot()
        if lot is None:
            return None
        since, until = picked(self.since), picked(self.until)
        return self._show(
            lambda: cs_log.cs_log_pdf(self._session.desk, lot.id, since, until),
            f"Controlled-substance log, lot {lot.lot_number}",
            f"cs-log-{lot.lot_number}-{since.isoformat()}-{until.isoformat()}",
        )

    def print_inventory(self) -> QDialog | None:
        today = self._session.desk.now().astimezone().date()
        return self._show(
            lambda: cs_log.inventory_pdf(self._session.desk),
            "Controlled-substance inventory", f"inventory-{today.isoformat()}",
        )  # fmt: skip

    def _show(self, make: Callable[[], bytes], title: str, document_id: str) -> QDialog | None:
        self.error.setText("")
        try:
            self.last_pdf = make()
        except DeskError as err:
            self.error.setText(str(err))
            return None
        viewer = DocumentViewerDialog(self.last_pdf, title, document_id, self)
        viewer.open()
        return viewer
