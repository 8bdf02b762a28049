"""Progress letters due: finished series without a signed letter, oldest first."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError
from desk.domain.locale import format_date
from desk.domain.policy import ClinicPolicy
from desk.services import progress_letters
from desk.services.progress_letters import LetterDue
from desk.ui.forms import named
from desk.ui.messages import error_text
from desk.ui.session import Session
from desk.ui.tablemodel import Column, RecordTableModel


def letter_columns(policy: ClinicPolicy) -> list[Column[LetterDue]]:
    return [
        Column("Patient", lambda r: r.patient_name),
        Column("MRN", lambda r: r.mrn),
        Column("Series", lambda r: r.series_label),
        Column("Last infusion", lambda r: format_date(r.last_day, policy)),
        Column("Referring provider", lambda r: r.provider_name or "not recorded",
               foreground=lambda r: None if r.provider_name else "#b00020"),
    ]  # fmt: skip


class LettersDueDialog(QDialog):
    def __init__(
        self, session: Session, open_outcomes: Callable[[int], object],
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("lettersDue")
        self.setWindowTitle("Progress letters due")
        self._open_outcomes = open_outcomes
        self.model: RecordTableModel[LetterDue] = RecordTableModel(
            letter_columns(session.policy)
        )
        self.table = named(QTableView(), "lettersTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.status = named(QLabel(), "lettersStatus")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        opener = buttons.addButton("&Open outcomes…", QDialogButtonBox.ButtonRole.ActionRole)
        opener.clicked.connect(self.open_selected)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(760, 420)
        try:
            rows = progress_letters.letters_due(session.desk)
        except DeskError as err:
            self.status.setText(error_text(err))
            return
        self.model.set_rows(rows)
        self.status.setText(f"{len(rows)} letter{'s' if len(rows) != 1 else ''} due.")
        if rows:
            self.table.selectRow(0)

    def open_selected(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self._open_outcomes(self.model.row_at(index.row()).patient_id)
