"""Cancel, mark no-show or move a visit, each with a reason from a pick list plus text.

``ServiceDialog`` is the small base the visit dialogs share: the save runs off the UI
thread, the button waits meanwhile, and a refusal is one sentence in the dialog (for a
conflicting edit, who changed the visit and what it looks like now).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QTime, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import StaleEdit
from desk.domain.locale import format_day, format_hours
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.services import booking
from desk.services.booking import VisitReason, VisitView
from desk.ui.datetime_fields import DayField, TimeField, with_weekday
from desk.ui.forms import error_line, named
from desk.ui.messages import error_text
from desk.ui.session import Session
from desk.ui.tasks import run_in_background

if TYPE_CHECKING:
    from desk.services.board import BoardRow

MAX_NOTE = 1000


def when_text(start: datetime, end: datetime, policy: ClinicPolicy) -> str:
    """"Mon 30/11/2026 10:00–12:00": a visit's day and hours, the clinic's way."""
    return f"{format_day(start.date(), policy)} {format_hours(start, end, policy)}"


def stale_text(error: StaleEdit) -> str:
    """The refusal sentence with the visit's current values under it."""
    values = "\n".join(f"Now {key}: {value}" for key, value in error.current.items())
    return f"{error}\n{values}" if values else str(error)


class ServiceDialog(QDialog):
    """A dialog whose OK button runs one service call in the background."""

    saved = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.error = error_line("visitError")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.rejected.connect(self.reject)

    def add_ok(self, text: str, slot: Callable[[], None]) -> QPushButton:
        button = named(QPushButton(text), "okButton")
        self.buttons.addButton(button, QDialogButtonBox.ButtonRole.AcceptRole)
        # Only now is the button inside the dialog: Enter must save, never cancel.
        button.setDefault(True)
        button.clicked.connect(slot)
        self.ok_button = button
        return button

    def submit(self, work: Callable[[], Any]) -> None:
        self.ok_button.setEnabled(False)
        self.error.setText("")
        run_in_background(self, work, self._done, self.failed)

    def _done(self, result: object) -> None:
        self.ok_button.setEnabled(True)
        self.saved.emit(result)
        self.accept()

    def failed(self, error: BaseException) -> None:
        self.ok_button.setEnabled(True)
        self.error.setText(stale_text(error) if isinstance(error, StaleEdit) else error_text(error))


def picked(date_edit: DayField, time_edit: TimeField) -> datetime:
    """The naive local date and time shown in two editors."""
    d, t = date_edit.date(), time_edit.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def reason_picker(choices: Sequence[tuple[str, str]]) -> QComboBox:
    combo = named(QComboBox(), "reasonCombo")
    combo.addItem("Choose a reason…", "")
    for code, label in choices:
        combo.addItem(label, code)
    return combo


_ACTIONS: dict[str, tuple[str, str, Sequence[tuple[str, str]]]] = {
    "cancel": ("Cancel visit", "Cancel &visit", booking.CANCEL_REASONS),
    "no_show": ("Mark as no-show", "Mark &no-show", booking.NO_SHOW_REASONS),
    "reschedule": ("Move visit", "&Move visit", booking.RESCHEDULE_REASONS),
}


class VisitActionDialog(ServiceDialog):
    """Cancel / no-show / reschedule one visit; ``saved`` carries the new VisitView."""

    required_roles = frozenset({Role.RECEPTIONIST, Role.ADMIN, Role.NURSE})

    def __init__(
        self, session: Session, visit: VisitView, action: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, parent)
        title, button, choices = _ACTIONS[action]
        self.setWindowTitle(title)
        self.visit = visit
        self.action = action
        self.reason = reason_picker(choices)
        self.note = named(QLineEdit(maxLength=MAX_NOTE), "reasonNote")
        self.note.setPlaceholderText("More detail (required for Other)")
        form = QFormLayout()
        form.addRow(QLabel(f"<b>{visit.label}</b> · MRN {visit.mrn}<br>"
                           f"{when_text(visit.start, visit.end, session.policy)} · "
                           f"{visit.chair or 'no chair'}"))
        if action == "reschedule":
            self._add_move_fields(form)
        form.addRow("&Reason", self.reason)
        form.addRow("N&ote", self.note)
        self.add_ok(button, self._save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _add_move_fields(self, form: QFormLayout) -> None:
        start = self.visit.start
        policy = self.session.policy
        self.date_edit = named(DayField(start.date(), policy), "moveDate")
        self.time_edit = named(
            TimeField(QTime(start.hour, start.minute), policy, policy.booking_step_minutes),
            "moveTime",
        )
        self.chair = named(QComboBox(), "moveChair")
        if not self.visit.visit_type.needs_chair:
            self.chair.addItem("No chair", None)
        for chair in self.session.policy.chairs:
            self.chair.addItem(chair, chair)
        index = self.chair.findData(self.visit.chair)
        self.chair.setCurrentIndex(max(index, 0))
        form.addRow("New &date", with_weekday(self.date_edit))
        form.addRow("New &time", self.time_edit)
        form.addRow("C&hair", self.chair)

    def _save(self) -> None:
        reason = VisitReason(str(self.reason.currentData() or ""), self.note.text())
        desk, visit = self.session.desk, self.visit
        if self.action == "cancel":
            self.submit(lambda: booking.cancel_visit(
                desk, visit.id, reason, expected_version=visit.version))
        elif self.action == "no_show":
            self.submit(lambda: booking.mark_no_show(
                desk, visit.id, reason, expected_version=visit.version))
        else:
            start = picked(self.date_edit, self.time_edit)
            chair = self.chair.currentData()
            self.submit(lambda: booking.reschedule_visit(
                desk, visit.id, start, chair, reason, expected_version=visit.version))


class VisitPanel(QDialog):
    """Enter on the board: the visit, every badge spelled out, and what can be done next.

    The badges' reasons are written here in full, not only in tooltips, so the panel is
    the keyboard user's way to read them.
    """

    def __init__(
        self, session: Session, row: BoardRow, actions: Sequence[QAction],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Visit")
        policy = session.policy
        header = named(QLabel(
            f"<b>{html.escape(row.patient_name)}</b> · MRN {html.escape(row.mrn)}<br>"
            f"{html.escape(row.visit_label or row.visit_type_label)} · "
            f"{format_hours(row.start, row.end, policy)} · "
            f"{html.escape(row.chair or 'no chair')} · "
            f"{html.escape(row.status_label)}{' (late)' if row.late else ''}"
        ), "visitHeader")
        grid = QFormLayout()
        for name, badge in row.badges:
            if badge.text:
                text = f"{badge.label} — {badge.tooltip}".replace("\n", "; ")
                grid.addRow(name, named(QLabel(text, wordWrap=True), f"badge{name}"))
        for warning in row.warnings:
            grid.addRow("Note", QLabel(f"⚠ {warning}", wordWrap=True))
        buttons = QHBoxLayout()
        for action in actions:
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            button = QPushButton(f"{action.text()} ({shortcut})" if shortcut else action.text())
            button.clicked.connect(lambda _c=False, a=action: self._run(a))
            buttons.addWidget(button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(close)

    def _run(self, action: QAction) -> None:
        self.accept()
        action.trigger()
