"""Admin → Clinic settings: clinic details and every policy number, with fitting widgets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import date, time
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
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError, StaleEdit
from desk.domain.locale import COUNTRIES, DATE_FORMATS, TIME_FORMATS, example_date, format_time
from desk.domain.policy import DEFAULT_POLICY, RANGES, ClinicPolicy, Range
from desk.domain.roles import Role
from desk.ui.datetime_fields import TimeField
from desk.ui.forms import error_line, named
from desk.ui.messages import error_text, show_error
from desk.ui.session import Session

if TYPE_CHECKING:
    from desk.services.settings import ClinicInfo

# (tab, [(field, label written by a person, suffix)]); a test checks every policy field is here.
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
    ("Typing checks", [
        ("vitals_systolic_min", "Lowest believable systolic", " mmHg"),
        ("vitals_systolic_max", "Highest believable systolic", " mmHg"),
        ("vitals_diastolic_min", "Lowest believable diastolic", " mmHg"),
        ("vitals_diastolic_max", "Highest believable diastolic", " mmHg"),
        ("vitals_heart_rate_min", "Lowest believable heart rate", " bpm"),
        ("vitals_heart_rate_max", "Highest believable heart rate", " bpm"),
        ("vitals_spo2_min", "Lowest believable SpO2", " %"),
        ("vitals_spo2_max", "Highest believable SpO2", " %"),
        ("vitals_temperature_min_c", "Lowest believable temperature", " °C"),
        ("vitals_temperature_max_c", "Highest believable temperature", " °C"),
        ("vitals_weight_min_kg", "Lowest believable weight", " kg"),
        ("vitals_weight_max_kg", "Highest believable weight", " kg"),
    ]),
    ("Recovery and consent", [
        ("min_observation_minutes", "Observe after the infusion for", " min"),
        ("min_infusion_minutes", "Shortest infusion (unless stopped for a side effect)", " min"),
        ("mid_infusion_vitals_minutes", "Mid-infusion vitals at", " min"),
        ("vitals_checkpoint_grace_minutes", "A recovery reading still counts within", " min"),
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
        ("phone_region", "Phone numbers without a country code are from", ""),
        ("date_format", "Dates are written", ""),
        ("time_format", "Times are written", ""),
        ("paper_size", "Paper size", ""),
    ]),
]
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class Editor:
    widget: QWidget
    get: Callable[[], Any]
    set: Callable[[Any], None]


def choice_editor(choices: list[tuple[str, str]]) -> Editor:
    """A pick list of (stored value, what people read); a stored value missing from the
    list (accepted by an older version) is kept as a choice, so saving never drops it."""
    combo = QComboBox()
    for value, text in choices:
        combo.addItem(text, value)

    def set_value(value: str) -> None:
        if combo.findData(value) < 0:
            combo.addItem(value, value)
        combo.setCurrentIndex(combo.findData(value))

    return Editor(combo, lambda: str(combo.currentData()), set_value)


def regional_choices(name: str) -> list[tuple[str, str]] | None:
    """The choices of a regional setting, each shown as an example, not as a code."""
    today, afternoon = date.today(), time(14, 30)
    if name == "date_format":
        return [(f, f"{example_date(f, today)}  ({order})") for f, order in DATE_FORMATS.items()]
    if name == "time_format":
        return [(f, f"{format_time(afternoon, replace(DEFAULT_POLICY, time_format=f))}  ({clock})")
                for f, clock in TIME_FORMATS.items()]
    if name == "phone_region":
        return [(c.code, c.name) for c in COUNTRIES]
    if name == "paper_size":
        return [("letter", "US Letter"), ("a4", "A4")]
    return None


def editor_for(name: str, default: Any, suffix: str, policy: ClinicPolicy) -> Editor:
    """A widget that fits the type of the policy value."""
    choices = regional_choices(name)
    if choices is not None:
        return choice_editor(choices)
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
        edit = TimeField(QTime(default.hour, default.minute), policy, 15)
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
        for title, rows in SECTIONS:
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
            editor = editor_for(name, defaults[name], suffix, self._session.policy)
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
