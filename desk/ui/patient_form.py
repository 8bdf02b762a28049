"""Register or edit a patient: inline messages per field, the duplicate prompt, stale saves.

Field rules are the domain's (``validate_patient``): the form shows each message beside
its field as soon as the person leaves the field, and all of them on Save; a field with a
problem gets a red frame, required fields carry a star. Each message has a fixed slot, so
nothing moves when messages come and go (a click never lands in the wrong field).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError, StaleEdit, ValidationError
from desk.domain.locale import date_placeholder, format_date
from desk.domain.names import MAX_NAME_LENGTH
from desk.domain.patients import (
    MAX_ADDRESS_LENGTH,
    MAX_EMAIL_LENGTH,
    REQUIRED_FIELDS,
    PatientDraft,
    Sex,
)
from desk.domain.patients import validate_patient as check_draft
from desk.domain.phones import MAX_PHONE_LENGTH, format_phone, normalise_phone
from desk.domain.search_query import parse_typed_date
from desk.ui.forms import ERROR_STYLE, MAX_FIELD, error_line, named
from desk.ui.messages import show_error
from desk.ui.patient_header import PatientHeader
from desk.ui.permissions import make_read_only, who_may
from desk.ui.session import Session

if TYPE_CHECKING:
    from desk.services.patients import DuplicateCandidate, PatientView


class DateField(QLineEdit):
    """A date typed the clinic's way ("05/06/1980", "5/6/80") or as ISO."""

    def __init__(self, session: Session, name: str) -> None:
        super().__init__(maxLength=20)
        self.setObjectName(name)
        self._session = session
        self.setPlaceholderText(date_placeholder(session.policy.date_format))

    def set_date(self, value: date | None) -> None:
        self.setText(format_date(value, self._session.policy) if value else "")

    def date_or_error(self, label: str = "") -> date | None:
        """The typed date, None when empty; ValidationError when it is not a date.

        ``label`` names the field in the message, for messages not shown next to it.
        """
        text = self.text().strip()
        if not text:
            return None
        today = self._session.desk.now().astimezone().date()
        parsed = parse_typed_date(text, self._session.policy, today)
        if parsed is None:
            example = format_date(date(1980, 12, 31), self._session.policy)
            message = f"{label}: type the date like {example}." if label else (
                f"Type the date like {example}."
            )
            raise ValidationError(message, self.objectName())
        return parsed


INVALID_STYLE = "*[invalid=\"true\"] { border: 2px solid #b00020; border-radius: 3px; }"
MESSAGE_WIDTH = 260  # the slot beside each field: two lines of a message fit


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """Frame ``widget`` in red (or not); the form's style sheet draws the frame."""
    if widget.property("invalid") != invalid:
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)
        widget.update()  # a polish alone does not always repaint a visible window


def _text_edit(name: str, limit: int) -> QPlainTextEdit:
    edit = named(QPlainTextEdit(), name)
    edit.setTabChangesFocus(True)  # keyboard users Tab out instead of typing a tab
    edit.setFixedHeight(56)
    edit.setToolTip(f"At most {limit} characters.")
    return edit


class PatientForm(QDialog):
    """``saved(PatientView)`` after a save; ``open_existing(id)`` when a duplicate is chosen."""

    saved = Signal(object)
    open_existing = Signal(int)

    def __init__(
        self, session: Session, view: PatientView | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.view = view
        self.setObjectName("patientForm")
        self.setWindowTitle("Edit patient" if view else "New patient")
        self.setStyleSheet(INVALID_STYLE)
        self.touched: set[str] = set()
        self._build()
        self.setMinimumWidth(720)  # the field and its message slot side by side
        if view is not None:
            self._fill(view.draft())
            self.header.show_patient(view)
        else:
            self.header.hide()
        self._follow_roles()

    def _follow_roles(self) -> None:
        """Booking buttons only for those who may book; the record read-only for those who
        may not edit it (the services refuse regardless)."""
        from desk.services.booking import BOOKING_ROLES
        from desk.services.patients import EDITING_ROLES

        actor = self.session.actor
        if not actor.has(*EDITING_ROLES):
            make_read_only(self, EDITING_ROLES)
        elif self.view is not None and not actor.has(*BOOKING_ROLES):
            for booking_button in (self.series_button, self.visit_button):
                booking_button.setEnabled(False)
                booking_button.setToolTip(who_may(BOOKING_ROLES))

    @classmethod
    def register(
        cls, session: Session, parent: QWidget | None = None, typed: str = ""
    ) -> PatientForm:
        form = cls(session, None, parent)
        form.prefill(typed)
        return form

    # --- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        self.header = PatientHeader(self.session.policy, self)
        self.banner = named(QLabel(""), "staleBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fff4d6; padding: 6px;")
        self.banner.hide()
        self.form = QFormLayout()
        self.errors: dict[str, QLabel] = {}
        self.first = self._line("legal_first_name", "Legal &first name", MAX_NAME_LENGTH)
        self.last = self._line("legal_last_name", "Legal &last name", MAX_NAME_LENGTH)
        self.preferred = self._line("preferred_name", "Preferre&d name", MAX_NAME_LENGTH)
        self.dob = DateField(self.session, "dob")
        self._row("dob", "Date of &birth", self.dob)
        self.sex = named(QComboBox(), "sex")
        # "Not recorded" first: the form never guesses a sex.
        for sex in (Sex.UNKNOWN, Sex.FEMALE, Sex.MALE, Sex.INTERSEX):
            self.sex.addItem(sex.label, sex)
        self._row("sex", "Se&x", self.sex)
        self.phone = self._line("phones[0]", "&Phone", MAX_PHONE_LENGTH)
        self.phone2 = self._line("phones[1]", "Second p&hone", MAX_PHONE_LENGTH)
        self.email = self._line("email", "&Email", MAX_EMAIL_LENGTH)
        self.address = _text_edit("address", MAX_ADDRESS_LENGTH)
        self._row("address", "&Address", self.address)
        self.emergency_name = self._line(
            "emergency_contact_name", "E&mergency contact", MAX_NAME_LENGTH
        )
        self.emergency_phone = self._line(
            "emergency_contact_phone", "Emergency contact ph&one", MAX_PHONE_LENGTH
        )
        self.notes = _text_edit("notes", 10_000)
        self._row("notes", "&Notes", self.notes)
        self.form_error = error_line()
        self.required_note = named(QLabel("* required"), "requiredNote")
        self.required_note.setStyleSheet("color: #555;")
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(
            "&Save" if self.view else "&Register", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        if self.view is not None:
            # Acting on a saved patient: screening, consent and booking from the record.
            self.series_button = named(QPushButton("Book a ser&ies…"), "bookSeriesButton")
            self.series_button.setToolTip("Propose and book a Mood or Pain Series.")
            buttons.addButton(self.series_button, QDialogButtonBox.ButtonRole.ActionRole)
            self.series_button.clicked.connect(self._open_series)
            self.visit_button = named(QPushButton("Boo&k visit…"), "bookVisitButton")
            for action, slot in (
                (QPushButton("S&creening…"), self._open_screening),
                (QPushButton("Consen&t…"), self._open_consent),
                (self.visit_button, self._open_booking),
                (QPushButton("O&utcomes…"), self._open_outcomes),
            ):
                buttons.addButton(action, QDialogButtonBox.ButtonRole.ActionRole)
                action.clicked.connect(slot)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addLayout(self.form)
        layout.addWidget(self.required_note)
        layout.addWidget(self.form_error)
        layout.addWidget(buttons)
        for field in (self.phone, self.phone2, self.emergency_phone):
            field.editingFinished.connect(lambda f=field: self._tidy_phone(f))

    def _line(self, field: str, label: str, limit: int) -> QLineEdit:
        # Only a hostile-paste cap here: an over-long entry is kept and refused beside the
        # field by the domain's rule, never cut short without a word.
        edit = named(QLineEdit(maxLength=MAX_FIELD), field)
        edit.setToolTip(f"At most {limit} characters.")
        self._row(field, label, edit)
        return edit

    def _row(self, field: str, label: str, widget: QWidget) -> None:
        caption = QLabel(f"{label} *" if field in REQUIRED_FIELDS else label)
        caption.setBuddy(widget)
        if field in REQUIRED_FIELDS:
            widget.setAccessibleDescription("Required")
        error = named(QLabel(""), f"error_{field}")
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # A fixed slot, empty or not: the rows never move as messages come and go.
        error.setFixedSize(MESSAGE_WIDTH, 2 * error.fontMetrics().lineSpacing() + 2)
        self.errors[field] = error
        box = QWidget()
        inner = QHBoxLayout(box)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(widget, 1)
        inner.addWidget(error)
        self.form.addRow(caption, box)
        if isinstance(widget, QLineEdit):
            widget.editingFinished.connect(lambda: self._leave(field))

    # --- values -------------------------------------------------------------------------

    def prefill(self, typed: str) -> None:
        """Carry over what was typed into the search box when it was a DOB or a phone."""
        today = self.session.desk.now().astimezone().date()
        parsed = parse_typed_date(typed, self.session.policy, today) if typed else None
        if parsed is not None:
            self.dob.set_date(parsed)
        elif typed and sum(c.isdigit() for c in typed) >= 7 and not any(c.isalpha() for c in typed):
            self.phone.setText(typed)

    def _fill(self, draft: PatientDraft) -> None:
        self.first.setText(draft.legal_first_name)
        self.last.setText(draft.legal_last_name)
        self.preferred.setText(draft.preferred_name)
        self.dob.set_date(draft.dob)
        self.sex.setCurrentIndex(max(self.sex.findData(draft.sex), 0))
        phones = (*draft.phones, "", "")
        self.phone.setText(phones[0])
        self.phone2.setText(phones[1])
        self.email.setText(draft.email)
        self.address.setPlainText(draft.address)
        self.emergency_name.setText(draft.emergency_contact_name)
        self.emergency_phone.setText(draft.emergency_contact_phone)
        self.notes.setPlainText(draft.notes)

    def draft(self) -> tuple[PatientDraft, list[tuple[str, str]]]:
        """The form as a draft, and the errors only the form can see (an unreadable date)."""
        problems: list[tuple[str, str]] = []
        try:
            dob = self.dob.date_or_error()
        except ValidationError as error:
            dob, problems = None, [("dob", str(error))]
        draft = PatientDraft(
            legal_first_name=self.first.text(),
            legal_last_name=self.last.text(),
            dob=dob,
            preferred_name=self.preferred.text(),
            sex=Sex(self.sex.currentData() or Sex.UNKNOWN),  # Qt hands the enum back as str
            phones=(self.phone.text(), self.phone2.text()),
            email=self.email.text(),
            address=self.address.toPlainText(),
            emergency_contact_name=self.emergency_name.text(),
            emergency_contact_phone=self.emergency_phone.text(),
            notes=self.notes.toPlainText(),
        )
        return draft, problems

    def _errors(self) -> dict[str, str]:
        draft, problems = self.draft()
        today = self.session.desk.now().astimezone().date()
        found = {e.field: e.message for e in check_draft(draft, self.session.policy, today)}
        found.update(problems)  # "type the date like …" beats "date of birth is required"
        return found

    def _leave(self, field: str) -> None:
        self.touched.add(field)
        self._show_errors(self._errors(), only_touched=True)

    def _show_errors(self, errors: dict[str, str], *, only_touched: bool = False) -> None:
        shown = 0
        for field, label in self.errors.items():
            message = errors.get(field, "")
            if only_touched and field not in self.touched:
                message = ""
            label.setText(message)
            label.setToolTip(message)  # in full, should two lines not hold it
            widget = self.findChild(QWidget, field)
            if widget is not None:
                mark_invalid(widget, bool(message))
            shown += bool(message)
        if not shown:
            self.form_error.setText("")
        elif self.form_error.text():  # after a Save: keep the count true as fields are fixed
            self.form_error.setText(self._problems_text(shown))

    @staticmethod
    def _problems_text(count: int) -> str:
        fields = "1 field needs" if count == 1 else f"{count} fields need"
        return f"{fields} correcting: see the red messages beside them."

    def _tidy_phone(self, field: QLineEdit) -> None:
        """Show a valid number the way the clinic writes it: "2015550123" → "(201) 555-0123"."""
        region = self.session.policy.phone_region
        # When it is not valid the inline message says why; the typing is left alone.
        with suppress(ValidationError):
            field.setText(format_phone(normalise_phone(field.text(), region), region))

    # --- saving -------------------------------------------------------------------------

    def save(self, *, confirm_not_duplicate: bool = False) -> None:
        from desk.services.patients import DuplicateWarning, register_patient, update_patient

        errors = self._errors()
        self.touched.update(errors)
        self._show_errors(errors)
        if errors:
            self.form_error.setText(self._problems_text(len(errors)))
            self._focus_first_error(errors)
            return
        self.form_error.setText("")
        draft, _ = self.draft()
        desk = self.session.desk
        try:
            if self.view is None:
                view = register_patient(desk, draft, confirm_not_duplicate=confirm_not_duplicate)
            else:
                view = update_patient(desk, self.view.id, draft, self.view.version,
                                      confirm_not_duplicate=confirm_not_duplicate)
        except DuplicateWarning as warning:
            self._ask_about_duplicates(warning.candidates)
            return
        except StaleEdit as stale:
            self._show_stale(stale)
            return
        except DeskError as error:
            self.form_error.setText(str(error))
            return
        name = f"{view.preferred_name or view.legal_first_name} {view.legal_last_name}"
        verb = "Registered" if self.view is None else "Saved the record of"
        self.session.announce(f"{verb} {name}, MRN {view.mrn}.")
        self.saved.emit(view)
        self.accept()

    def _focus_first_error(self, errors: dict[str, str]) -> None:
        for field in self.errors:
            if field in errors:
                widget = self.findChild(QWidget, field)
                if widget is not None:
                    widget.setFocus()
                return

    def _ask_about_duplicates(self, candidates: list[DuplicateCandidate]) -> None:
        prompt = DuplicatePrompt(self.session, candidates, editing=self.view is not None,
                                 parent=self)
        prompt.open_chosen.connect(self._open_existing)
        prompt.confirmed.connect(lambda: self.save(confirm_not_duplicate=True))
        prompt.open()

    def _open_existing(self, patient_id: int) -> None:
        self.open_existing.emit(patient_id)
        self.reject()

    def _show_stale(self, stale: StaleEdit) -> None:
        """Keep what the person typed; show what is saved now and let them decide."""
        from desk.services.patients import get_patient

        current = "\n".join(f"{k}: {v}" for k, v in stale.current.items() if v)
        self.banner.setText(f"{stale}\n\nSaved now:\n{current}\n\n"
                            "Save again to replace it with what you typed, or Cancel.")
        self.banner.show()
        try:
            self.view = get_patient(self.session.desk, self.view.id) if self.view else None
        except DeskError as error:
            show_error(self, error)

    def _open_screening(self) -> None:
        from desk.ui.candidacy_panel import CandidacyPanel

        if self.view is not None:
            panel = CandidacyPanel.for_patient(self.session, self.view.id, self)
            if panel is not None:
                panel.saved.connect(lambda _v: self._reload_header())
                panel.open()

    def _open_consent(self) -> None:
        from desk.ui.consent import ConsentDialog

        if self.view is not None:
            dialog = ConsentDialog(self.session, self.view.id, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    def _open_series(self) -> None:
        from desk.ui.booking import SeriesBookingDialog

        if self.view is not None:
            dialog = SeriesBookingDialog(self.session, self.view.id, parent=self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    def _open_booking(self) -> None:
        from desk.ui.booking import BookVisitDialog

        if self.view is not None:
            dialog = BookVisitDialog(self.session, self.view.id, parent=self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    def _open_outcomes(self) -> None:
        from desk.ui.outcomes_record import OutcomesDialog

        if self.view is not None:
            try:
                dialog = OutcomesDialog(self.session, self.view.id, self)
            except DeskError as error:
                show_error(self, error)
                return
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    def _reload_header(self) -> None:
        from desk.services.patients import get_patient

        if self.view is not None:
            try:
                self.header.show_patient(get_patient(self.session.desk, self.view.id))
            except DeskError as error:
                show_error(self, error)


class DuplicatePrompt(QDialog):
    """"This may be someone already registered": the candidates, each with why."""

    open_chosen = Signal(int)
    confirmed = Signal()

    def __init__(
        self,
        session: Session,
        candidates: list[DuplicateCandidate],
        *,
        editing: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("duplicatePrompt")
        self.setWindowTitle("Possible duplicate")
        self.candidates = candidates
        intro = QLabel(
            "This may be a patient who is already registered. Open the existing record, or "
            f"{'save' if editing else 'register'} anyway if it is a different person."
        )
        intro.setWordWrap(True)
        self.list = named(QListWidget(), "duplicateList")
        for c in candidates:
            born = format_date(c.dob, session.policy) if c.dob else "no DOB"
            phones = ", ".join(c.phones) or "no phone"
            self.list.addItem(f"{c.name} — DOB {born} — MRN {c.mrn} — {phones}\n"
                              f"    why: {c.reason}")
        self.list.setCurrentRow(0)
        buttons = QDialogButtonBox()
        open_button = buttons.addButton("&Open existing", QDialogButtonBox.ButtonRole.AcceptRole)
        anyway = buttons.addButton(
            "&Save anyway" if editing else "&Register anyway",
            QDialogButtonBox.ButtonRole.DestructiveRole,
        )
        buttons.addButton("&Back to the form", QDialogButtonBox.ButtonRole.RejectRole)
        open_button.setDefault(True)
        open_button.clicked.connect(self._open)
        anyway.clicked.connect(self._anyway)
        buttons.rejected.connect(self.reject)
        self.list.itemActivated.connect(lambda _item: self._open())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(640, 260)

    def _open(self) -> None:
        row = max(self.list.currentRow(), 0)
        self.accept()
        self.open_chosen.emit(self.candidates[row].patient_id)

    def _anyway(self) -> None:
        self.accept()
        self.confirmed.emit()


def open_patient_record(
    session: Session, patient_id: int, parent: QWidget | None = None,
    on_saved: Callable[[PatientView], None] | None = None,
) -> PatientForm | None:
    """Open the patient's record for viewing and editing (None and a message if it failed)."""
    from desk.services.patients import get_patient

    try:
        view = get_patient(session.desk, patient_id)
    except DeskError as error:
        show_error(parent, error)
        return None
    form = PatientForm(session, view, parent)
    # Each opening makes a new form: without this every record opened stays in memory.
    form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if on_saved is not None:
        form.saved.connect(on_saved)
    form.open_existing.connect(
        lambda other: open_patient_record(session, other, parent, on_saved)
    )
    form.open()
    return form

