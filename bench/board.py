"""Figure: the day board's refresh with 200 visits, through its own Qt model and table.

One refresh is what the live board does when something changed: the model takes the new
rows (two versions of the day in turns, every status different), the event loop runs
until idle (delayed layout, column sizing, the paint it asks for) and the table is
repainted once more synchronously, so a paint is always included.
The baseline does exactly that with a bare ``QAbstractTableModel`` of the same size and
the same texts in a default ``QTableView`` of the same size, in the same process.

The notes also time the day's query (``day_board``), which the board runs in a worker
thread after a poll finds a change: it adds to how soon a change shows, not to a freeze.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import QApplication, QTableView, QWidget

from bench.clinic import Clinic, signed_in
from bench.harness import Figure, Scale, median, sample_ms, summary_ms
from desk.domain.policy import ClinicPolicy
from desk.domain.visit_states import VisitState
from desk.services.board import BoardRow, day_board
from desk.services.context import Desk
from desk.services.database import open_database
from desk.services.settings import clinic_info
from desk.ui.board import DayBoard, board_columns
from desk.ui.session import Session

TARGET_RATIO = 1.5
REPEATS = 60


class BareModel(QAbstractTableModel):
    """The least a table model can do: strings from a list of tuples."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[tuple[str, ...]] = []
        self._columns = 0

    def reset(self, rows: list[tuple[str, ...]], columns: int) -> None:
        self.beginResetModel()
        self._rows, self._columns = rows, columns
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._columns

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._rows[index.row()][index.column()]
        return None


def app() -> QApplication:
    existing = QApplication.instance()
    return existing if isinstance(existing, QApplication) else QApplication([])


def refresh(qt: QApplication, reset: Callable[[], object], view: QWidget) -> Callable[[], None]:
    """One refresh as the live board does it: reset, event loop until idle, one repaint."""

    def run() -> None:
        reset()
        qt.processEvents()
        view.repaint()

    return run


def settle(qt: QApplication, board: DayBoard, timeout: float = 60.0) -> None:
    """Let the board finish the loads it started (it loads in a worker after the first)."""
    deadline = time.monotonic() + timeout
    qt.processEvents()
    while getattr(board, "loading", False) and time.monotonic() < deadline:
        qt.processEvents()
        time.sleep(0.005)
    qt.processEvents()


def _moved_on(row: BoardRow) -> BoardRow:
    """The same visit one state further (scheduled → arrived, anything else → scheduled)."""
    scheduled = row.status == VisitState.SCHEDULED.value
    status = VisitState.ARRIVED if scheduled else VisitState.SCHEDULED
    return replace(row, status=status.value, status_label=status.label)


def _texts(rows: list[BoardRow], policy: ClinicPolicy) -> list[tuple[str, ...]]:
    columns = board_columns(policy)
    return [tuple(column.text(row) for column in columns) for row in rows]


def measure(clinic: Clinic, scale: Scale) -> list[Figure]:
    qt = app()
    engine = open_database(clinic.url)
    try:
        desk = signed_in(Desk(engine, workstation="bench"))
        session = Session(desk, clinic_info(desk), clinic.url)
        return _measure(qt, session, clinic, scale)
    finally:
        engine.dispose()


def _alternating(
    qt: QApplication, versions: list[Any], update: Callable[[Any], object], view: QWidget,
    repeats: int,
) -> list[float]:
    """Refresh times while ``update`` gets the versions in turns."""
    turn = itertools.cycle(versions)
    return sample_ms(refresh(qt, lambda: update(next(turn)), view), repeats)


def _bare_view(size: QSize, proxy: bool) -> tuple[BareModel, QTableView]:
    model, view = BareModel(), QTableView()
    if proxy:  # what a sorting board pays for QSortFilterProxyModel alone
        sorter = QSortFilterProxyModel(view)
        sorter.setSourceModel(model)
        view.setModel(sorter)
        view.setSortingEnabled(True)
        view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    else:
        view.setModel(model)
    view.resize(size)
    view.show()
    return model, view


def _measure(qt: QApplication, session: Session, clinic: Clinic, scale: Scale) -> list[Figure]:
    repeats = scale.repeats(REPEATS, 5)
    board = DayBoard(session)
    board.refresh_timer.stop()  # timed refreshes only
    board.resize(1100, 640)
    board.show()
    board.show_day(clinic.bench_day)
    settle(qt, board)
    rows = day_board(session.desk, clinic.bench_day)
    # The figure: 200 visits through the model in place of 200 others (the next day);
    # the notes: a poll where every visit changed state, and one where one visit did.
    other_day = [replace(row, visit_id=row.visit_id + 10**9) for row in rows]
    all_moved = [_moved_on(row) for row in rows]
    one_moved = [_moved_on(row) if i == len(rows) // 2 else row for i, row in enumerate(rows)]
    update, table = board.model.set_rows, board.table
    desk_ms = _alternating(qt, [rows, other_day], update, table, repeats)
    all_ms = _alternating(qt, [rows, all_moved], update, table, repeats)
    one_ms = _alternating(qt, [rows, one_moved], update, table, repeats)
    query_ms = sample_ms(lambda: day_board(session.desk, clinic.bench_day), repeats)

    columns = board.model.columnCount()
    texts = [_texts(version, session.policy) for version in (rows, other_day)]
    timings = []
    for proxy in (False, True):
        model, view = _bare_view(table.size(), proxy)

        def reset(version: list[tuple[str, ...]], model: BareModel = model) -> None:
            model.reset(version, columns)

        timings.append(_alternating(qt, texts, reset, view, repeats))
        view.close()
        view.deleteLater()
    bare_ms, proxy_ms = timings
    board.close()
    board.deleteLater()
    qt.processEvents()

    value, baseline = median(desk_ms), median(bare_ms)
    return [
        Figure(
            name="board_refresh",
            unit="ms",
            value=value,
            baseline=baseline,
            target=f"ratio <= {TARGET_RATIO}",
            passed=baseline > 0 and value / baseline <= TARGET_RATIO,
            notes={
                "rows": len(rows),
                "columns": columns,
                "patients": clinic.patients,
                "board_new_day_ms": summary_ms(desk_ms),
                "bare_reset_ms": summary_ms(bare_ms),
                "bare_reset_sorted_proxy_ms": summary_ms(proxy_ms),
                "poll_all_changed_ms": summary_ms(all_ms),
                "poll_one_changed_ms": summary_ms(one_ms),
                "day_query_ms": summary_ms(query_ms),
                "how": "update + event loop until idle + one repaint, median; day_query is "
                       "the worker thread's part of a reload",
            },
        )
    ]
