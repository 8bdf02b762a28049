"""The day board: today's visits in a table, with a date switcher and live refresh."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError
from desk.ui.forms import named
from desk.ui.session import Session
from desk.ui.tablemodel import Column, RecordTableModel

if TYPE_CHECKING:
    from desk.services.board import BoardRow

log = logging.getLogger(__name__)

REFRESH_MS = 3000  # the change counter is one indexed row: cheap enough to poll this often


def board_columns(time_format: str) -> list[Column[BoardRow]]:
    return [
        Column("Time", lambda r: f"{r.start:{time_format}}–{r.end:{time_format}}"),
        Column("Patient", lambda r: r.patient_name),
        Column("MRN", lambda r: r.mrn),
        Column("Visit", lambda r: r.visit_type_label),
        Column("Chair", lambda r: r.chair or "—"),
        Column("Status", lambda r: r.status_label, foreground=status_colour),
    ]


# Finished visits fade so the eye lands on the ones still in the clinic.
_STATUS_COLOURS = {"discharged": "#777777", "no_show": "#b00020", "cancelled": "#777777",
                   "infusing": "#0b5394", "recovery": "#0b5394"}


def status_colour(row: BoardRow) -> str | None:
    return _STATUS_COLOURS.get(row.status)


class BoardModel(RecordTableModel["BoardRow"]):
    """The visits of one day, in board order."""

    def __init__(self, time_format: str = "%H:%M") -> None:
        super().__init__(board_columns(time_format))


class DayBoard(QWidget):
    """Shows one local day; follows 'today' across midnight until another day is picked."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._counter: int | None = None
        self._day = self._today()
        self._follow_today = True
        self.model = BoardModel(session.policy.time_format)
        self._build()
        self.refresh_timer = QTimer(self, interval=REFRESH_MS)
        self.refresh_timer.timeout.connect(self.poll)
        self.refresh_timer.start()
        self.reload()

    def _build(self) -> None:
        self.previous_button = QPushButton("◀")
        self.previous_button.setToolTip("Previous day (Alt+Left)")
        self.previous_button.setFixedWidth(40)
        self.previous_button.setShortcut("Alt+Left")
        self.next_button = QPushButton("▶")
        self.next_button.setToolTip("Next day (Alt+Right)")
        self.next_button.setFixedWidth(40)
        self.next_button.setShortcut("Alt+Right")
        self.today_button = QPushButton("&Today")
        self.date_edit = named(QDateEdit(), "boardDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.title = named(QLabel(""), "boardTitle")
        self.title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.notice = named(QLabel(""), "boardNotice")
        self.table = named(QTableView(), "boardTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.empty = named(QLabel("", alignment=Qt.AlignmentFlag.AlignCenter), "boardEmpty")
        self.empty.setStyleSheet("font-size: 14pt; color: #666;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        bar = QHBoxLayout()
        for widget in (self.previous_button, self.date_edit, self.next_button, self.today_button):
            bar.addWidget(widget)
        bar.addSpacing(16)
        bar.addWidget(self.title, 1)
        bar.addWidget(self.notice)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        self.previous_button.clicked.connect(lambda: self.show_day(self._day - timedelta(days=1)))
        self.next_button.clicked.connect(lambda: self.show_day(self._day + timedelta(days=1)))
        self.today_button.clicked.connect(lambda: self.show_day(self._today()))
        self.date_edit.dateChanged.connect(
            lambda d: self.show_day(date(d.year(), d.month(), d.day()))
        )

    @property
    def day(self) -> date:
        return self._day

    def _today(self) -> date:
        return self._session.desk.now().astimezone().date()

    def show_day(self, day: date) -> None:
        if day == self._day and self._counter is not None:
            return
        self._day = day
        self._follow_today = day == self._today()
        self.reload()

    def set_active(self, active: bool) -> None:
        """Stop polling while nobody can see the board (the screen is locked)."""
        if active:
            self.refresh_timer.start()
            self.poll()
        else:
            self.refresh_timer.stop()

    def poll(self) -> None:
        """Reload when anything changed anywhere (or the day rolled over)."""
        from desk.services.audit import change_counter

        if self._follow_today and self._day != self._today():
            self._day = self._today()
            self._counter = None
        try:
            counter = change_counter(self._session.desk)
        except DeskError as exc:
            self.notice.setText(str(exc))
            return
        if counter != self._counter:
            self.reload(counter)

    def reload(self, counter: int | None = None) -> None:
        from desk.services.audit import change_counter
        from desk.services.board import day_board

        desk = self._session.desk
        try:
            self._counter = counter if counter is not None else change_counter(desk)
            rows = day_board(desk, self._day)
        except DeskError as exc:
            self.notice.setText(str(exc))
            return
        self.notice.setText("")
        self.model.set_rows(rows)
        self._show_header()
        self.stack.setCurrentWidget(self.table if rows else self.empty)

    def _show_header(self) -> None:
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(self._day.year, self._day.month, self._day.day))
        self.date_edit.blockSignals(False)
        when = f"{self._day:%A} {self._day.day} {self._day:%B %Y}"
        today = self._today()
        relative = {today: "Today", today + timedelta(days=1): "Tomorrow",
                    today - timedelta(days=1): "Yesterday"}.get(self._day)
        self.title.setText(f"{relative} — {when}" if relative else when)
        self.empty.setText(f"No visits on {when}.")
        self.today_button.setEnabled(self._day != today)
