"""Cancel, mark no-show, reinstate or move a visit, each with a reason from a pick list.

``ServiceDialog`` is the small base the visit dialogs share: the save runs off the UI
thread, the button waits meanwhile, a refusal is one sentence in the dialog (for a
conflicting edit, who changed the visit and what it looks like now), and a save is
confirmed on the main window's status bar.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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

from desk.domain.booking import no_show_refusal
from desk.domain.errors import StaleEdit, TransitionRefused
from desk.domain.locale import format_day, format_hours, format_time
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.domain.visit_states import move_refusal, reinstate
from desk.services import visits
from desk.services.booking import VisitView
from desk.services.visits import VisitReason
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

    def saved_text(self, result: object) -> str:
        """What the status bar says after a save (each dialog says what it saved)."""
        del result
        return f"{self.windowTitle()}: saved."

    def _done(self, result: object) -> None:
        self.ok_button.setEnabled(True)
        self.session.announce(self.saved_text(result))
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


def refusal(session: Session, visit: VisitView, action: str) -> str:
    """Why ``action`` cannot be done to ``visit`` at all ("" when it can be tried)."""
    if action == "reschedule":
        return move_refusal(visit.status)
    if action == "no_show":
        today = session.desk.now().astimezone().date()
        return no_show_refusal(visit.start, today, session.policy)
    if action == "reinstate":
        try:
            reinstate(visit.status)
        except TransitionRefused as exc:
            return str(exc)
    return ""


def reason_picker(choices: Sequence[tuple[str, str]]) -> QComboBox:
    combo = named(QComboBox(), "reasonCombo")
    combo.addItem("Choose a reason…", "")
    for code, label in choices:
        combo.addItem(label, code)
    return combo


@dataclass(frozen=True)
class _Action:
    title: str
    button: str
    choices: Sequence[tuple[str, str]]
    done: str  # the status bar's words: "Cancelled", "Moved"…


_ACTIONS = {
    "cancel": _Action("Cancel visit", "Cancel &visit", visits.CANCEL_REASONS, "Cancelled"),
    "no_show": _Action("Mark as no-show", "Mark &no-show", visits.NO_SHOW_REASONS,
                       "Marked as no-show"),
    "reschedule": _Action("Move visit", "&Move visit", visits.RESCHEDULE_REASONS, "Moved"),
    "reinstate": _Action("Reinstate visit", "Re&instate", visits.REINSTATE_REASONS,
                         "Reinstated"),
}
# Said inside the dialog before the second press of the button, for the closing actions.
_CONFIRM = {
    "no_show": "Press Mark no-show again to close this visit as a no-show. You can "
               "reinstate it later while its chair is still free.",
}


class VisitActionDialog(ServiceDialog):
    """Cancel / no-show / move / reinstate one visit; ``saved`` carries the new VisitView."""

    required_roles = frozenset({Role.RECEPTIONIST, Role.ADMIN, Role.NURSE})

    def __init__(
        self, session: Session, visit: VisitView, action: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, parent)
        spec = _ACTIONS[action]
        self.setWindowTitle(spec.title)
        self.visit = visit
        self.action = action
        self._confirmed = action not in _CONFIRM
        self.reason = reason_picker(spec.choices)
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
        self.add_ok(spec.button, self._save)
        self.confirm_line = named(QLabel(wordWrap=True), "confirmLine")
        self.confirm_line.setStyleSheet("color: #8a5300; font-weight: 600;")
        self.confirm_line.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.confirm_line)
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
        if not self._confirmed:
            # The first press only asks: a no-show closes the visit for the whole clinic.
            self._confirmed = True
            self.confirm_line.setText(_CONFIRM[self.action])
            self.confirm_line.show()
            return
        reason = VisitReason(str(self.reason.currentData() or ""), self.note.text())
        desk, visit = self.session.desk, self.visit
        closing = {"cancel": visits.cancel_visit, "no_show": visits.mark_no_show,
                   "reinstate": visits.reinstate_visit}
        if self.action in closing:
            change = closing[self.action]
            self.submit(lambda: change(desk, visit.id, reason, expected_version=visit.version))
        else:
            start = picked(self.date_edit, self.time_edit)
            chair = self.chair.currentData()
            self.submit(lambda: visits.reschedule_visit(
                desk, visit.id, start, chair, reason, expected_version=visit.version))

    def saved_text(self, result: object) -> str:
        assert isinstance(result, VisitView)
        return (f"{_ACTIONS[self.action].done}: {result.label}, MRN {result.mrn}, "
                f"{format_day(result.start.date(), self.session.policy)} "
                f"{format_time(result.start, self.session.policy)}.")


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
            button.setEnabled(action.isEnabled())  # a role that may not: greyed, saying who may
            button.setToolTip(action.toolTip())
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
