"""The candidacy panel: indication, confirmations, treating provider and screening flags.

The status line at the top follows every tick and keystroke ("candidate", "screening
incomplete: …", "flagged: …"), computed by the domain rule the header uses. Fields a
receptionist may not change are shown but disabled, with a line saying who may.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desk.domain.candidacy import (
    Candidacy,
    Contraindication,
    Indication,
    MedicationFlag,
    assess,
)
from desk.domain.errors import DeskError, StaleEdit, ValidationError
from desk.domain.locale import format_phone_number
from desk.domain.names import MAX_NAME_LENGTH
from desk.domain.phones import MAX_PHONE_LENGTH
from desk.ui.forms import error_line, named
from desk.ui.messages import show_error
from desk.ui.patient_form import DateField
from desk.ui.patient_header import PatientHeader, candidacy_badge
from desk.ui.session import Session

if TYPE_CHECKING:
    from desk.services.candidacy import CandidacyView
    from desk.services.patients import PatientView

MAX_DETAIL = 2000
Flag = Contraindication | MedicationFlag


class CandidacyPanel(QDialog):
    """Edit one patient's screening; ``saved(CandidacyView)`` after a save."""

    saved = Signal(object)

    def __init__(
        self,
        session: Session,
        patient: PatientView,
        record: CandidacyView,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.patient = patient
        self.record = record
        self.setObjectName("candidacyPanel")
        self.setWindowTitle("Screening")
        self.flag_boxes: dict[Flag, tuple[QCheckBox, QLineEdit]] = {}
        self._build()
        self._fill(record)
        self._apply_role()
        self._update_status()

    @classmethod
    def for_patient(
        cls, session: Session, patient_id: int, parent: QWidget | None = None
    ) -> CandidacyPanel | None:
        """Load the patient and their screening; None (and a message) if that failed."""
        from desk.services.candidacy import get_candidacy
        from desk.services.patients import get_patient

        try:
            patient = get_patient(session.desk, patient_id)
            record = get_candidacy(session.desk, patient_id)
        except DeskError as error:
            show_error(parent, error)
            return None
        return cls(session, patient, record, parent)

    # --- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        self.header = PatientHeader(self.session.policy, self)
        self.header.show_patient(self.patient)
        self.status = named(QLabel(""), "candidacyStatus")
        self.role_note = named(QLabel(""), "candidacyRoleNote")
        self.role_note.setWordWrap(True)
        self.error = error_line("candidacyError")
        body = QWidget()
        columns = QHBoxLayout(body)
        columns.addWidget(self._screening_group(), 1)
        columns.addWidget(self._flags_group(), 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        status_row = QHBoxLayout()
        status_row.addWidget(QLabel("Status with these answers:"))
        status_row.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(status_row)
        layout.addWidget(self.role_note)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(1000, 700)

    def _line(self, name: str, limit: int = MAX_NAME_LENGTH) -> QLineEdit:
        edit = named(QLineEdit(maxLength=limit), name)
        edit.textChanged.connect(self._update_status)
        return edit

    def _date(self, name: str) -> DateField:
        field = DateField(self.session, name)
        field.textChanged.connect(self._update_status)
        return field

    def _screening_group(self) -> QGroupBox:
        group = QGroupBox("Screening")
        form = QFormLayout(group)
        self.indication = named(QComboBox(), "indication")
        self.indication.addItem("Not recorded", None)
        for indication in Indication:
            self.indication.addItem(indication.label, indication)
        self.indication.currentIndexChanged.connect(self._update_status)
        self.diagnosis_by = self._line("diagnosis_confirmed_by")
        self.diagnosis_on = self._date("diagnosis_confirmed_on")
        self.provider_name = self._line("provider_name")
        self.provider_practice = self._line("provider_practice")
        self.provider_phone = self._line("provider_phone", MAX_PHONE_LENGTH)
        self.provider_address = named(QPlainTextEdit(tabChangesFocus=True), "provider_address")
        self.provider_address.setFixedHeight(60)
        self.consultation = self._date("consultation_date")
        self.history_by = self._line("history_reviewed_by")
        self.history_on = self._date("history_reviewed_on")
        self.history_by.editingFinished.connect(self._date_history_review)
        self.pregnancy_applies = named(QCheckBox("Pregnancy &test applies"), "pregnancyApplies")
        self.pregnancy_applies.toggled.connect(self._update_status)
        self.pregnancy_on = self._date("pregnancy_test_negative_on")
        rows: list[tuple[str, QWidget]] = [
            ("&Indication", self.indication),
            ("Diagnosis confirmed &by", self.diagnosis_by),
            ("Diagnosis confirmed &on", self.diagnosis_on),
            ("Treating &provider", self.provider_name),
            ("Provider's p&ractice", self.provider_practice),
            ("Provider's p&hone", self.provider_phone),
            ("Provider's addr&ess", self.provider_address),
            ("&Consultation date", self.consultation),
            ("History reviewed b&y", self.history_by),
            ("History revie&wed on", self.history_on),
        ]
        for caption, widget in rows:
            label = QLabel(caption)
            label.setBuddy(widget)
            form.addRow(label, widget)
        form.addRow("", self.pregnancy_applies)
        negative = QLabel("Last &negative test")
        negative.setBuddy(self.pregnancy_on)
        form.addRow(negative, self.pregnancy_on)
        return group

    def _flags_group(self) -> QGroupBox:
        group = QGroupBox("Flags (tick what applies; add details)")
        grid = QGridLayout(group)
        row = 0
        for title, flags in (
            ("Contraindications", list(Contraindication)),
            ("Medications", list(MedicationFlag)),
        ):
            heading = QLabel(f"<b>{title}</b>")
            grid.addWidget(heading, row, 0, 1, 2)
            row += 1
            for flag in flags:
                box = named(QCheckBox(flag.label), f"flag_{flag.value}")
                detail = named(QLineEdit(maxLength=MAX_DETAIL), f"detail_{flag.value}")
                detail.setPlaceholderText("details")
                detail.setEnabled(False)
                box.toggled.connect(lambda on, d=detail: d.setEnabled(on and self._clinical))
                box.toggled.connect(self._update_status)
                grid.addWidget(box, row, 0)
                grid.addWidget(detail, row, 1)
                self.flag_boxes[flag] = (box, detail)
                row += 1
        return group

    def _date_history_review(self) -> None:
        """A review recorded now was done today, unless the nurse types another date."""
        if self.history_by.text().strip() and not self.history_on.text().strip():
            self.history_on.set_date(self.session.desk.now().astimezone().date())

    # --- values -------------------------------------------------------------------------

    def _fill(self, record: CandidacyView) -> None:
        c = record.candidacy
        self.indication.setCurrentIndex(max(self.indication.findData(c.indication), 0))
        self.diagnosis_by.setText(c.diagnosis_confirmed_by)
        self.diagnosis_on.set_date(c.diagnosis_confirmed_on)
        self.provider_name.setText(c.provider_name)
        self.provider_practice.setText(c.provider_practice)
        self.provider_phone.setText(format_phone_number(c.provider_phone, self.session.policy))
        self.provider_address.setPlainText(c.provider_address)
        self.consultation.set_date(c.consultation_date)
        self.history_by.setText(c.history_reviewed_by)
        self.history_on.set_date(record.history_reviewed_on)
        self.pregnancy_applies.setChecked(c.pregnancy_test_applies)
        self.pregnancy_on.set_date(c.pregnancy_test_negative_on)
        chosen = set(c.contraindications) | set(c.medications)
        for flag, (box, detail) in self.flag_boxes.items():
            box.setChecked(flag in chosen)
            detail.setText(c.flag_details.get(flag.value, ""))

    @property
    def _clinical(self) -> bool:
        from desk.services.candidacy import may_edit_clinical

        return may_edit_clinical(self.session.desk.actor)

    def _apply_role(self) -> None:
        clinical = self._clinical
        widgets: list[QWidget] = [
            self.indication, self.diagnosis_by, self.diagnosis_on, self.history_by,
            self.history_on, self.pregnancy_applies, self.pregnancy_on,
        ]
        for box, detail in self.flag_boxes.values():
            widgets.append(box)
            detail.setEnabled(clinical and box.isChecked())
        for widget in widgets:
            widget.setEnabled(clinical)
        self.role_note.setText(
            "" if clinical else "You may record the treating provider and the consultation "
            "date. A nurse or admin records the clinical screening."
        )
        self.role_note.setVisible(not clinical)

    def candidacy(self) -> tuple[Candidacy, date | None]:
        """The form as a screening record; ValidationError for a date that is not one."""
        flags = [flag for flag, (box, _detail) in self.flag_boxes.items() if box.isChecked()]
        details = {
            flag.value: detail.text()
            for flag, (box, detail) in self.flag_boxes.items()
            if box.isChecked() and detail.text().strip()
        }
        record = Candidacy(
            indication=Indication(code) if (code := self.indication.currentData()) else None,
            diagnosis_confirmed_by=self.diagnosis_by.text(),
            diagnosis_confirmed_on=self.diagnosis_on.date_or_error("Diagnosis confirmed on"),
            provider_name=self.provider_name.text(),
            provider_practice=self.provider_practice.text(),
            provider_phone=self.provider_phone.text(),
            provider_address=self.provider_address.toPlainText(),
            consultation_date=self.consultation.date_or_error("Consultation date"),
            history_reviewed_by=self.history_by.text(),
            pregnancy_test_applies=self.pregnancy_applies.isChecked(),
            pregnancy_test_negative_on=self.pregnancy_on.date_or_error("Last negative test"),
            contraindications=frozenset(f for f in flags if isinstance(f, Contraindication)),
            medications=frozenset(f for f in flags if isinstance(f, MedicationFlag)),
            flag_details=details,
        )
        return record, self.history_on.date_or_error("History reviewed on")

    def _update_status(self) -> None:
        try:
            record, _reviewed_on = self.candidacy()
        except ValidationError:
            return  # half a date: keep the last status until it is readable
        candidacy_badge(self.status, assess(record, self.session.policy))

    # --- saving -------------------------------------------------------------------------

    def save(self) -> None:
        from desk.services.candidacy import update_candidacy

        try:
            record, reviewed_on = self.candidacy()
            saved = update_candidacy(
                self.session.desk, self.patient.id, record,
                history_reviewed_on=reviewed_on, expected_version=self.record.version,
            )
        except StaleEdit as stale:
            self._show_stale(stale)
            return
        except DeskError as error:
            self.error.setText(str(error))
            return
        self.session.announce(f"Saved the screening for MRN {self.patient.mrn}.")
        self.saved.emit(saved)
        self.accept()

    def _show_stale(self, stale: StaleEdit) -> None:
        """Show what is saved now, and take its version so a second Save is deliberate."""
        from desk.services.candidacy import get_candidacy

        current = "; ".join(f"{k}: {v}" for k, v in stale.current.items() if v)
        self.error.setText(f"{stale} Saved now — {current}. Save again to replace it.")
        try:
            self.record = get_candidacy(self.session.desk, self.patient.id)
        except DeskError as error:
            show_error(self, error)
