"""Clinic policy numbers: every clinical and security number is a clinic setting.

The defaults are the ones in DESIGN.md. The database stores one row of these per clinic;
domain rules take a ``ClinicPolicy`` so they never reach for a global.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import time
from typing import Any

from desk.domain.errors import ValidationError


@dataclass(frozen=True)
class ClinicPolicy:
    # Preparation (hours / minutes before the infusion start)
    fasting_food_hours: float = 4.0
    clear_fluids_not_ready_minutes: int = 60
    clear_fluids_caution_minutes: int = 120
    # Vitals: review above these, hold above the hold limits
    bp_review_systolic: int = 140
    bp_review_diastolic: int = 90
    bp_hold_systolic: int = 160
    bp_hold_diastolic: int = 100
    spo2_hold_below: int = 94
    hr_review_low: int = 50
    hr_review_high: int = 110
    # Recovery and discharge
    min_observation_minutes: int = 30
    mid_infusion_vitals_minutes: int = 40
    # An infusion ended sooner than this needs the side effect it was stopped for
    min_infusion_minutes: int = 30
    rideshare_alone_accepted: bool = False
    # Consent
    reconsent_months: int = 12
    # Series
    mood_series_infusions: int = 6
    mood_series_window_days: int = 21
    mood_series_min_days: int = 14
    pain_series_infusions: int = 6
    pain_series_window_days: int = 21
    # Default durations (minutes)
    mood_infusion_minutes: int = 120
    pain_infusion_minutes: int = 180
    consultation_minutes: int = 60
    booster_minutes: int = 120
    maintenance_minutes: int = 120
    # Registration
    minimum_age_years: int = 18
    phone_region: str = "US"
    date_format: str = "%m/%d/%Y"
    time_format: str = "%H:%M"
    pregnancy_test_required: bool = False
    # Opening hours and chairs
    opening_time: time = time(8, 0)
    closing_time: time = time(18, 0)
    chairs: tuple[str, ...] = field(default=("Chair 1", "Chair 2", "Chair 3", "Chair 4"))
    # Clinic days as date.weekday() numbers (Monday = 0); the default is Monday–Friday
    clinic_weekdays: tuple[int, ...] = field(default=(0, 1, 2, 3, 4))
    # Booking grid and series spacing
    booking_step_minutes: int = 15
    series_preferred_gap_days: int = 2
    series_min_gap_days: int = 1
    booster_due_days_after_series: int = 28
    # Security
    password_min_length: int = 10
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    idle_lock_minutes: float = 5.0
    # Outcomes: questionnaires by indication (instrument codes), response and boosters
    outcomes_mood_instruments: tuple[str, ...] = field(default=("phq9", "gad7"))
    outcomes_ptsd_instruments: tuple[str, ...] = field(default=("phq9", "gad7", "pcl5"))
    outcomes_pain_instruments: tuple[str, ...] = field(default=("pain_nrs",))
    # Items treated like PHQ-9 item 9 besides it, as "instrument:item" ("pcl5:16")
    extra_safety_items: tuple[str, ...] = field(default=())
    response_drop_percent: int = 50
    booster_rise_points: int = 5
    kiosk_idle_seconds: int = 90
    # Printed documents
    paper_size: str = "letter"  # "letter" or "a4"
    after_hours_phone: str = ""  # printed on the discharge sheet
    # Vitals plausibility: values outside these are typing errors, not readings
    vitals_systolic_min: int = 60
    vitals_systolic_max: int = 260
    vitals_diastolic_min: int = 30
    vitals_diastolic_max: int = 160
    vitals_heart_rate_min: int = 20
    vitals_heart_rate_max: int = 250
    vitals_spo2_min: int = 50
    vitals_spo2_max: int = 100
    vitals_temperature_min_c: float = 30.0
    vitals_temperature_max_c: float = 45.0
    vitals_weight_min_kg: float = 20.0
    vitals_weight_max_kg: float = 400.0
    # Recovery check points: a reading this many minutes either side still counts
    vitals_checkpoint_grace_minutes: int = 10
    # Orders and the controlled-substance log: the drug list is clinic data, the dose
    # limits are the clinic's (above them an order needs a second clinician's signature)
    drugs: tuple[str, ...] = field(default=("Ketamine",))
    max_dose_mg_per_kg: float = 1.0
    max_dose_mg: int = 150
    syringe_step_ul: int = 100  # the smallest step the syringes in use can measure
    consent_expiry_warning_days: int = 14

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


DEFAULT_POLICY = ClinicPolicy()


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    unit: str = ""

    def text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.low:g}–{self.high:g}{unit}"


# Every policy number has a range a clinic can live with: 0 idle-lock minutes would lock
# every desk again a second after each unlock, a 10**12-minute lockout overflows a date.
# The settings dialog's spin boxes and `desk settings set` use the same table.
RANGES: dict[str, Range] = {
    "fasting_food_hours": Range(0, 24, "h"),
    "clear_fluids_not_ready_minutes": Range(0, 480, "min"),
    "clear_fluids_caution_minutes": Range(0, 480, "min"),
    "bp_review_systolic": Range(90, 250, "mmHg"),
    "bp_review_diastolic": Range(50, 150, "mmHg"),
    "bp_hold_systolic": Range(90, 260, "mmHg"),
    "bp_hold_diastolic": Range(50, 160, "mmHg"),
    "spo2_hold_below": Range(70, 100, "%"),
    "hr_review_low": Range(20, 100, "/min"),
    "hr_review_high": Range(60, 250, "/min"),
    "min_observation_minutes": Range(0, 480, "min"),
    "mid_infusion_vitals_minutes": Range(5, 240, "min"),
    "min_infusion_minutes": Range(0, 240, "min"),
    "reconsent_months": Range(1, 120, "months"),
    "mood_series_infusions": Range(1, 30),
    "mood_series_window_days": Range(1, 365, "days"),
    "mood_series_min_days": Range(0, 365, "days"),
    "pain_series_infusions": Range(1, 30),
    "pain_series_window_days": Range(1, 365, "days"),
    "mood_infusion_minutes": Range(5, 600, "min"),
    "pain_infusion_minutes": Range(5, 600, "min"),
    "consultation_minutes": Range(5, 600, "min"),
    "booster_minutes": Range(5, 600, "min"),
    "maintenance_minutes": Range(5, 600, "min"),
    "minimum_age_years": Range(0, 120, "years"),
    "booking_step_minutes": Range(5, 120, "min"),
    "series_preferred_gap_days": Range(0, 60, "days"),
    "series_min_gap_days": Range(0, 60, "days"),
    "booster_due_days_after_series": Range(1, 365, "days"),
    "password_min_length": Range(8, 128, "characters"),
    "lockout_attempts": Range(3, 20, "attempts"),
    "lockout_minutes": Range(1, 1440, "min"),
    "idle_lock_minutes": Range(1, 60, "min"),
    "vitals_systolic_min": Range(30, 120, "mmHg"),
    "vitals_systolic_max": Range(150, 320, "mmHg"),
    "vitals_diastolic_min": Range(10, 80, "mmHg"),
    "vitals_diastolic_max": Range(100, 220, "mmHg"),
    "vitals_heart_rate_min": Range(10, 60, "/min"),
    "vitals_heart_rate_max": Range(120, 300, "/min"),
    "vitals_spo2_min": Range(30, 90, "%"),
    "vitals_spo2_max": Range(100, 100, "%"),
    "vitals_temperature_min_c": Range(25, 36, "°C"),
    "vitals_temperature_max_c": Range(38, 46, "°C"),
    "vitals_weight_min_kg": Range(1, 60, "kg"),
    "vitals_weight_max_kg": Range(100, 700, "kg"),
    "vitals_checkpoint_grace_minutes": Range(0, 60, "min"),
}

# (lower, higher, may they be equal, the sentence when they are out of order)
ORDERED: tuple[tuple[str, str, bool, str], ...] = (
    ("bp_review_systolic", "bp_hold_systolic", False,
     "The systolic review limit must be below the hold limit."),
    ("bp_review_diastolic", "bp_hold_diastolic", False,
     "The diastolic review limit must be below the hold limit."),
    ("hr_review_low", "hr_review_high", False,
     "The low heart-rate limit must be below the high one."),
    ("clear_fluids_not_ready_minutes", "clear_fluids_caution_minutes", True,
     "Clear fluids: the not-ready time must not exceed the caution time."),
    ("mood_series_min_days", "mood_series_window_days", True,
     "Mood Series: the shortest span must not exceed the window."),
    ("series_min_gap_days", "series_preferred_gap_days", True,
     "The minimum gap between infusions must not exceed the preferred gap."),
    ("opening_time", "closing_time", False, "The clinic must open before it closes."),
)  # fmt: skip


def check_setting(name: str, value: object) -> None:
    """ValidationError naming the allowed range if ``value`` is outside it."""
    limits = RANGES.get(name)
    if limits is None or isinstance(value, bool) or not isinstance(value, int | float):
        return
    # Written as "not within" so that NaN is refused too.
    if not limits.low <= value <= limits.high:
        label = name.replace("_", " ")
        raise ValidationError(
            f"The setting {label} must be within {limits.text()}; {value:g} is not.", name
        )


def clamp_setting(name: str, value: Any) -> Any:
    """A stored number pulled into its range, so an old bad value cannot crash a desk."""
    limits = RANGES.get(name)
    if limits is None or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if value != value:  # NaN
        return type(value)(limits.low)
    return type(value)(min(max(value, limits.low), limits.high))


def validate_policy(policy: ClinicPolicy) -> None:
    """ValidationError (naming the setting and its range) for the first value out of line."""
    for name in RANGES:
        check_setting(name, getattr(policy, name))
    for low, high, may_equal, message in ORDERED:
        a, b = getattr(policy, low), getattr(policy, high)
        if a > b or (a == b and not may_equal):
            raise ValidationError(message, high)
    if not policy.chairs:
        raise ValidationError("The clinic needs at least one chair.", "chairs")
