"""Clinic policy numbers: every clinical and security number is a clinic setting.

The defaults are the ones in DESIGN.md. The database stores one row of these per clinic;
domain rules take a ``ClinicPolicy`` so they never reach for a global.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import time


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
