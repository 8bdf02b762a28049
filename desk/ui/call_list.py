"""Tomorrow's call list on screen: tick "ride confirmed" / "prep explained" as you phone.

Each tick is saved at once (who and when): "Ride confirmed" is the way home's phone
confirmation itself, so the board's Transport column changes with it. A ride cannot be
confirmed before someone is recorded to take the patient home; the tick then opens the
way-home panel for that visit. The PDF prints the same list with the ticks recorded.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk.domain.booking import closed_day_notice, next_open_day
from desk.domain.errors import DeskError, StaleEdit, ValidationError
from desk.domain.locale import format_time
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.services import call_list
from desk.services.call_list import CallEntry
from desk.ui.datetime_fields import DayField, with_weekday
from desk.ui.forms import error_line, named
from desk.ui.messages import error_text
from desk.ui.save_dialogs import ask_save_path
from desk.ui.session import Session
from desk.ui.tablemodel import Column, Index, RecordTableModel, fit_columns
from desk.ui.tasks import run_in_background
from desk.ui.visit_actions import stale_text

RIDE_COLUMN, PREP_COLUMN = 6, 7


def columns(policy: ClinicPolicy) -> list[Column[CallEntry]]:
    return [
        Column("Time", lambda e: f"{format_time(e.starts_at, policy)}"),
        Column("Patient", lambda e: f"{e.patient_name} · MRN {e.mrn}"),
        Column("Phone", lambda e: e.phone or "none recorded"),
        Column("Visit", lambda e: e.treatment_label),
        Column("Prep to explain", lambda e: (
            f"No food after {format_time(e.no_food_after, policy)} · "
            f"clear fluids only until {format_time(e.clear_fluids_until, policy)}"
        )),
        Column("Driver", lambda e: e.driver_name or "none recorded"),
        Column("Ride confirmed", lambda e: "Yes" if e.ride_confirmed else "No"),
        Column("Prep explained", lambda e: "Yes" if e.prep_explained else "No"),
    ]


class CallListModel(RecordTableModel[CallEntry]):
    """The list, with the two tick columns checkable; a tick asks for a save."""

    tick = Signal(object, bool, bool)  # entry, ride confirmed, prep explained

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.column() in (RIDE_COLUMN, PREP_COLUMN):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.CheckStateRole and index.column() in (RIDE_COLUMN, PREP_COLUMN):
            entry = self.row_at(index.row())
            ticked = entry.ride_confirmed if index.column() == RIDE_COLUMN else entry.prep_explained
            return Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
        return super().data(index, role)

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or index.column() not in (
            RIDE_COLUMN, PREP_COLUMN
        ):
            return False
        entry = self.row_at(index.row())
        ticked = Qt.CheckState(value) == Qt.CheckState.Checked
        ride = ticked if index.column() == RIDE_COLUMN else entry.ride_confirmed
        prep = ticked if index.column() == PREP_COLUMN else entry.prep_explained
        self.tick.emit(entry, ride, prep)
        return True


class CallListDialog(QDialog):
    required_roles = frozenset({Role.RECEPTIONIST, Role.ADMIN, Role.NURSE})

    def __init__(
        self, session: Session, day: date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Call list")
        tomorrow = session.desk.now().astimezone().date() + timedelta(days=1)
        shown = day or next_open_day(tomorrow, session.policy)
        self.day_edit = named(DayField(shown, session.policy), "callListDay")
        self.model = CallListModel(columns(session.policy))
        self.table = named(QTableView(), "callListTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        fit_columns(self.table)
        self.summary = named(QLabel(), "callListSummary")
        self.error = error_line("callListError")
        self.save_pdf = named(QPushButton("&Save PDF to print…"), "savePdf")
        self.way_home = named(QPushButton("&Way home…"), "callListWayHome")
        self.way_home.setToolTip("Record or change who takes the selected patient home.")
        self.day_notice = named(QLabel(wordWrap=True), "callListDayNotice")
        self.day_notice.setStyleSheet("color: #8a5300;")
        self._lay_out()
        self.model.tick.connect(self._record)
        self.day_edit.dateChanged.connect(lambda _d: self.reload())
        self.save_pdf.clicked.connect(self._save_pdf)
        self.way_home.clicked.connect(self._open_way_home)
        self.day_notice.setText("" if day else closed_day_notice(tomorrow, shown, session.policy))
        self.day_notice.setVisible(bool(self.day_notice.text()))
        self.resize(1100, 480)
        self.reload()

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Patients to call for"))
        bar.addWidget(with_weekday(self.day_edit))
        bar.addStretch()
        bar.addWidget(self.way_home)
        bar.addWidget(self.save_pdf)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.day_notice)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addWidget(close)

    @property
    def day(self) -> date:
        d = self.day_edit.date()
        return date(d.year(), d.month(), d.day())

    def reload(self) -> None:
        try:
            entries = call_list.call_list(self.session.desk, self.day)
        except DeskError as exc:
            self.error.setText(error_text(exc))
            return
        self.model.set_rows(entries)
        open_calls = sum(1 for e in entries if not (e.ride_confirmed and e.prep_explained))
        self.summary.setText(
            f"{len(entries)} infusion patient{'s' if len(entries) != 1 else ''}; "
            f"{open_calls} still to confirm."
        )

    def _record(self, entry: CallEntry, ride: bool, prep: bool) -> None:
        desk = self.session.desk
        self.error.setText("")
        run_in_background(
            self,
            lambda: call_list.record_call(desk, entry.visit_id, ride_confirmed=ride,
                                          prep_explained=prep, expected_version=entry.version,
                                          transport_version=entry.transport_version),
            lambda _r: self._recorded(entry, ride, prep),
            lambda error: self._failed(entry, error),
        )

    def _recorded(self, entry: CallEntry, ride: bool, prep: bool) -> None:
        what = (("ride confirmed" if ride else "ride no longer confirmed")
                if ride != entry.ride_confirmed
                else ("prep explained" if prep else "prep no longer explained"))
        self.session.announce(f"Call list: {what} for MRN {entry.mrn}.")
        self.reload()

    def _failed(self, entry: CallEntry, error: BaseException) -> None:
        self.error.setText(stale_text(error) if isinstance(error, StaleEdit) else error_text(error))
        self.reload()
        if isinstance(error, ValidationError) and error.field == "adult_name":
            self.open_way_home(entry.visit_id)  # record the adult, then confirm right there

    def _open_way_home(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.error.setText("Select a patient in the list first.")
            return
        self.open_way_home(self.model.row_at(rows[0].row()).visit_id)

    def open_way_home(self, visit_id: int) -> QDialog:
        from desk.ui.transport import TransportDialog

        dialog = TransportDialog(self.session, visit_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self.reload())
        dialog.open()
        return dialog

    def _save_pdf(self) -> None:
        # The file name carries the date only: never a patient's name.
        suggested = f"call-list-{self.day.isoformat()}.pdf"
        path = ask_save_path(self, "Save call list", suggested, "PDF (*.pdf)")
        if path is not None:
            self.write_pdf(path)

    def write_pdf(self, path: Path) -> None:
        try:
            path.write_bytes(call_list.call_list_pdf(self.session.desk, self.day))
        except (DeskError, OSError) as exc:
            self.error.setText(
                error_text(exc) if isinstance(exc, DeskError) else "The file could not be saved."
            )
            return
        self.summary.setText(f"Saved {path.name}.")
