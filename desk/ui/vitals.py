"""Vitals entry: blood pressure, heart rate, SpO2 (temperature and weight optional).

A typing error (systolic 1200) is shown next to the field at once and nothing is saved;
readings inside the plausible ranges are saved and judged by the clinic's limits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from desk.domain.errors import DeskError, ValidationError
from desk.domain.policy import ClinicPolicy
from desk.domain.vitals import Vitals, validate_vitals
from desk.ui.forms import error_line, named

if TYPE_CHECKING:
    from desk.services.context import Desk

# (field, visible label, unit, required)
FIELDS = (
    ("systolic", "S&ystolic", "mmHg", True),
    ("diastolic", "D&iastolic", "mmHg", True),
    ("heart_rate", "Hear&t rate", "/min", True),
    ("spo2", "Sp&O2", "%", True),
    ("temperature_c", "Te&mperature", "°C (optional)", False),
    ("weight_kg", "Wei&ght", "kg (optional)", False),
)
_WHOLE = ("systolic", "diastolic", "heart_rate", "spo2")
_WHOLE_PATTERN = r"\d{0,5}"
_DECIMAL_PATTERN = r"\d{0,4}([.,]\d{0,2})?"


def no_default_buttons(dialog: QWidget) -> None:
    """Enter in a field saves that field's section; it must not press some other button.

    QLineEdit passes Return on to the dialog, which would click its default button (for
    example Close) right after the vitals were recorded.
    """
    for button in dialog.findChildren(QPushButton):
        button.setAutoDefault(False)
        button.setDefault(False)


class VitalsEntry(QWidget):
    """Fields and a "Record vitals" button; ``submitted`` carries a plausible Vitals."""

    submitted = Signal(object)

    def __init__(self, policy: ClinicPolicy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._policy = policy
        self.fields: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for row, (name, label, unit, _required) in enumerate(FIELDS):
            edit = named(QLineEdit(maxLength=6), f"vitals_{name}")
            # Digits only, but never a range: a validator that refused "1200" would leave
            # "120" in the box, turning a typo into a plausible reading.
            pattern = _WHOLE_PATTERN if name in _WHOLE else _DECIMAL_PATTERN
            edit.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), edit))
            caption = QLabel(label)
            caption.setBuddy(edit)
            error = error_line(f"vitals_{name}_error")
            error.hide()
            grid.addWidget(caption, row, 0)
            grid.addWidget(edit, row, 1)
            grid.addWidget(QLabel(unit), row, 2)
            grid.addWidget(error, row, 3)
            edit.textEdited.connect(lambda _text, n=name: self._clear_error(n))
            edit.returnPressed.connect(self.submit)
            self.fields[name], self.errors[name] = edit, error
        self.record_button = named(QPushButton("&Record vitals"), "recordVitals")
        self.record_button.clicked.connect(self.submit)
        grid.addWidget(self.record_button, len(FIELDS), 1)
        grid.setColumnStretch(3, 1)

    def read(self) -> Vitals:
        """The typed vitals; ValidationError names the first field that is wrong."""
        values: dict[str, float | int | None] = {}
        for name, label, _unit, required in FIELDS:
            text = self.fields[name].text().strip().replace(",", ".")
            if not text:
                if required:
                    plain = label.replace("&", "")
                    raise ValidationError(f"Enter the {plain.lower()}.", name)
                values[name] = None
                continue
            try:
                values[name] = int(text) if name in _WHOLE else float(text)
            except ValueError:
                raise ValidationError("Enter a number.", name) from None
        vitals = Vitals(**values)  # type: ignore[arg-type]
        validate_vitals(vitals, self._policy)
        return vitals

    def submit(self) -> None:
        try:
            vitals = self.read()
        except ValidationError as err:
            self.show_error(err)
            return
        self.submitted.emit(vitals)

    def show_error(self, err: DeskError) -> None:
        field = getattr(err, "field", None)
        target = self.errors.get(field or "", self.errors["systolic"])
        target.setText(str(err))
        target.show()
        edit = self.fields.get(field or "")
        if edit is not None:
            edit.setFocus()
            edit.selectAll()

    def _clear_error(self, name: str) -> None:
        self.errors[name].hide()
        self.errors[name].setText("")

    def clear(self) -> None:
        for name in self.fields:
            self.fields[name].clear()
            self._clear_error(name)

    def connect_record(self, record: Callable[[Vitals], bool]) -> None:
        """Save through ``record``; the fields empty when it reports success."""
        self.submitted.connect(lambda vitals: self.clear() if record(vitals) else None)


def save_reading(
    desk: Desk, visit_id: int, vitals: Vitals, entry: VitalsEntry, error: QLabel
) -> bool:
    """Record one reading; a field's error shows next to it, anything else in ``error``."""
    from desk.services.prep import record_vitals

    try:
        record_vitals(desk, visit_id, vitals)
    except ValidationError as err:
        entry.show_error(err)
        return False
    except DeskError as err:
        error.setText(str(err))
        return False
    return True
