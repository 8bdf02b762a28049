"""The nurse view: today's chairs (patient, state, elapsed time, next check, time to leave)
and who is waiting for prep; Enter on a row opens the right screen for that patient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError
from desk.domain.locale import format_time
from desk.domain.policy import ClinicPolicy
from desk.domain.visit_states import VisitState
from desk.domain.vitals import CheckpointState
from desk.ui.forms import named
from desk.ui.infusion import minutes_text
from desk.ui.session import Session
from desk.ui.tablemodel import Column, RecordTableModel, fit_columns

if TYPE_CHECKING:
    from desk.services.nurse_board import ChairView, NurseBoard, WaitingView

POLL_MS = 3000  # like the day board: reload only when the change counter moved
TICK_MS = 30_000  # elapsed minutes and "overdue" change with the clock, not the data


def _elapsed(chair: ChairView) -> str:
    if chair.elapsed_minutes is None:
        return ""
    return minutes_text(chair.elapsed_minutes)


def _next_check(chair: ChairView, policy: ClinicPolicy) -> str:
    text = chair.next_check_text(policy)
    state = chair.next_check.state if chair.next_check else None
    return f"✖ {text}" if state is CheckpointState.OVERDUE else text


def chair_columns(policy: ClinicPolicy) -> list[Column[ChairView]]:
    return [
        Column("Chair", lambda c: c.chair),
        Column("Patient", lambda c: f"{c.patient_name} ({c.mrn})" if c.visit_id else "—"),
        Column("State", lambda c: c.status_label),
        Column(
            "Started",
            lambda c: format_time(c.infusion_start, policy) if c.infusion_start else "",
        ),
        Column("Elapsed", _elapsed),
        Column("Vitals (latest, worst)", lambda c: c.vitals_text),
        Column("Next vitals check", lambda c: _next_check(c, policy)),
        Column(
            "Ready to leave",
            lambda c: (
                f"ready to leave at {format_time(c.ready_to_leave_at, policy)}"
                if c.ready_to_leave_at
                else ""
            ),
        ),
        Column("Overrun", lambda c: c.overrun),
    ]


def waiting_columns(policy: ClinicPolicy) -> list[Column[WaitingView]]:
    return [
        Column("Patient", lambda w: f"{w.patient_name} ({w.mrn})"),
        Column("Booked", lambda w: f"{format_time(w.scheduled_start, policy)}"),
        Column("Chair", lambda w: w.chair or "—"),
        Column("Arrived", lambda w: f"{format_time(w.arrived_at, policy)}" if w.arrived_at else ""),
        Column(
            "Waiting",
            lambda w: minutes_text(w.waiting_minutes) if w.waiting_minutes is not None else "",
        ),
        Column("Hold", lambda w: f"On hold: {w.hold_reason}" if w.hold_reason else ""),
        Column("Safety", lambda w: f"✖ {w.safety_alert}" if w.safety_alert else ""),
    ]


class ChairModel(RecordTableModel["ChairView"]):
    """Chairs with a patient overdue for a check show a red background (and a ✖ mark)."""

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
        if role == Qt.ItemDataRole.BackgroundRole and index.isValid():
            chair = self.row_at(index.row())
            overdue = chair.next_check and chair.next_check.state is CheckpointState.OVERDUE
            if overdue or chair.overrun:
                return _brush("#fde2e1")
            if chair.status is VisitState.INFUSING:
                return _brush("#e0ecff")
            if chair.status is VisitState.RECOVERY:
                return _brush("#e3f4e5")
        return super().data(index, role)


def _brush(colour: str) -> object:
    from PySide6.QtGui import QBrush, QColor

    return QBrush(QColor(colour))


def _table(name: str, model: RecordTableModel[object]) -> QTableView:
    table = named(QTableView(), name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    fit_columns(table)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class NurseBoardView(QWidget):
    """The nurse station's main view; dialogs open through ``open_dialog``."""

    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        open_dialog: Callable[[str, Callable[[], QDialog]], QDialog] | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._open_dialog = open_dialog or _open_plain
        self._counter: int | None = None
        policy = session.policy
        self.chairs = ChairModel(chair_columns(policy))
        self.waiting = RecordTableModel(waiting_columns(policy))
        self.chair_table = _table("nurseChairs", self.chairs)  # type: ignore[arg-type]
        self.waiting_table = _table("nurseWaiting", self.waiting)  # type: ignore[arg-type]
        self.notice = named(QLabel(""), "nurseNotice")
        self.waiting_title = named(QLabel(""), "nurseWaitingTitle")
        self.prep_button = named(QPushButton("&Prep checklist…"), "openPrep")
        self.infusion_button = named(QPushButton("&Infusion / recovery…"), "openInfusion")
        self.prep_button.clicked.connect(self.open_prep)
        self.infusion_button.clicked.connect(self.open_infusion)
        self.chair_table.activated.connect(lambda _i: self.open_for_chair())
        self.waiting_table.activated.connect(lambda _i: self.open_prep())
        for table in (self.chair_table, self.waiting_table):
            table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._layout()
        self.poll_timer = QTimer(self, interval=POLL_MS)
        self.poll_timer.timeout.connect(self.poll)
        self.tick_timer = QTimer(self, interval=TICK_MS)
        self.tick_timer.timeout.connect(self.reload)
        self.set_active(True)
        self.reload()

    def _layout(self) -> None:
        title = QLabel("Chairs")
        title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.waiting_title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.prep_button)
        buttons.addWidget(self.infusion_button)
        buttons.addStretch(1)
        buttons.addWidget(self.notice)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.chair_table, 3)
        layout.addWidget(self.waiting_title)
        layout.addWidget(self.waiting_table, 2)
        layout.addLayout(buttons)

    def set_active(self, active: bool) -> None:
        """Stop the timers while the screen is locked (a refresh is never user activity)."""
        for timer in (self.poll_timer, self.tick_timer):
            if active:
                timer.start()
            else:
                timer.stop()

    def poll(self) -> None:
        from desk.services.audit import change_counter

        try:
            counter = change_counter(self._session.desk)
        except DeskError as err:
            self.notice.setText(str(err))
            return
        if counter != self._counter:
            self.reload(counter)

    def reload(self, counter: int | None = None) -> None:
        from desk.services.audit import change_counter
        from desk.services.nurse_board import nurse_board

        try:
            self._counter = counter if counter is not None else change_counter(self._session.desk)
            self.show_board(nurse_board(self._session.desk))
        except DeskError as err:
            self.notice.setText(str(err))
            return
        self.notice.setText("")

    def show_board(self, board: NurseBoard) -> None:
        chair_row, waiting_row = (
            self._selected_visit(self.chair_table),
            self._selected_visit(self.waiting_table),
        )
        self.chairs.set_rows(board.chairs)
        self.waiting.set_rows(board.waiting)
        count = len(board.waiting)
        self.waiting_title.setText(
            f"Waiting for prep ({count})" if count else "Waiting for prep: nobody"
        )
        self._reselect(self.chair_table, chair_row)
        self._reselect(self.waiting_table, waiting_row)
        self._update_buttons()

    def _update_buttons(self) -> None:
        """Enabled only when they can open something; the tooltip says what to pick."""
        waiting = self._selected_visit(self.waiting_table)
        chair = self._selected_visit(self.chair_table)
        self.prep_button.setEnabled(waiting is not None or chair is not None)
        self.prep_button.setToolTip(
            "" if self.prep_button.isEnabled()
            else "Select a patient waiting for prep, or a patient in a chair."
        )  # fmt: skip
        self.infusion_button.setEnabled(chair is not None)
        self.infusion_button.setToolTip(
            "" if chair is not None else "Select a patient in a chair (not a free chair)."
        )

    def selected_visit_id(self) -> int | None:
        """The visit selected in a chair, else in the waiting list."""
        return self._selected_visit(self.chair_table) or self._selected_visit(self.waiting_table)

    def _selected_visit(self, table: QTableView) -> int | None:
        rows = table.selectionModel().selectedRows()
        if not rows:
            return None
        model = table.model()
        assert isinstance(model, RecordTableModel)
        return getattr(model.row_at(rows[0].row()), "visit_id", None)

    def _reselect(self, table: QTableView, visit_id: int | None) -> None:
        model = table.model()
        assert isinstance(model, RecordTableModel)
        for row, record in enumerate(model.rows()):
            if visit_id is not None and getattr(record, "visit_id", None) == visit_id:
                table.selectRow(row)
                return

    def open_for_chair(self) -> QDialog | None:
        """A cleared patient's checklist (to hold), otherwise the infusion screen."""
        visit_id = self._selected_visit(self.chair_table)
        if visit_id is None:
            return None
        chair = next(c for c in self.chairs.rows() if c.visit_id == visit_id)
        if chair.status is VisitState.PREP_CLEARED:
            return self._prep(visit_id)
        return self._infusion(visit_id)

    def open_prep(self) -> QDialog | None:
        """The checklist of the patient picked in the queue, else in the chairs."""
        visit_id = self._selected_visit(self.waiting_table) or self._selected_visit(
            self.chair_table
        )
        return self._prep(visit_id) if visit_id is not None else None

    def open_infusion(self) -> QDialog | None:
        visit_id = self._selected_visit(self.chair_table)
        return self._infusion(visit_id) if visit_id is not None else None

    def _prep(self, visit_id: int) -> QDialog:
        from desk.ui.prep import PrepDialog

        return self._open_dialog(
            f"prep-{visit_id}", lambda: PrepDialog(self._session, visit_id, self)
        )

    def _infusion(self, visit_id: int) -> QDialog:
        from desk.ui.infusion import InfusionDialog

        return self._open_dialog(
            f"infusion-{visit_id}", lambda: InfusionDialog(self._session, visit_id, self)
        )


def _open_plain(_key: str, make: Callable[[], QDialog]) -> QDialog:
    dialog = make()
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
