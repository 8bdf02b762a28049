"""A read-only Qt table model over a list of records, described by its columns, and how
its views size their columns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QTableView

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex

# A text this long may be elided in its column, so its tooltip carries all of it.
LONG_TEXT = 40
# No column wider than this: one pasted 500-character name must not push MRN and date
# of birth off the screen.
WIDEST_COLUMN_PX = 320


def fit_columns(view: QTableView, widest: int = WIDEST_COLUMN_PX) -> None:
    """Columns as wide as their contents up to ``widest`` (longer texts end in "…"),
    measured once each time the rows change: ResizeToContents measured every cell again
    on each selection and repaint, most of a keystroke's time in Find."""
    header = view.horizontalHeader()
    header.setMaximumSectionSize(widest)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setWordWrap(False)
    model = view.model()
    model.modelReset.connect(view.resizeColumnsToContents)
    model.layoutChanged.connect(view.resizeColumnsToContents)
    view.resizeColumnsToContents()


@dataclass(frozen=True)
class Column(Generic[R]):
    header: str
    text: Callable[[R], str]
    tooltip: Callable[[R], str] | None = None
    foreground: Callable[[R], str | None] | None = None  # a colour name, or None for default


_ANSWERED = frozenset({
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole,
})


class RecordTableModel(QAbstractTableModel, Generic[R]):
    """Rows are records (dataclasses); each column says how to show one."""

    def __init__(self, columns: Sequence[Column[R]]) -> None:
        super().__init__()
        self._columns = list(columns)
        self._rows: list[R] = []
        # A row's texts, made on its first paint: Qt asks for each cell many times (every
        # paint, every column measurement), and a text made once is then a lookup.
        self._texts: list[tuple[str, ...] | None] = []

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = [None] * len(self._rows)
        self.endResetModel()

    def _row_texts(self, row: int) -> tuple[str, ...]:
        texts = self._texts[row]
        if texts is None:
            record = self._rows[row]
            texts = self._texts[row] = tuple(c.text(record) for c in self._columns)
        return texts

    def rows(self) -> list[R]:
        return list(self._rows)

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The role first: most of Qt's questions (font, alignment, icon…) are answered
        # "nothing" without touching the row.
        if role not in _ANSWERED or not index.isValid():
            return None
        row, number = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._row_texts(row)[number]
        column = self._columns[number]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.tooltip is not None:
                return column.tooltip(self._rows[row])
            text = self._row_texts(row)[number]
            return text if len(text) > LONG_TEXT else None
        if column.foreground is not None:
            colour = column.foreground(self._rows[row])
            return QColor(colour) if colour else None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._columns[section].header
        return None
