"""The check-in dialog: read the date of birth back, confirm contacts, note the arrival time.

The date of birth is typed as the patient says it, never shown first: reading it from the
screen to the patient would confirm nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import ValidationError
from desk.domain.locale import date_placeholder, format_hours, format_time
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.domain.search_query import parse_typed_date
from desk.services import checkin
from desk.services.booking import VisitView
from desk.services.checkin import CheckInSheet
from desk.ui.booking import WARNING_STYLE
from desk.ui.datetime_fields import TimeField
from desk.ui.forms import named
from desk.ui.session import Session
from desk.ui.visit_actions import MAX_NOTE, ServiceDialog

MAX_DOB_CHARS = 20


def parse_dob(text: str, policy: ClinicPolicy, today: date) -> date:
    """The date of birth as read back by the patient, typed the clinic's way."""
    parsed = parse_typed_date(text, policy, today)
    if parsed is None:
        hint = date_placeholder(policy.date_format)
        raise ValidationError(f"Type the date of birth as {hint}.", "dob")
    return parsed


class CheckInDialog(ServiceDialog):
    """Check one visit in; ``saved`` carries the VisitView (now arrived)."""

    required_roles = frozenset({Role.RECEPTIONIST, Role.NURSE, Role.ADMIN})

    def __init__(
        self, session: Session, sheet: CheckInSheet, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, parent)
        self.sheet = sheet
        visit = sheet.visit
        self.setWindowTitle("Check in")
        policy = session.policy
        hint = date_placeholder(policy.date_format)
        self.dob = named(QLineEdit(maxLength=MAX_DOB_CHARS), "dobField")
        self.dob.setPlaceholderText(f"Ask the patient: {hint}")
        now = session.desk.now().astimezone()
        self.arrival = named(TimeField(QTime(now.hour, now.minute), policy, 1), "arrivalTime")
        self.late = named(QLabel(), "lateLabel")
        self.late.setStyleSheet(WARNING_STYLE + " font-weight: 600;")
        self.contact_ok = named(
            QCheckBox("&Contact and emergency contact confirmed with the patient"), "contactOk"
        )
        self.override = named(QLineEdit(maxLength=MAX_NOTE), "overrideReason")
        title = QLabel(
            f"<b>{sheet.preferred_name}</b> ({sheet.legal_name}) · MRN {visit.mrn}<br>"
            f"{visit.label} · {format_hours(visit.start, visit.end, policy)} · "
            f"{visit.chair or 'no chair'}"
        )
        form = QFormLayout()
        form.addRow(title)
        form.addRow("&Date of birth", self.dob)
        form.addRow("&Arrived at", self.arrival)
        form.addRow("", self.late)
        self.add_ok("Check &in", self._save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self._contact_box())
        if sheet.needs_override:
            layout.addWidget(self._screening_box())
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.arrival.timeChanged.connect(self._show_late)
        self._show_late()
        self.dob.setFocus()

    def _contact_box(self) -> QGroupBox:
        s = self.sheet
        box = QGroupBox("Contact details on record")
        form = QFormLayout(box)
        form.addRow("Phone", named(QLabel(s.phone or "none recorded"), "phoneText"))
        emergency = f"{s.emergency_name} ({s.emergency_relationship}) {s.emergency_phone}"
        form.addRow("Emergency contact", QLabel(emergency.strip() or "none recorded"))
        form.addRow(self.contact_ok)
        hint = QLabel("If anything changed, correct it in the patient's record first.")
        hint.setStyleSheet("color: #555;")
        form.addRow(hint)
        return box

    def _screening_box(self) -> QGroupBox:
        s = self.sheet
        box = QGroupBox("Screening incomplete")
        form = QFormLayout(box)
        message = named(QLabel(s.screening_details), "screeningText")
        message.setWordWrap(True)
        message.setStyleSheet(WARNING_STYLE)
        form.addRow(message)
        if s.may_override:
            self.override.setPlaceholderText("Why this infusion may go ahead (recorded)")
            form.addRow("Override &reason", self.override)
        else:
            self.override.hide()
            form.addRow(QLabel("A nurse or admin must override: ask them to sign in "
                               "(File → Switch user) and check the patient in."))
        return box

    def arrived_at(self) -> datetime:
        t = self.arrival.time()
        return datetime.combine(self.sheet.visit.start.date(), time(t.hour(), t.minute()))

    def _show_late(self) -> None:
        start = self.sheet.visit.start
        late = self.arrived_at() > start
        started = format_time(start, self.session.policy)
        self.late.setText(f"LATE — the slot started at {started}" if late else "On time")

    def _save(self) -> None:
        try:
            today = self.session.desk.now().astimezone().date()
            dob = parse_dob(self.dob.text(), self.session.policy, today)
        except ValidationError as exc:
            self.error.setText(str(exc))
            self.dob.setFocus()
            return
        desk, sheet = self.session.desk, self.sheet
        arrived = self.arrived_at()
        confirmed = self.contact_ok.isChecked()
        override = self.override.text() if sheet.needs_override and sheet.may_override else None
        self.submit(lambda: checkin.check_in(
            desk, sheet.visit.id, dob_confirmed=dob, contact_confirmed=confirmed,
            expected_version=sheet.visit.version, arrived_at_local=arrived,
            screening_override_reason=override,
        ))

    def saved_text(self, result: object) -> str:
        assert isinstance(result, VisitView)
        late = " (late)" if result.late else ""
        return (f"Checked in {self.sheet.preferred_name}, MRN {result.mrn}{late}: "
                f"{result.label} at {result.start:%H:%M}.")


def open_check_in(
    session: Session, visit_id: int, parent: QWidget | None = None
) -> CheckInDialog:
    """Load the check-in sheet and build the dialog (the caller opens it)."""
    return CheckInDialog(session, checkin.check_in_sheet(session.desk, visit_id), parent)

