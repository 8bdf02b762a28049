"""Close the day: count each lot with a witness, see what is still open, keep the report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError
from desk.domain.locale import format_day
from desk.domain.roles import Role
from desk.services import day_close, stock
from desk.services.consent_files import write_atomically
from desk.services.day_close import ClosedDay
from desk.ui.document_viewer import DocumentViewerDialog
from desk.ui.forms import error_line, named
from desk.ui.save_dialogs import ask_save_path
from desk.ui.session import Session
from desk.ui.witness import WitnessFields


class DayCloseDialog(QDialog):
    required_roles = frozenset({Role.NURSE})

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Close the day")
        self._session = session
        self.day = session.desk.now().astimezone().date()
        self.closed: ClosedDay | None = None
        self.counts: dict[int, QSpinBox] = {}
        self.reasons: dict[int, QLineEdit] = {}
        self.heading = named(QLabel("", wordWrap=True), "closeHeading")
        self.lots_box = QGroupBox("Count each lot's sealed vials")
        self.lots_grid = QGridLayout(self.lots_box)
        self.open_items = named(QLabel("", wordWrap=True), "openItems")
        witness_box = QGroupBox("Witness")
        form = QFormLayout(witness_box)
        self.witness = WitnessFields(form, "Count witness", "closeWitness")
        self.close_button = named(QPushButton("&Close the day"), "closeDayButton")
        self.view_button = named(QPushButton("&View day report…"), "viewDayReport")
        self.csv_button = named(QPushButton("&Save day report as CSV…"), "saveDayCsv")
        self.outcome = named(QLabel("", wordWrap=True), "closeOutcome")
        self.error = error_line("closeError")
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.lots_box)
        layout.addWidget(QLabel("Open items"))
        layout.addWidget(self.open_items)
        layout.addWidget(witness_box)
        for widget in (self.close_button, self.view_button, self.csv_button, self.outcome,
                       self.error):  # fmt: skip
            layout.addWidget(widget)
        self.close_button.clicked.connect(self.close_day)
        self.view_button.clicked.connect(self.view_report)
        self.csv_button.clicked.connect(self.save_csv)
        self.reload()

    def reload(self) -> None:
        try:
            state = day_close.day_to_close(self._session.desk, self.day)
        except DeskError as err:
            self.error.setText(str(err))
            return
        day = format_day(self.day, self._session.policy)
        self.heading.setText(f"{day}: {state.closed or 'not closed yet'}")
        self.close_button.setEnabled(not state.closed)
        self.view_button.setEnabled(bool(state.closed))
        self.csv_button.setEnabled(bool(state.closed))
        for header, column in (
            ("Lot", 0),
            ("Expected", 1),
            ("Counted", 2),
            ("Reason if different", 3),
        ):
            self.lots_grid.addWidget(QLabel(f"<b>{header}</b>"), 0, column)
        for row, lot in enumerate(state.lots, start=1):
            in_use = f" ({lot.in_use_mg} mg in use)" if lot.in_use_mg != "0" else ""
            self.lots_grid.addWidget(QLabel(lot.label + in_use), row, 0)
            self.lots_grid.addWidget(QLabel(str(lot.expected_vials)), row, 1)
            spin = named(QSpinBox(maximum=stock.MAX_VIALS), f"count{lot.lot_id}")
            spin.setValue(lot.expected_vials)
            reason = named(QLineEdit(maxLength=2000), f"countReason{lot.lot_id}")
            self.lots_grid.addWidget(spin, row, 2)
            self.lots_grid.addWidget(reason, row, 3)
            self.counts[lot.lot_id], self.reasons[lot.lot_id] = spin, reason
        self.open_items.setText("\n".join(f"• {item}" for item in state.open_items) or "None.")

    def close_day(self) -> None:
        self.error.setText("")
        witness = self.witness.cosigner()
        self.witness.clear()
        try:
            self.closed = day_close.close_day(
                self._session.desk, self.day,
                {lot: spin.value() for lot, spin in self.counts.items()},
                {lot: line.text() for lot, line in self.reasons.items()}, witness,
            )  # fmt: skip
        except DeskError as err:
            self.error.setText(str(err))
            return
        found = "; ".join(self.closed.discrepancies) or "every count matched the ledger"
        self.outcome.setText(
            f"Day closed: {found}. Audit chain head: entry {self.closed.audit_seq}, "
            f"{self.closed.audit_hash[:16]}…"
        )
        self.close_button.setEnabled(False)
        self.view_button.setEnabled(True)
        self.csv_button.setEnabled(True)

    def _stored(self) -> tuple[bytes, str] | None:
        try:
            return day_close.stored_report(self._session.desk, self.day)
        except DeskError as err:
            self.error.setText(str(err))
            return None

    def view_report(self) -> QDialog | None:
        stored = self._stored()
        if stored is None:
            return None
        viewer = DocumentViewerDialog(
            stored[0], "Day report", f"day-report-{self.day.isoformat()}", self
        )
        viewer.open()
        return viewer

    def save_csv(self) -> None:
        path = ask_save_path(
            self, "Save day report", f"day-report-{self.day.isoformat()}.csv", "CSV (*.csv)"
        )
        stored = self._stored()
        if path is not None and stored is not None:
            self.write_csv(path, stored[1])

    def write_csv(self, path: Path, text: str) -> None:
        try:
            write_atomically(path, text.encode("utf-8"))
        except DeskError as err:
            self.error.setText(str(err))
            return
        self.outcome.setText(f"Saved {path.name}.")
