"""Admin → Clinic settings: clinic details and every policy number, with fitting widgets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError, StaleEdit
from desk.domain.policy import RANGES, ClinicPolicy, Range
from desk.domain.roles import Role
from desk.ui.forms import error_line, named
from desk.ui.messages import error_text, show_error
from desk.ui.session import Session

if TYPE_CHECKING:
    from desk.services.settings import ClinicInfo

# (tab, [(field, label, suffix)]). A policy field missing here still appears, under "Other".
SECTIONS: list[tuple[str, list[tuple[str, str, str]]]] = [
    ("Preparation", [
        ("fasting_food_hours", "No food for at least", " h"),
        ("clear_fluids_not_ready_minutes", "Clear fluids: not ready within", " min"),
        ("clear_fluids_caution_minutes", "Clear fluids: caution within", " min"),
        ("pregnancy_test_required", "Pregnancy test required", ""),
        ("minimum_age_years", "Minimum patient age", " years"),
    ]),
    ("Vitals", [
        ("bp_review_systolic", "Review when systolic above", " mmHg"),
        ("bp_review_diastolic", "Review when diastolic above", " mmHg"),
        ("bp_hold_systolic", "Hold when systolic above", " mmHg"),
        ("bp_hold_diastolic", "Hold when diastolic above", " mmHg"),
        ("spo2_hold_below", "Hold when SpO2 below", " %"),
        ("hr_review_low", "Review when heart rate below", " bpm"),
        ("hr_review_high", "Review when heart rate above", " bpm"),
    ]),
    ("Recovery and consent", [
        ("min_observation_minutes", "Observe after the infusion for", " min"),
        ("min_infusion_minutes", "Shortest infusion (unless stopped for a side effect)", " min"),
        ("mid_infusion_vitals_minutes", "Mid-infusion vitals at", " min"),
        ("vitals_checkpoint_grace_minutes", "Vitals checkpoint grace", " min"),
        ("rideshare_alone_accepted", "Rideshare alone is accepted", ""),
        ("reconsent_months", "Consent valid for", " months"),
        ("after_hours_phone", "After-hours phone (on the discharge sheet)", ""),
    ]),
    ("Orders and controlled substance", [
        ("drugs", "Drugs (comma-separated)", ""),
        ("max_dose_mg_per_kg", "Dose limit per kg", " mg/kg"),
        ("max_dose_mg", "Dose limit per infusion", " mg"),
        ("syringe_step_ul", "Syringe measures steps of", " µL"),
        ("consent_expiry_warning_days", "Warn of consents expiring within", " days"),
    ]),
    ("Booking", [
        ("opening_time", "Opens at", ""),
        ("closing_time", "Closes at", ""),
        ("clinic_weekdays", "Open on", ""),
        ("chairs", "Chairs (comma-separated)", ""),
        ("booking_step_minutes", "Booking grid step", " min"),
        ("consultation_minutes", "Consultation length", " min"),
        ("mood_infusion_minutes", "Mood infusion length", " min"),
        ("pain_infusion_minutes", "Pain infusion length", " min"),
        ("booster_minutes", "Booster length", " min"),
        ("maintenance_minutes", "Maintenance length", " min"),
        ("mood_series_infusions", "Mood Series: infusions", ""),
        ("mood_series_min_days", "Mood Series: at least", " days"),
        ("mood_series_window_days", "Mood Series: within", " days"),
        ("pain_series_infusions", "Pain Series: infusions", ""),
        ("pain_series_window_days", "Pain Series: within", " days"),
        ("series_preferred_gap_days", "Preferred gap between infusions", " days"),
        ("series_min_gap_days", "Minimum gap between infusions", " days"),
        ("booster_due_days_after_series", "Booster due after a series", " days"),
    ]),
    ("Outcomes", [
        ("outcomes_mood_instruments", "Mood indications ask (comma-separated)", ""),
        ("outcomes_ptsd_instruments", "PTSD asks", ""),
        ("outcomes_pain_instruments", "Chronic pain asks", ""),
        ("extra_safety_items", "Also alert on (e.g. pcl5:16)", ""),
        ("response_drop_percent", "Response: score drops by at least", " %"),
        ("booster_rise_points", "Suggest a booster when the score rises by", " points"),
        ("kiosk_idle_seconds", "Kiosk returns to a neutral screen after", " s"),
    ]),
    ("Security", [
        ("password_min_length", "Minimum password length", " characters"),
        ("lockout_attempts", "Lock sign-in after", " failed attempts"),
        ("lockout_minutes", "Sign-in lockout lasts", " min"),
        ("idle_lock_minutes", "Lock the screen when idle for", " min"),
    ]),
    ("Regional and printing", [
        ("phone_region", "Phone region (e.g. US, GB)", ""),
        ("date_format", "Date format", ""),
        ("time_format", "Time format", ""),
        ("paper_size", "Paper size", ""),
    ]),
]
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class Editor:
    widget: QWidget
    get: Callable[[], Any]
    set: Callable[[Any], None]


def editor_for(name: str, default: Any, suffix: str) -> Editor:
    """A widget that fits the type of the policy value."""
    if name == "paper_size":
        combo = QComboBox()
        combo.addItems(["letter", "a4"])
        return Editor(combo, combo.currentText, combo.setCurrentText)
    if isinstance(default, bool):
        box = QCheckBox()
        return Editor(box, box.isChecked, box.setChecked)
    # The same ranges the service checks (desk.domain.policy.RANGES): 0 cannot be typed.
    limits = RANGES.get(name, Range(0, 100_000))
    if isinstance(default, int):
        spin = QSpinBox(minimum=int(limits.low), maximum=int(limits.high), suffix=suffix)
        spin.setToolTip(f"Allowed: {limits.text()}")
        return Editor(spin, spin.value, spin.setValue)
    if isinstance(default, float):
        dspin = QDoubleSpinBox(
            minimum=limits.low, maximum=limits.high, decimals=2, suffix=suffix
        )
        dspin.setToolTip(f"Allowed: {limits.text()}")
        return Editor(dspin, dspin.value, dspin.setValue)
    if isinstance(default, time):
        edit = QTimeEdit()
        edit.setDisplayFormat("HH:mm")
        return Editor(
            edit,
            lambda: time(edit.time().hour(), edit.time().minute()),
            lambda t: edit.setTime(QTime(t.hour, t.minute)),
        )
    if name == "clinic_weekdays":
        return _weekday_editor()
    if isinstance(default, tuple):
        line = QLineEdit(maxLength=2000)
        return Editor(
            line,
            lambda: tuple(p.strip() for p in line.text().split(",") if p.strip()),
            lambda v: line.setText(", ".join(v)),
        )
    text = QLineEdit(maxLength=200)
    return Editor(text, text.text, lambda v: text.setText(str(v)))


def _weekday_editor() -> Editor:
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    checks = [QCheckBox(day) for day in WEEKDAYS]
    for check in checks:
        row.addWidget(check)

    def set_days(days: tuple[int, ...]) -> None:
        for number, check in enumerate(checks):
            check.setChecked(number in days)

    return Editor(box, lambda: tuple(n for n, c in enumerate(checks) if c.isChecked()), set_days)


class ClinicSettingsDialog(QDialog):
    required_roles = frozenset({Role.ADMIN})

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Clinic settings")
        self._session = session
        self._version = 0
        self.name = named(QLineEdit(maxLength=200), "settingsName")
        self.address = named(QPlainTextEdit(tabChangesFocus=True), "settingsAddress")
        self.phone = named(QLineEdit(maxLength=40), "settingsPhone")
        self.costs = named(QPlainTextEdit(tabChangesFocus=True), "settingsCosts")
        self.break_glass = QCheckBox("Allow emergency (break-glass) sign-in")
        self.editors: dict[str, Editor] = {}
        self.tabs = QTabWidget()
        self.tabs.addTab(self._details_tab(), "&Clinic")
        for title, rows in self._sections():
            self.tabs.addTab(self._policy_tab(rows), title)
        self.error = error_line("settingsError")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(620, 560)
        self.show_values(session.clinic)

    def _sections(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        listed = {name for _title, rows in SECTIONS for name, _label, _suffix in rows}
        known = set(ClinicPolicy.field_names())
        sections = [(t, [r for r in rows if r[0] in known]) for t, rows in SECTIONS]
        other = [(n, n.replace("_", " ").capitalize(), "") for n in ClinicPolicy.field_names()
                 if n not in listed]
        return sections + ([("Other", other)] if other else [])

    def _details_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("Clinic &name", self.name)
        form.addRow("&Address", self.address)
        form.addRow("&Phone", self.phone)
        form.addRow("C&osts (printed on consent)", self.costs)
        form.addRow("", self.break_glass)
        return page

    def _policy_tab(self, rows: list[tuple[str, str, str]]) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        defaults = {f.name: getattr(ClinicPolicy(), f.name) for f in fields(ClinicPolicy)}
        for name, label, suffix in rows:
            editor = editor_for(name, defaults[name], suffix)
            editor.widget.setObjectName(f"policy_{name}")
            self.editors[name] = editor
            form.addRow(label, editor.widget)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(page)
        return scroll

    def show_values(self, info: ClinicInfo) -> None:
        self._version = info.version
        self.name.setText(info.name)
        self.address.setPlainText(info.address)
        self.phone.setText(info.phone)
        self.costs.setPlainText(info.costs_text)
        self.break_glass.setChecked(info.break_glass_enabled)
        for name, editor in self.editors.items():
            editor.set(getattr(info.policy, name))

    def policy(self) -> ClinicPolicy:
        return ClinicPolicy(**{name: editor.get() for name, editor in self.editors.items()})

    def save(self) -> None:
        from desk.services.settings import clinic_info, update_clinic

        desk = self._session.desk
        try:
            info = update_clinic(
                desk,
                expected_version=self._version,
                name=self.name.text(),
                address=self.address.toPlainText(),
                phone=self.phone.text(),
                costs_text=self.costs.toPlainText(),
                policy=self.policy(),
                break_glass_enabled=self.break_glass.isChecked(),
            )
        except StaleEdit as exc:
            # The message promises the current values: show them instead of the old form.
            self.show_values(clinic_info(desk))
            self._session.set_clinic(clinic_info(desk))
            show_error(self, exc)
            return
        except DeskError as exc:
            self.error.setText(error_text(exc))
            return
        self._session.set_clinic(info)
        self.accept()
