"""Booking dialogs: one visit, or a whole Mood/Pain series proposed and adjusted in a table.

When the patient's screening is not complete the service refuses an infusion; the dialog
then shows what is missing and asks for the reason to book anyway (the override is
recorded with the receptionist's name).
"""

from __future__ import annotations

from datetime import date, time, timedelta

from PySide6.QtCore import Qt, QTime
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.domain.booking import VisitType, closed_day_notice, default_duration, next_open_day
from desk.domain.errors import DeskError
from desk.domain.locale import format_day, format_time
from desk.domain.roles import Role
from desk.domain.series import SeriesKind
from desk.services import booking
from desk.services.booking import (
    ScreeningIncomplete,
    SeriesProposalView,
    SeriesSlot,
    VisitView,
)
from desk.ui.datetime_fields import DayField, TimeField, with_weekday
from desk.ui.forms import named
from desk.ui.messages import error_text
from desk.ui.session import Session
from desk.ui.tablemodel import fit_columns
from desk.ui.visit_actions import MAX_NOTE, ServiceDialog, picked

WARNING_STYLE = "color: #8a5300;"
PROBLEM_BRUSH = QBrush(QColor("#b00020"))


def patient_header(session: Session, patient_id: int) -> QWidget:
    """The shared patient strip (name, MRN, date of birth, screening) for a booking dialog."""
    from desk.services.patients import get_patient
    from desk.ui.patient_header import PatientHeader

    try:
        patient = get_patient(session.desk, patient_id)
    except DeskError as exc:
        return QLabel(str(exc))
    header = PatientHeader(session.policy)
    header.show_patient(patient, session.desk.now().astimezone().date())
    return header


def first_open_day(session: Session, asked: date | None) -> tuple[date, str]:
    """The day a booking form starts on (tomorrow unless asked), skipping closed days,
    and the sentence that says so ("" when nothing was skipped)."""
    wanted = asked or session.desk.now().astimezone().date() + timedelta(days=1)
    shown = next_open_day(wanted, session.policy)
    return shown, closed_day_notice(wanted, shown, session.policy)


def notice_line(name: str, text: str) -> QLabel:
    label = named(QLabel(text, wordWrap=True), name)
    label.setStyleSheet(WARNING_STYLE)
    label.setVisible(bool(text))
    return label


class OverrideBox(QGroupBox):
    """Shown after the service refused an infusion for incomplete screening."""

    def __init__(self) -> None:
        super().__init__("Screening incomplete")
        self.message = QLabel(wordWrap=True)
        self.message.setStyleSheet(WARNING_STYLE)
        self.reason = named(QLineEdit(maxLength=MAX_NOTE), "overrideReason")
        self.reason.setPlaceholderText("Why book anyway (recorded with your name)")
        form = QFormLayout(self)
        form.addRow(self.message)
        form.addRow("Override &reason", self.reason)
        self.active = False
        self.hide()

    def show_refusal(self, error: ScreeningIncomplete) -> None:
        self.message.setText(f"{error}\n{error.status.details}")
        self.active = True
        self.show()
        self.reason.setFocus()

    def value(self) -> str | None:
        return self.reason.text() if self.active else None


class BookVisitDialog(ServiceDialog):
    """Book one visit for a patient; ``saved`` carries the VisitView."""

    required_roles = frozenset({Role.RECEPTIONIST, Role.ADMIN})

    def __init__(
        self, session: Session, patient_id: int, day: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(session, parent)
        self.setWindowTitle("Book a visit")
        self.patient_id = patient_id
        policy = session.policy
        self.visit_type = named(QComboBox(), "visitType")
        for kind in VisitType:
            self.visit_type.addItem(kind.label, kind)
        start_day, skipped = first_open_day(session, day)
        self.day_notice = notice_line("visitDayNotice", skipped)
        self.date_edit = named(DayField(start_day, policy), "visitDate")
        opening = QTime(policy.opening_time.hour, policy.opening_time.minute)
        self.time_edit = named(
            TimeField(opening, policy, policy.booking_step_minutes), "visitTime"
        )
        self.chair = named(QComboBox(), "visitChair")
        self.minutes = named(QSpinBox(minimum=15, maximum=600, singleStep=15), "visitMinutes")
        self.minutes.setSuffix(" min")
        self.override = OverrideBox()
        form = QFormLayout()
        form.addRow(patient_header(session, patient_id))
        form.addRow("&Visit type", self.visit_type)
        form.addRow("&Date", with_weekday(self.date_edit))
        form.addRow("", self.day_notice)
        form.addRow("&Start", self.time_edit)
        form.addRow("&Length", self.minutes)
        form.addRow("C&hair", self.chair)
        self.add_ok("&Book", self._save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.override)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.visit_type.currentIndexChanged.connect(self._type_changed)
        self._type_changed()

    def _type_changed(self) -> None:
        kind = VisitType(self.visit_type.currentData())
        length = default_duration(kind, self.session.policy)
        self.minutes.setValue(int(length.total_seconds() // 60))
        current = self.chair.currentData()
        self.chair.clear()
        if not kind.needs_chair:
            self.chair.addItem("No chair (office)", None)
        for chair in self.session.policy.chairs:
            self.chair.addItem(chair, chair)
        self.chair.setCurrentIndex(max(self.chair.findData(current), 0))

    def _save(self) -> None:
        desk, patient = self.session.desk, self.patient_id
        kind = VisitType(self.visit_type.currentData())
        start = picked(self.date_edit, self.time_edit)
        chair = self.chair.currentData()
        length = timedelta(minutes=self.minutes.value())
        override = self.override.value()
        self.submit(lambda: booking.book_visit(
            desk, patient, kind, start, chair, duration=length,
            screening_override_reason=override,
        ))

    def saved_text(self, result: object) -> str:
        assert isinstance(result, VisitView)
        policy = self.session.policy
        return (f"Booked {result.label} for MRN {result.mrn} on "
                f"{format_day(result.start.date(), policy)} {format_time(result.start, policy)}.")

    def failed(self, error: BaseException) -> None:
        super().failed(error)
        if isinstance(error, ScreeningIncomplete):
            self.error.setText("")
            self.override.show_refusal(error)


# --- series -------------------------------------------------------------------------------

COLUMNS = ("Infusion", "Date", "Start", "End", "Chair", "Problem", "Why this slot")
WHY_COLUMN = 6


class SeriesBookingDialog(ServiceDialog):
    """Propose a series' slots, let the receptionist adjust them, then book them all."""

    required_roles = frozenset({Role.RECEPTIONIST, Role.ADMIN})

    def __init__(
        self, session: Session, patient_id: int, start: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(session, parent)
        self.setWindowTitle("Book a series")
        self.patient_id = patient_id
        self.proposal: SeriesProposalView | None = None
        self.mood = named(QRadioButton("&Mood Series"), "moodSeries")
        self.pain = named(QRadioButton("&Pain Series"), "painSeries")
        self.mood.setChecked(True)
        first, skipped = first_open_day(session, start)
        self.day_notice = notice_line("seriesDayNotice", skipped)
        policy = session.policy
        self.start_date = named(DayField(first, policy), "seriesStart")
        self.preferred = named(
            TimeField(QTime(9, 0), policy, policy.booking_step_minutes), "seriesTime"
        )
        self.propose_button = named(QPushButton("P&ropose slots"), "proposeButton")
        self.table = named(QTableWidget(0, len(COLUMNS)), "seriesTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        fit_columns(self.table)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.notice = named(QLabel(wordWrap=True), "seriesNotice")
        self.notice.setStyleSheet(WARNING_STYLE)
        self.override = OverrideBox()
        self.add_ok("Book &all", self._save)
        self.ok_button.setEnabled(False)
        self._lay_out()
        self.propose_button.clicked.connect(self.propose)
        self.resize(980, 520)
        self.propose()  # the slots are what the receptionist came for: show them at once

    def _lay_out(self) -> None:
        kinds = QHBoxLayout()
        kinds.addWidget(self.mood)
        kinds.addWidget(self.pain)
        kinds.addStretch()
        form = QFormLayout()
        form.addRow(patient_header(self.session, self.patient_id))
        form.addRow("Series", kinds)
        form.addRow("&Start date", with_weekday(self.start_date))
        form.addRow("", self.day_notice)
        form.addRow("Preferred &time", self.preferred)
        form.addRow("", self.propose_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notice)
        layout.addWidget(self.override)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    @property
    def kind(self) -> SeriesKind:
        return SeriesKind.MOOD if self.mood.isChecked() else SeriesKind.PAIN

    def propose(self) -> None:
        start = self.start_date.date()
        t = self.preferred.time()
        try:
            self.proposal = booking.propose_series(
                self.session.desk, self.patient_id, self.kind,
                date(start.year(), start.month(), start.day()), time(t.hour(), t.minute()),
            )
        except DeskError as exc:
            self.error.setText(error_text(exc))
            return
        self.error.setText("")
        self._fill(self.proposal)

    def _fill(self, proposal: SeriesProposalView) -> None:
        self.table.setRowCount(0)
        for slot in proposal.slots:
            row = self.table.rowCount()
            self.table.insertRow(row)
            label = QTableWidgetItem(f"{slot.position} of {slot.total}")
            self.table.setItem(row, 0, label)
            policy = self.session.policy
            date_edit = DayField(slot.start.date(), policy)
            time_edit = TimeField(
                QTime(slot.start.hour, slot.start.minute), policy, policy.booking_step_minutes
            )
            chair = QComboBox()
            chair.addItems(list(self.session.policy.chairs))
            chair.setCurrentText(slot.chair)
            self.table.setCellWidget(row, 1, date_edit)
            self.table.setCellWidget(row, 2, time_edit)
            self.table.setCellWidget(row, 4, chair)
            self.table.setItem(row, 3, QTableWidgetItem(format_time(slot.end, policy)))
            self.table.setItem(row, 5, QTableWidgetItem(""))
            self.table.setItem(row, WHY_COLUMN, QTableWidgetItem(""))
            date_edit.dateChanged.connect(self.check)
            time_edit.timeChanged.connect(self.check)
            chair.currentIndexChanged.connect(self.check)
        self.notice.setText(proposal.shortfall)
        self.ok_button.setEnabled(bool(proposal.slots))
        self.check()

    def slots(self) -> list[SeriesSlot]:
        result = []
        for row in range(self.table.rowCount()):
            date_edit = self.table.cellWidget(row, 1)
            time_edit = self.table.cellWidget(row, 2)
            chair = self.table.cellWidget(row, 4)
            assert isinstance(date_edit, DayField) and isinstance(time_edit, TimeField)
            assert isinstance(chair, QComboBox)
            result.append(SeriesSlot(picked(date_edit, time_edit), chair.currentText()))
        return result

    def check(self) -> None:
        """Re-check every row after an edit: conflicts per row, and the window warning."""
        slots = self.slots()
        try:
            problems, overrun = booking.series_problems(
                self.session.desk, self.patient_id, self.kind, slots
            )
        except DeskError as exc:
            self.error.setText(error_text(exc))
            return
        length = self._length()
        for row, (slot, problem) in enumerate(zip(slots, problems, strict=True)):
            self._cell(row, 3).setText(format_time(slot.start + length, self.session.policy))
            cell = self._cell(row, 5)
            cell.setText(problem or "OK")
            cell.setToolTip(problem)
            if problem:
                cell.setForeground(PROBLEM_BRUSH)
            else:
                cell.setData(Qt.ItemDataRole.ForegroundRole, None)
            self._cell(row, WHY_COLUMN).setText(self._why(row, slot))
        shortfall = self.proposal.shortfall if self.proposal else ""
        self.notice.setText(" ".join(t for t in (shortfall, overrun or "") if t))

    def _why(self, row: int, slot: SeriesSlot) -> str:
        """The proposal's reason for the slot, until the receptionist changes it by hand."""
        if self.proposal is None or row >= len(self.proposal.slots):
            return ""
        proposed = self.proposal.slots[row]
        if (slot.start, slot.chair) != (proposed.start, proposed.chair):
            return "Changed by hand."
        return proposed.note or "As asked."

    def _length(self) -> timedelta:
        if self.proposal and self.proposal.slots:
            first = self.proposal.slots[0]
            return first.end - first.start
        return timedelta(0)

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        item = self.table.item(row, column)
        assert item is not None
        return item

    def _save(self) -> None:
        desk, patient, kind = self.session.desk, self.patient_id, self.kind
        slots = self.slots()
        override = self.override.value()
        self.submit(lambda: booking.book_series(
            desk, patient, kind, slots, screening_override_reason=override
        ))

    def saved_text(self, result: object) -> str:
        assert isinstance(result, list) and result
        first, last = result[0], result[-1]
        policy = self.session.policy
        return (f"Booked a {self.kind.label} of {len(result)} infusions for MRN {first.mrn}: "
                f"{format_day(first.start.date(), policy)} to "
                f"{format_day(last.start.date(), policy)}.")

    def failed(self, error: BaseException) -> None:
        super().failed(error)
        if isinstance(error, ScreeningIncomplete):
            self.error.setText("")
            self.override.show_refusal(error)
