"""The day board: one day's visits with what blocks each, filters, and a live refresh.

The refresh polls the change counter off the UI thread and, when anything moved, reloads
the day in the same worker; the rows are then updated in place by visit id, so the
selection and the scroll position survive another desk's change. Only a new day (or a
day whose visits are mostly new) resets the model, in one go.

The model sorts and filters itself and keeps each row's cells ready, so a refresh and
its repaint do no per-cell Python work beyond a lookup.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk.domain.booking import next_open_day
from desk.domain.errors import DeskError
from desk.domain.locale import format_hours, format_long_date
from desk.domain.policy import ClinicPolicy
from desk.domain.visit_states import VisitState
from desk.services.board import Badge, BadgeLevel, BoardRow
from desk.ui.datetime_fields import DayField
from desk.ui.forms import named
from desk.ui.messages import error_text, show_error, show_message
from desk.ui.session import Session
from desk.ui.tablemodel import LONG_TEXT, WIDEST_COLUMN_PX
from desk.ui.tasks import run_in_background

log = logging.getLogger(__name__)

# The counter is one row read by primary key: polling it every second costs nothing,
# and a change shows within about a second (SQLite target 5 s, PostgreSQL 2 s).
REFRESH_MS = 1000
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class BoardColumn:
    header: str
    text: Callable[[BoardRow], str]
    tooltip: Callable[[BoardRow], str] | None = None
    sort_key: Callable[[BoardRow], Any] | None = None
    badge: Callable[[BoardRow], Badge] | None = None
    colour: Callable[[BoardRow], str | None] | None = None


_LEVEL_ORDER = {BadgeLevel.BLOCKED: 0, BadgeLevel.WARN: 1, BadgeLevel.NONE: 2, BadgeLevel.OK: 3}
_LEVEL_COLOURS = {BadgeLevel.OK: "#1b5e20", BadgeLevel.WARN: "#8a5300",
                  BadgeLevel.BLOCKED: "#b00020", BadgeLevel.NONE: "#666666"}
# Status backgrounds are a help, never the only sign: the status is also written out.
_STATUS_BACKGROUNDS = {
    VisitState.SCHEDULED: "#eef2f7", VisitState.ARRIVED: "#fff4cc",
    VisitState.PREP_CLEARED: "#e3f4e1", VisitState.INFUSING: "#d7e8fb",
    VisitState.RECOVERY: "#ece3f7", VisitState.DISCHARGED: "#eeeeee",
    VisitState.NO_SHOW: "#f9e0e3", VisitState.CANCELLED: "#eeeeee",
}
_STATUS_ORDER = {state: i for i, state in enumerate(VisitState)}
_BRUSHES: dict[str, QBrush] = {}


def brush(colour: str) -> QBrush:
    """One brush per colour for the whole session: data() is called for every cell."""
    if colour not in _BRUSHES:
        _BRUSHES[colour] = QBrush(QColor(colour))
    return _BRUSHES[colour]


def status_text(row: BoardRow) -> str:
    return f"{row.status_label} (late)" if row.late and row.status != "scheduled" else (
        row.status_label
    )


def notes_text(row: BoardRow) -> str:
    """Blocked by what, in words, then any series or booster warning."""
    parts = [f"⚠ {w}" for w in row.warnings]
    blocking = [name.lower() for name, badge in row.badges if badge.level is BadgeLevel.BLOCKED]
    if row.blocked:
        parts.insert(0, "✖ Blocked: " + ", ".join(blocking))
    return "  ".join(parts)


def _badge_column(header: str, pick: Callable[[BoardRow], Badge]) -> BoardColumn:
    return BoardColumn(
        header,
        lambda r: pick(r).label if pick(r).text else "",
        lambda r: pick(r).tooltip,
        lambda r: _LEVEL_ORDER[pick(r).level],
        pick,
    )


def board_columns(policy: ClinicPolicy) -> list[BoardColumn]:
    return [
        BoardColumn("Time", lambda r: format_hours(r.start, r.end, policy),
                    sort_key=lambda r: (r.start, r.chair or "")),
        BoardColumn("Patient", lambda r: r.patient_name,
                    tooltip=lambda r: "\n".join(r.blocked_reasons) or "Nothing blocks this visit."),
        BoardColumn("MRN", lambda r: r.mrn),
        BoardColumn("Visit", lambda r: r.visit_label or r.visit_type_label,
                    tooltip=lambda r: r.visit_type_label),
        BoardColumn("Chair", lambda r: r.chair or "—"),
        BoardColumn("Status", status_text,
                    tooltip=lambda r: "\n".join((r.status_label, *r.safety_notes)),
                    sort_key=lambda r: _STATUS_ORDER.get(VisitState(r.status), 99)),
        _badge_column("Candidacy", lambda r: r.candidacy),
        _badge_column("Consent", lambda r: r.consent),
        _badge_column("Prep", lambda r: r.prep),
        _badge_column("Transport", lambda r: r.transport),
        _badge_column("Vitals", lambda r: r.vitals),
        _badge_column("Safety", lambda r: r.safety),
        BoardColumn("Notes", notes_text,
                    tooltip=lambda r: "\n".join((*r.blocked_reasons, *r.warnings,
                                                   *r.safety_notes)),
                    colour=lambda r: _LEVEL_COLOURS[BadgeLevel.BLOCKED] if r.blocked else None),
    ]


OPEN = "open"  # the status filter for visits still to come or in the clinic
_CLOSED = frozenset({VisitState.DISCHARGED.value, VisitState.NO_SHOW.value,
                     VisitState.CANCELLED.value})
# The roles a cell answers, each a slot of a row's precomputed cells; any other role is None.
_ROLE_SLOTS = {
    Qt.ItemDataRole.DisplayRole.value: 0, Qt.ItemDataRole.ToolTipRole.value: 1,
    Qt.ItemDataRole.ForegroundRole.value: 2, Qt.ItemDataRole.BackgroundRole.value: 3,
}
Cells = tuple[tuple[Any, ...], ...]


class _Line:
    """One visit and, once the table first asks, its cells for every role and column."""

    __slots__ = ("cells", "row", "visit_id")

    def __init__(self, row: BoardRow) -> None:
        self.row = row
        self.visit_id = row.visit_id
        self.cells: Cells | None = None


def _long(text: str) -> str | None:
    return text if len(text) > LONG_TEXT else None


def _cells(row: BoardRow, columns: Sequence[BoardColumn], status_column: int) -> Cells:
    """Every cell of a row at once, so painting is a lookup and never a computation."""
    # One line a cell (a row is one line high); a long text's tooltip carries all of it.
    texts = tuple(column.text(row).replace("\n", " · ") for column in columns)
    tips = tuple(
        (column.tooltip(row) or None) if column.tooltip else _long(text)
        for column, text in zip(columns, texts, strict=True)
    )
    foregrounds = tuple(BoardModel.foreground(row, column) for column in columns)
    colour = _STATUS_BACKGROUNDS.get(VisitState(row.status))
    backgrounds = tuple(
        brush(colour) if colour and n == status_column else None for n in range(len(columns))
    )
    return texts, tips, foregrounds, backgrounds


class BoardModel(QAbstractTableModel):
    """The visits of one day, filtered and sorted here (no proxy: a proxy costs more than
    the whole table). ``apply`` updates rows in place by visit id, or resets when the day
    or most of its visits changed."""

    def __init__(self, policy: ClinicPolicy) -> None:
        super().__init__()
        self._columns = board_columns(policy)
        self._all: list[_Line] = []  # every visit, in the service's order
        self._shown: list[_Line] = []  # the visits that pass the filter, sorted
        self.status_column = [c.header for c in self._columns].index("Status")
        self._sort_column = 0
        self._descending = False
        self.status = ""  # "" all, OPEN, or one VisitState value
        self.chair = ""
        self.blocked_only = False

    def rows(self) -> list[BoardRow]:
        """Every visit of the day, shown or filtered out."""
        return [line.row for line in self._all]

    def row_at(self, row: int) -> BoardRow:
        """The visit on a table row (as shown: filtered and sorted)."""
        return self._shown[row].row

    def set_rows(self, rows: Sequence[BoardRow]) -> None:
        self.apply(rows)

    def apply(self, rows: Sequence[BoardRow], *, reset: bool = False) -> None:
        """Make the model hold ``rows``: in place by visit id, so a live refresh keeps the
        selection; one reset when asked (a new day) or when most visits are new."""
        held = {line.visit_id: line for line in self._all}
        lines, changed = [], set()
        for row in rows:
            line = held.get(row.visit_id)
            if line is None or (line.row is not row and line.row != row):
                if line is not None:
                    changed.add(row.visit_id)
                line = _Line(row)
            lines.append(line)
        kept = sum(1 for row in rows if row.visit_id in held)
        self._all = lines
        shown = self._arrange()
        if reset or kept * 2 < max(len(held), len(rows)):
            self.beginResetModel()
            self._shown = shown
            self.endResetModel()
        else:
            self._morph(shown, changed)

    def set_filter(self, *, status: str, chair: str, blocked_only: bool) -> None:
        self.status, self.chair, self.blocked_only = status, chair, blocked_only
        self._morph(self._arrange(), set())

    def _accepts(self, row: BoardRow) -> bool:
        if self.blocked_only and not row.blocked:
            return False
        if self.chair and row.chair != self.chair:
            return False
        if self.status == OPEN:
            return row.status not in _CLOSED
        return not self.status or row.status == self.status

    def _arrange(self) -> list[_Line]:
        """The lines to show: filtered, then sorted (stable: ties keep the day's order)."""
        column = self._columns[self._sort_column]
        shown = [line for line in self._all if self._accepts(line.row)]
        if column.sort_key is not None:
            key = column.sort_key
            return sorted(shown, key=lambda line: key(line.row), reverse=self._descending)
        text = column.text
        return sorted(shown, key=lambda line: text(line.row).casefold(),
                      reverse=self._descending)

    def _morph(self, shown: list[_Line], changed: set[int]) -> None:
        """Turn the shown rows into ``shown`` with removes, one re-order and inserts, so
        the view keeps its selection and scroll position."""
        wanted = {line.visit_id for line in shown}
        self._remove_unwanted(wanted)
        kept = {line.visit_id for line in self._shown}
        self._reorder([line for line in shown if line.visit_id in kept])
        self._insert_new(shown, kept)
        moved = [n for n, line in enumerate(self._shown) if line.visit_id in changed]
        if moved:
            last = self.columnCount() - 1
            self.dataChanged.emit(self.index(min(moved), 0), self.index(max(moved), last))

    def _remove_unwanted(self, wanted: set[int]) -> None:
        end = len(self._shown) - 1
        while end >= 0:
            if self._shown[end].visit_id in wanted:
                end -= 1
                continue
            start = end
            while start > 0 and self._shown[start - 1].visit_id not in wanted:
                start -= 1
            self.beginRemoveRows(QModelIndex(), start, end)
            del self._shown[start:end + 1]
            self.endRemoveRows()
            end = start - 1

    def _reorder(self, target: list[_Line]) -> None:
        """Take the (possibly updated) lines of the same visits; re-order them if needed."""
        if [line.visit_id for line in target] == [line.visit_id for line in self._shown]:
            self._shown = target
            return
        self.layoutAboutToBeChanged.emit()
        position = {line.visit_id: n for n, line in enumerate(target)}
        before = self.persistentIndexList()
        after = [self.index(position[self._shown[i.row()].visit_id], i.column()) for i in before]
        self._shown = target
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def _insert_new(self, shown: list[_Line], kept: set[int]) -> None:
        n = 0
        while n < len(shown):
            if shown[n].visit_id in kept:
                n += 1
                continue
            end = n
            while end < len(shown) and shown[end].visit_id not in kept:
                end += 1
            self.beginInsertRows(QModelIndex(), n, end - 1)
            self._shown[n:n] = shown[n:end]
            self.endInsertRows()
            n = end

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column = column if 0 <= column < len(self._columns) else 0
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._reorder(self._arrange())

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        slot = _ROLE_SLOTS.get(role)
        row = index.row()  # -1 for an invalid index: cheaper than isValid() on every cell
        if slot is None or row < 0:
            return None
        line = self._shown[row]
        cells = line.cells
        if cells is None:
            cells = line.cells = _cells(line.row, self._columns, self.status_column)
        return cells[slot][index.column()]

    @staticmethod
    def foreground(row: BoardRow, column: BoardColumn) -> QBrush | None:
        if column.badge is not None:
            return brush(_LEVEL_COLOURS[column.badge(row).level])
        colour = column.colour(row) if column.colour else None
        return brush(colour) if colour else None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._columns[section].header
        return None


class DayBoard(QWidget):
    """Shows one local day; follows 'today' across midnight until another day is picked."""

    visit_opened = Signal(int)
    patient_wanted = Signal()  # "book for whom?": the main window opens Find patient

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._counter: int | None = None
        self._generation = 0  # only the newest load may fill the table
        self._pending = 0
        self._shown_once = False
        self._sized_for: date | None = None
        self._rows_day: date | None = None  # the day the model's rows belong to
        self._day = self._open_today()
        self._follow_today = True
        self.model = BoardModel(session.policy)
        self._build()
        self._build_actions()
        self.refresh_timer = QTimer(self, interval=REFRESH_MS)
        self.refresh_timer.timeout.connect(self.poll)
        self.refresh_timer.start()
        self.reload()

    # --- layout ---------------------------------------------------------------------

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
        self.date_edit = named(DayField(self._day, self._session.policy), "boardDate")
        self.title = named(QLabel(""), "boardTitle")
        self.title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.notice = named(QLabel(""), "boardNotice")
        self.table = named(QTableView(), "boardTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        # Sized to the contents when a day is first shown, not on every refresh: measuring
        # every cell of 200 rows each second would cost more than the refresh itself.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setMaximumSectionSize(WIDEST_COLUMN_PX)
        self.table.setWordWrap(False)
        self.table.activated.connect(lambda _index: self.open_visit())
        self.empty = named(QLabel("", alignment=Qt.AlignmentFlag.AlignCenter), "boardEmpty")
        self.empty.setStyleSheet("font-size: 14pt; color: #666;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.addLayout(self._day_bar())
        layout.addLayout(self._filter_bar())
        layout.addWidget(self.stack, 1)
        self.previous_button.clicked.connect(lambda: self.show_day(self._day - timedelta(days=1)))
        self.next_button.clicked.connect(lambda: self.show_day(self._day + timedelta(days=1)))
        self.today_button.clicked.connect(lambda: self.show_day(self._open_today()))
        self.date_edit.dateChanged.connect(
            lambda d: self.show_day(date(d.year(), d.month(), d.day()))
        )

    def _day_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        for widget in (self.previous_button, self.date_edit, self.next_button, self.today_button):
            bar.addWidget(widget)
        bar.addSpacing(16)
        bar.addWidget(self.title, 1)
        bar.addWidget(self.notice)
        return bar

    def _filter_bar(self) -> QHBoxLayout:
        self.status_filter = named(QComboBox(), "statusFilter")
        self.status_filter.addItem("All statuses", "")
        self.status_filter.addItem("Still open", OPEN)
        for state in VisitState:
            self.status_filter.addItem(state.label, state.value)
        self.chair_filter = named(QComboBox(), "chairFilter")
        self.chair_filter.addItem("All chairs", "")
        for chair in self._session.policy.chairs:
            self.chair_filter.addItem(chair, chair)
        self.blocked_only = named(QCheckBox("&Blocked only"), "blockedOnly")
        self.counts = named(QLabel(""), "boardCounts")
        status_label = QLabel("&Status")
        status_label.setBuddy(self.status_filter)
        chair_label = QLabel("Cha&ir")
        chair_label.setBuddy(self.chair_filter)
        bar = QHBoxLayout()
        for widget in (status_label, self.status_filter, chair_label, self.chair_filter,
                       self.blocked_only):
            bar.addWidget(widget)
        bar.addStretch()
        bar.addWidget(self.counts)
        self.status_filter.currentIndexChanged.connect(self._filter_changed)
        self.chair_filter.currentIndexChanged.connect(self._filter_changed)
        self.blocked_only.toggled.connect(self._filter_changed)
        return bar

    def _build_actions(self) -> None:
        """Visit actions with shortcuts that work wherever the focus is on the board."""
        from desk.ui import visit_actions

        def action(text: str, shortcut: str, slot: Callable[[], object]) -> QAction:
            act = QAction(text, self)
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(lambda _checked=False: slot())
            self.addAction(act)
            return act

        self.open_action = action("&Open visit…", "Ctrl+O", self.open_visit)
        self.check_in_action = action("Check &in…", "Ctrl+I", self.check_in)
        self.book_action = action("&Book a visit…", "Ctrl+B", self.book_visit)
        self.series_action = action("Book a &series…", "Ctrl+Shift+B", self.book_series)
        self.move_action = action("&Move visit…", "Ctrl+M",
                                  lambda: self.visit_action("reschedule"))
        self.cancel_action = action("&Cancel visit…", "Ctrl+Shift+X",
                                    lambda: self.visit_action("cancel"))
        self.no_show_action = action("Mark &no-show…", "Ctrl+Shift+N",
                                     lambda: self.visit_action("no_show"))
        self.reinstate_action = action("R&einstate visit…", "Ctrl+Shift+E",
                                       lambda: self.visit_action("reinstate"))
        self.call_list_action = action("Tomorrow's &call list…", "Ctrl+Shift+L",
                                       self.open_call_list)
        self.refresh_action = action("&Refresh", "F5", lambda: self.reload())
        self.blocked_action = action("Show &blocked only", "Ctrl+Shift+K",
                                     self.blocked_only.toggle)
        self.visit_actions = visit_actions

    def menu_actions(self) -> list[QAction | None]:
        """The board's actions for a "Visit" menu; None marks a separator."""
        return [
            self.open_action, self.check_in_action, None,
            self.book_action, self.series_action, self.move_action, self.cancel_action,
            self.no_show_action, self.reinstate_action, None, self.call_list_action,
            self.blocked_action, self.refresh_action,
        ]

    # --- days and loading -------------------------------------------------------------

    @property
    def day(self) -> date:
        return self._day

    def _today(self) -> date:
        return self._session.desk.now().astimezone().date()

    def _open_today(self) -> date:
        """Today, or on a day the clinic is closed the next day it opens."""
        return next_open_day(self._today(), self._session.policy)

    def show_day(self, day: date) -> None:
        if day == self._day and self._counter is not None:
            return
        changed = day != self._day
        self._day = day
        self._follow_today = day == self._open_today()
        self.reload()
        if changed and self.loading:
            # Never one day's visits under another day's title, even for a moment.
            self.model.apply([], reset=True)
            self._rows_day = None
            self.empty.setText("Loading…")
            self.stack.setCurrentWidget(self.empty)

    def set_active(self, active: bool) -> None:
        """Stop polling while nobody can see the board (the screen is locked)."""
        if active:
            self.refresh_timer.start()
            self.poll()
        else:
            self.refresh_timer.stop()

    @property
    def loading(self) -> bool:
        """Whether a load is still out in a worker."""
        return self._pending > 0

    def poll(self) -> None:
        """Reload in a worker when the change counter moved (or the day rolled over)."""
        if self.loading:
            return  # the previous load is still out (a slow network): don't pile up
        if self._follow_today and self._day != self._open_today():
            self.show_day(self._open_today())
            return
        self._load(only_if_changed=True)

    def reload(self, counter: int | None = None) -> None:
        """Load the day (a person asked: a new day, Today, F5, after a save).

        The first load happens at once, so the board opens with its rows; later ones run
        in a worker, so a slow query never freezes the window.
        """
        del counter  # kept for callers of the first board; the worker reads it afresh
        self._show_header()
        if self._counter is None and not self._shown_once:
            self._load_now()
        else:
            self._load(only_if_changed=False)

    def _load_now(self) -> None:
        from desk.services.audit import change_counter
        from desk.services.board import day_board

        desk = self._session.desk
        try:
            counter, rows = change_counter(desk), day_board(desk, self._day)
        except DeskError as exc:
            self.notice.setText(str(exc))
            return
        self._apply_loaded(counter, rows)

    def _load(self, *, only_if_changed: bool) -> None:
        from desk.services.audit import change_counter
        from desk.services.board import day_board

        self._generation += 1
        generation, desk, day = self._generation, self._session.desk, self._day
        known = self._counter if only_if_changed else None

        def work() -> tuple[int, list[BoardRow] | None]:
            counter = change_counter(desk)
            return counter, (day_board(desk, day) if counter != known else None)

        self._pending += 1
        run_in_background(self, work, lambda result: self._loaded(generation, result),
                          self._failed)

    def _loaded(self, generation: int, result: tuple[int, list[BoardRow] | None]) -> None:
        self._pending = max(self._pending - 1, 0)
        counter, rows = result
        if generation == self._generation and rows is not None:
            self._apply_loaded(counter, rows)
        # else a newer load was asked for meanwhile, or nothing changed

    def _apply_loaded(self, counter: int, rows: list[BoardRow]) -> None:
        self._counter = counter
        self._shown_once = True
        self.notice.setText("")
        self._show_header()
        self._show(rows)
        if rows and self._sized_for != self._day:
            self._sized_for = self._day
            self.table.resizeColumnsToContents()

    def _failed(self, error: BaseException) -> None:
        self._pending = max(self._pending - 1, 0)
        self.notice.setText(error_text(error))

    def _show(self, rows: list[BoardRow]) -> None:
        self.model.apply(rows, reset=self._rows_day != self._day)
        self._rows_day = self._day
        self.stack.setCurrentWidget(self.table if rows else self.empty)
        self._show_counts()

    def _filter_changed(self) -> None:
        self.model.set_filter(
            status=str(self.status_filter.currentData() or ""),
            chair=str(self.chair_filter.currentData() or ""),
            blocked_only=self.blocked_only.isChecked(),
        )
        self._show_counts()

    def _show_counts(self) -> None:
        rows = self.model.rows()
        blocked = sum(1 for r in rows if r.blocked)
        shown = self.model.rowCount()
        text = f"{len(rows)} visits · {blocked} blocked"
        self.counts.setText(text if shown == len(rows) else f"{text} · {shown} shown")

    def _show_header(self) -> None:
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(self._day.year, self._day.month, self._day.day))
        self.date_edit.blockSignals(False)
        when = format_long_date(self._day, self._session.policy)
        today = self._today()
        relative = {today: "Today", today + timedelta(days=1): "Tomorrow",
                    today - timedelta(days=1): "Yesterday"}.get(self._day)
        self.title.setText(f"{relative} — {when}" if relative else when)
        self.empty.setText(f"No visits on {when}.")
        self.today_button.setEnabled(self._day != self._open_today())
        if self._day != today and self._day == self._open_today():
            self.notice.setText(f"The clinic is closed today ({today:%A}); "
                                "showing the next open day.")

    # --- the selected visit -------------------------------------------------------------

    def selected(self) -> BoardRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(rows[0].row())

    def select_visit(self, visit_id: int) -> bool:
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).visit_id == visit_id:
                self.table.selectRow(row)
                return True
        return False

    def _need_selection(self) -> BoardRow | None:
        row = self.selected()
        if row is None:
            self.notice.setText("Select a visit first.")
        return row

    def _after_save(self, _result: object) -> None:
        self.reload()

    def _opened(self, dialog: QWidget) -> None:
        saved = getattr(dialog, "saved", None)
        if saved is not None:
            saved.connect(self._after_save)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        dialog.raise_()

    def open_visit(self) -> None:
        row = self._need_selection()
        if row is not None:
            self.visit_opened.emit(row.visit_id)
            actions = [self.check_in_action, self.move_action, self.cancel_action,
                       self.no_show_action, self.reinstate_action, self.book_action,
                       self.series_action]
            self._opened(self.visit_actions.VisitPanel(self._session, row, actions, self))

    def check_in(self) -> None:
        from desk.ui.checkin import open_check_in

        row = self._need_selection()
        if row is None:
            return
        try:
            self._opened(open_check_in(self._session, row.visit_id, self))
        except DeskError as exc:
            show_error(self, exc)

    def visit_action(self, action: str) -> None:
        from desk.services.booking import get_visit

        row = self._need_selection()
        if row is None:
            return
        try:
            visit = get_visit(self._session.desk, row.visit_id)
        except DeskError as exc:
            show_error(self, exc)
            return
        refusal = self.visit_actions.refusal(self._session, visit, action)
        if refusal:  # said before the form is filled, not after
            show_message(self, refusal, "Not possible for this visit")
            return
        self._opened(self.visit_actions.VisitActionDialog(self._session, visit, action, self))

    def _booking_patient(self) -> int | None:
        """The selected visit's patient; with none selected, Find patient opens to choose."""
        row = self.selected()
        if row is None:
            self.notice.setText("Find the patient to book for: the buttons below the results book.")
            self.patient_wanted.emit()
            return None
        return row.patient_id

    def book_visit(self) -> None:
        from desk.ui.booking import BookVisitDialog

        patient_id = self._booking_patient()
        if patient_id is not None:
            self._opened(BookVisitDialog(self._session, patient_id, None, self))

    def book_series(self) -> None:
        from desk.ui.booking import SeriesBookingDialog

        patient_id = self._booking_patient()
        if patient_id is not None:
            self._opened(SeriesBookingDialog(self._session, patient_id, None, self))

    def open_call_list(self) -> None:
        from desk.ui.call_list import CallListDialog

        self._opened(CallListDialog(self._session, None, self))
