"""Date and time fields in the clinic's format that take typed input.

QTimeEdit's and QDateEdit's sections swallow typing ("10:00" typed over "09:00" became
":00"; "14/03/2027" became "14/11/00003/2027"), so both are line edits read by the
domain's parsers, with Up/Down still stepping them and a calendar button for dates.
A date field has no weekday part (Up on a weekday section moved whole weeks); the
weekday is written beside it instead.
"""

from __future__ import annotations

from datetime import date, time

from PySide6.QtCore import QDate, QEvent, QObject, QPoint, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QToolTip,
    QWidget,
    QWidgetAction,
)

from desk.domain.locale import date_placeholder, format_date, format_time, parse_time
from desk.domain.policy import ClinicPolicy
from desk.domain.search_query import parse_typed_date

Day = date  # inside DayField, its date() method hides the name "date"
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


class DayField(QWidget):
    """A day typed the clinic's way ("14/03/2027", "14/3/27", ISO) or picked from a
    calendar; Up/Down step a day. Keeps QDateEdit's ``date()``/``setDate()``/
    ``dateChanged`` so it drops in for one."""

    dateChanged = Signal(QDate)

    def __init__(self, day: date, policy: ClinicPolicy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._policy = policy
        self._date = QDate(day.year, day.month, day.day)
        self.problem = ""  # the sentence said about the last typing that was not a date
        self.edit = QLineEdit(maxLength=20)
        self.edit.setPlaceholderText(date_placeholder(policy.date_format))
        self.edit.setToolTip("Type a date, press Up and Down to step it, or pick it (F4).")
        self.edit.installEventFilter(self)
        self.edit.editingFinished.connect(self._read)
        self.setFocusProxy(self.edit)
        self.calendar = QCalendarWidget(self)  # Qt-owned from the start (the menu takes it)
        menu = QMenu(self)
        pick = QWidgetAction(menu)
        pick.setDefaultWidget(self.calendar)
        menu.addAction(pick)
        self.calendar.clicked.connect(self._picked)
        self.pick_button = QToolButton()
        self.pick_button.setText("▾")
        self.pick_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.pick_button.setMenu(menu)
        self.pick_button.setToolTip("Pick the day from a calendar")
        menu.aboutToShow.connect(lambda: self.calendar.setSelectedDate(self._date))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.edit, 1)
        row.addWidget(self.pick_button)
        self._show()

    def _picked(self, day: QDate) -> None:
        menu = self.pick_button.menu()
        if menu is not None:
            menu.hide()
        self.setDate(day)

    def date(self) -> QDate:
        self._read()
        return QDate(self._date)

    def setDate(self, value: QDate) -> None:
        changed = value != self._date
        self._date = QDate(value)
        self._show()
        if changed and not self.signalsBlocked():
            self.dateChanged.emit(QDate(self._date))

    def _day(self) -> Day:
        return Day(self._date.year(), self._date.month(), self._date.day())

    def _show(self) -> None:
        self.edit.setText(format_date(self._day(), self._policy))

    def _read(self) -> None:
        typed = self.edit.text()
        # Two-digit years are read within 50 years either side of this one.
        latest = Day(Day.today().year + 50, 12, 31)
        parsed = parse_typed_date(typed, self._policy, latest)
        if parsed is None:
            kept = format_date(self._day(), self._policy)
            self.problem = (f"“{typed.strip()}” is not a date; it stays {kept}." if typed.strip()
                            else f"A date is needed; it stays {kept}.")
            QToolTip.showText(self.edit.mapToGlobal(QPoint(0, self.height())), self.problem, self)
            self._show()
            return
        self.problem = ""
        self.setDate(QDate(parsed.year, parsed.month, parsed.day))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.edit:
            return super().eventFilter(watched, event)
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            steps = {Qt.Key.Key_Up: 1, Qt.Key.Key_Down: -1}.get(Qt.Key(event.key()))
            if steps is not None:
                self._read()
                self.setDate(self._date.addDays(steps))
                return True
            if event.key() == Qt.Key.Key_F4:
                self.pick_button.showMenu()
                return True
        if event.type() == QEvent.Type.FocusIn:
            # After QLineEdit's own focus handling, so a click does not undo the selection.
            QTimer.singleShot(0, self.edit.selectAll)
        return super().eventFilter(watched, event)


def with_weekday(editor: DayField) -> QWidget:
    """``editor`` with its weekday written beside it, kept up to date."""
    box = QWidget()
    box.setFocusProxy(editor)  # the row's label (Alt+its letter) reaches the date itself
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
