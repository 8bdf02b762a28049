"""Date and time fields in the clinic's format that take typed input.

QTimeEdit's sections swallow typing ("10:00" typed over "09:00" became ":00"), so a time
is a line edit read by the domain's ``parse_time``, with Up/Down still stepping it. Dates
stay QDateEdit (its calendar is useful) in the clinic's order without a weekday section
(Up on a weekday section moved whole weeks); the weekday is shown beside the field.
"""

from __future__ import annotations

from datetime import date, time

from PySide6.QtCore import QDate, QPoint, Qt, QTime, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLabel, QLineEdit, QToolTip, QWidget

from desk.domain.locale import format_time, parse_time, qt_date_format
from desk.domain.policy import ClinicPolicy

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class TimeField(QLineEdit):
    """A time typed either way ("10:00", "1000", "2:30 pm"), shown on the clinic's clock.

    Keeps QTimeEdit's ``time()``/``setTime()``/``timeChanged`` so it drops in for one.
    """

    timeChanged = Signal(QTime)

    def __init__(
        self, value: QTime, policy: ClinicPolicy, step_minutes: int = 5,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._policy = policy
        self._step = step_minutes
        self._time = QTime(value.hour(), value.minute())
        self.problem = ""  # the sentence said about the last typing that was not a time
        self.setMaxLength(12)
        self.setToolTip("Type a time, or press Up and Down to step it.")
        self._show()
        self.editingFinished.connect(self._read)

    def time(self) -> QTime:
        self._read()
        return QTime(self._time)

    def setTime(self, value: QTime) -> None:
        changed = value.hour() != self._time.hour() or value.minute() != self._time.minute()
        self._time = QTime(value.hour(), value.minute())
        self._show()
        if changed:
            self.timeChanged.emit(QTime(self._time))

    def _show(self) -> None:
        moment = time(self._time.hour(), self._time.minute())
        self.setText(format_time(moment, self._policy))

    def _read(self) -> None:
        typed = self.text()
        parsed = parse_time(typed)
        if parsed is None:
            shown = format_time(time(self._time.hour(), self._time.minute()), self._policy)
            self.problem = f"“{typed.strip()}” is not a time; it stays {shown}."
            QToolTip.showText(self.mapToGlobal(QPoint(0, self.height())), self.problem, self)
            self._show()
            return
        self.problem = ""
        self.setTime(QTime(parsed.hour, parsed.minute))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        steps = {Qt.Key.Key_Up: 1, Qt.Key.Key_Down: -1}.get(Qt.Key(event.key()))
        if steps is None:
            super().keyPressEvent(event)
            return
        self._read()
        self.setTime(self._time.addSecs(steps * self._step * 60))

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.selectAll()  # typing replaces the time instead of being mixed into it


def date_field(day: date, policy: ClinicPolicy) -> QDateEdit:
    """A date field in the clinic's order with a calendar; no weekday section (see above)."""
    editor = QDateEdit(QDate(day.year, day.month, day.day))
    editor.setCalendarPopup(True)
    editor.setDisplayFormat(qt_date_format(policy.date_format))
    return editor


def with_weekday(editor: QDateEdit) -> QWidget:
    """``editor`` with its weekday written beside it, kept up to date."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    weekday = QLabel()
    weekday.setObjectName(f"{editor.objectName() or 'date'}Weekday")
    weekday.setMinimumWidth(weekday.fontMetrics().horizontalAdvance("Wednesday") + 8)

    def show(value: QDate) -> None:
        weekday.setText(_WEEKDAY_NAMES[value.dayOfWeek() - 1])

    editor.dateChanged.connect(show)
    show(editor.date())
    row.addWidget(editor)
    row.addWidget(weekday)
    row.addStretch()
    return box
