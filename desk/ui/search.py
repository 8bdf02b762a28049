"""Search as you type: one box, a results list, and "New patient…".

Each keystroke starts a query on a worker thread, so typing never waits for the
database. Only one query runs at a time; text typed meanwhile is searched as soon as it
finishes, and results for text that is no longer in the box are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk.domain.search_query import MAX_QUERY_LENGTH
from desk.ui.forms import named
from desk.ui.messages import error_text
from desk.ui.patient_header import STATE_MARK
from desk.ui.permissions import who_may
from desk.ui.session import Session
from desk.ui.tablemodel import Column, RecordTableModel, fit_columns
from desk.ui.tasks import run_in_background

if TYPE_CHECKING:
    from desk.services.context import Desk
    from desk.services.search import PatientHit, SearchResult

RESULT_LIMIT = 50


@dataclass(frozen=True)
class ResultRow:
    """A hit with its phone already formatted (done on the worker thread: it is slow)."""

    hit: PatientHit
    phone: str


def result_columns(date_format: str) -> list[Column[ResultRow]]:
    return [
        Column("Name", lambda r: f"{r.hit.preferred_name or r.hit.legal_first_name} "
                                 f"{r.hit.legal_last_name}"),
        Column("Legal name", lambda r: f"{r.hit.legal_last_name}, {r.hit.legal_first_name}"),
        Column("Date of birth", lambda r: r.hit.dob.strftime(date_format)),
        Column("MRN", lambda r: r.hit.mrn),
        Column("Phone", lambda r: r.phone),
        Column(
            "Screening",
            lambda r: f"{STATE_MARK[r.hit.candidacy.state]} {r.hit.candidacy.header}",
            lambda r: r.hit.candidacy.details,
        ),
    ]


class SearchResultsModel(RecordTableModel[ResultRow]):
    """The hits of the latest search, in the order the service returned them."""

    def __init__(self, date_format: str) -> None:
        super().__init__(result_columns(date_format))


def _run_search(desk: Desk, text: str, region: str) -> tuple[str, SearchResult, list[str]]:
    """Worker thread: the search and the phone formatting, off the UI thread."""
    from desk.services.search import display_phone, search

    result = search(desk, text, RESULT_LIMIT)
    phones = [display_phone(hit.phone, region) for hit in result.hits]
    return text, result, phones


class PatientSearch(QWidget):
    """The search box; ``patient_opened(id)`` on Enter or double-click."""

    patient_opened = Signal(int)
    new_patient_requested = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._running = False
        self._searched_text: str | None = None
        self.model = SearchResultsModel(session.policy.date_format)
        self._build()
        # Zero-delay timer: coalesces a burst of key events into one query per event loop
        # turn without adding latency.
        self._kick = QTimer(self, singleShot=True, interval=0)
        self._kick.timeout.connect(self._start_search)
        self.box.textChanged.connect(lambda _text: self._kick.start())

    def _build(self) -> None:
        self.box = named(QLineEdit(maxLength=MAX_QUERY_LENGTH), "patientSearchBox")
        self.box.setPlaceholderText("Name, MRN, phone or date of birth")
        self.box.setClearButtonEnabled(True)
        self.box.installEventFilter(self)
        label = QLabel("&Find patient:")
        label.setBuddy(self.box)
        self.new_button = named(QPushButton("&New patient…"), "newPatientButton")
        self.new_button.clicked.connect(
            lambda: self.new_patient_requested.emit(self.box.text().strip())
        )
        self.status = named(QLabel("Type part of a name, an MRN, phone digits or a date of "
                                   "birth."), "searchStatus")
        self.status.setStyleSheet("color: #555;")
        self.table = named(QTableView(), "searchResults")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        fit_columns(self.table)  # one line a patient; a long name's tooltip has all of it
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.table.installEventFilter(self)
        bar = QHBoxLayout()
        bar.addWidget(label)
        bar.addWidget(self.box, 1)
        bar.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)

    # --- searching ----------------------------------------------------------------------

    def focus_box(self) -> None:
        """Ctrl+F: put the cursor in the box with its text selected for retyping."""
        self.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.box.selectAll()

    def _start_search(self) -> None:
        text = self.box.text()
        if self._running or text == self._searched_text:
            return  # the running search's completion starts the next one
        self._running = True
        desk, region = self._session.desk, self._session.policy.phone_region
        run_in_background(
            self, lambda: _run_search(desk, text, region), self._show_results, self._show_error
        )

    def _show_results(self, outcome: tuple[str, SearchResult, list[str]]) -> None:
        text, result, phones = outcome
        self._running = False
        self._searched_text = text
        if text != self.box.text():
            self._start_search()  # stale: the person kept typing
            return
        rows = [ResultRow(hit, phone) for hit, phone in zip(result.hits, phones, strict=True)]
        self.model.set_rows(rows)
        if rows:
            self.table.selectRow(0)
        self.status.setText(self._status_text(text, result, len(rows)))

    def _status_text(self, text: str, result: SearchResult, count: int) -> str:
        if result.hint:
            return result.hint
        if not text.strip():
            return "Type part of a name, an MRN, phone digits or a date of birth."
        if count == 0:
            return "No patient matches. Check the spelling, or register a new patient."
        more = " (showing the first 50: type more to narrow)" if count >= RESULT_LIMIT else ""
        return f"{count} patient{'s' if count != 1 else ''} found{more}. Enter opens."

    def _show_error(self, error: BaseException) -> None:
        self._running = False
        self._searched_text = None
        self.status.setText(error_text(error))

    # --- keyboard -----------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._key(watched, event)
        return super().eventFilter(watched, event)

    def _key(self, watched: QObject, event: QKeyEvent) -> bool:
        key = event.key()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and watched is self.box:
            self._move(-1 if key == Qt.Key.Key_Up else 1)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._open_row(self._current_row())
            return True
        if key == Qt.Key.Key_Escape and self.box.text():
            self.box.clear()
            self.box.setFocus()
            return True
        return False

    def _current_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else (0 if self.model.rowCount() else -1)

    def _move(self, step: int) -> None:
        count = self.model.rowCount()
        if count:
            row = min(max(self._current_row() + step, 0), count - 1)
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    def _open_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.patient_opened.emit(self.model.row_at(row).hit.patient_id)

    def selected_patient_id(self) -> int | None:
        row = self._current_row()
        return self.model.row_at(row).hit.patient_id if row >= 0 else None

    def refresh(self) -> None:
        """Search the same text again (after a registration or an edit)."""
        self._searched_text = None
        self._kick.start()


class PatientSearchDialog(QDialog):
    """Ctrl+F anywhere: the search box in its own window; opening a patient opens their record,
    and the found patient can be booked straight from here (a series first: the usual ask)."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Find patient")
        self.setObjectName("patientSearchDialog")
        self.resize(980, 520)
        self._session = session
        self.search = PatientSearch(session, self)
        self.record_button = named(QPushButton("Open &record"), "openRecordButton")
        self.series_button = named(QPushButton("Book a &series…"), "searchSeriesButton")
        self.visit_button = named(QPushButton("Book a &visit…"), "searchVisitButton")
        actions = QHBoxLayout()
        actions.addWidget(QLabel("For the selected patient:"))
        for button in (self.record_button, self.series_button, self.visit_button):
            actions.addWidget(button)
        actions.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addLayout(actions)
        self.search.patient_opened.connect(self.open_patient)
        self.search.new_patient_requested.connect(self.new_patient)
        self.record_button.clicked.connect(lambda: self._with_selected(self.open_patient))
        self.series_button.clicked.connect(lambda: self._with_selected(self.book_series))
        self.visit_button.clicked.connect(lambda: self._with_selected(self.book_visit))
        self.search.model.modelReset.connect(self._enable_actions)
        self._enable_actions()

    def show_search(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        self.search.focus_box()

    def open_patient(self, patient_id: int) -> None:
        from desk.ui.patient_form import open_patient_record

        form = open_patient_record(self._session, patient_id, self)
        if form is not None:
            form.saved.connect(lambda _view: self.search.refresh())

    def _enable_actions(self) -> None:
        from desk.services.booking import BOOKING_ROLES

        found = self.search.model.rowCount() > 0
        may_book = self._session.actor.has(*BOOKING_ROLES)
        self.record_button.setEnabled(found)
        for button in (self.series_button, self.visit_button):
            button.setEnabled(found and may_book)
            button.setToolTip("" if may_book else who_may(BOOKING_ROLES))

    def _with_selected(self, act: Callable[[int], object]) -> None:
        patient_id = self.search.selected_patient_id()
        if patient_id is not None:
            act(patient_id)

    def book_series(self, patient_id: int) -> None:
        from desk.ui.booking import SeriesBookingDialog

        self._open_booking(SeriesBookingDialog(self._session, patient_id, parent=self))

    def book_visit(self, patient_id: int) -> None:
        from desk.ui.booking import BookVisitDialog

        self._open_booking(BookVisitDialog(self._session, patient_id, parent=self))

    def _open_booking(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def new_patient(self, typed: str) -> None:
        from desk.ui.patient_form import PatientForm

        form = PatientForm.register(self._session, self, typed)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.saved.connect(lambda _view: self.search.refresh())
        form.open_existing.connect(self.open_patient)
        form.open()
