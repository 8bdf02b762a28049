"""Dose arithmetic: mg/kg → mg → mL for several concentrations, in whole µg and µL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desk.domain.dosing import (
    DoseLimits,
    compute_dose,
    mg_text,
    ml_text,
    parse_decimal,
    volume_to_draw,
    waste_after,
)
from desk.domain.errors import ValidationError


@pytest.mark.parametrize(
    ("mg_per_kg", "kg", "minutes", "total_ug", "rate_ug_per_h"),
    [
        ("0.5", "70", 40, 35_000, 52_500),
        ("0.5", "72.4", 40, 36_200, 54_300),
        ("0.75", "81.3", 60, 60_975, 60_975),
        ("1.0", "58.25", 120, 58_250, 29_125),
        ("0.35", "99.99", 45, 34_997, 46_663),  # 34 996.5 µg rounds half up
    ],
)
def test_mg_per_kg_and_weight_give_whole_micrograms(
    mg_per_kg: str, kg: str, minutes: int, total_ug: int, rate_ug_per_h: int
) -> None:
    dose = compute_dose(Decimal(mg_per_kg), Decimal(kg), minutes)
    assert (dose.total_ug, dose.rate_ug_per_h) == (total_ug, rate_ug_per_h)


@pytest.mark.parametrize(
    ("dose_ug", "mg_per_ml", "vial_ml", "step_ul", "volume_ul", "drawn_dose_ug", "vials"),
    [
        (35_000, 10, 5, 100, 3_500, 35_000, 1),  # 3.5 mL of 10 mg/mL
        (35_000, 50, 10, 100, 700, 35_000, 1),  # 0.7 mL of 50 mg/mL
        (36_200, 50, 10, 100, 700, 35_000, 1),  # 0.724 mL → 0.7 mL: the syringe's step
        (36_200, 50, 10, 10, 720, 36_000, 1),  # a finer syringe: 0.72 mL
        (36_250, 50, 10, 100, 700, 35_000, 1),  # 0.725 → 0.7 (nearest 0.1)
        (60_975, 10, 5, 100, 6_100, 61_000, 2),  # more than one 5 mL vial
        (36_200, 100, 5, 100, 400, 40_000, 1),  # 0.362 → 0.4 mL of 100 mg/mL
        (1_000, 100, 5, 100, 100, 10_000, 1),  # never rounded to nothing
    ],
)
def test_dose_to_volume_rounds_to_what_a_syringe_can_draw(
    dose_ug: int, mg_per_ml: int, vial_ml: int, step_ul: int, volume_ul: int,
    drawn_dose_ug: int, vials: int,
) -> None:  # fmt: skip
    draw = volume_to_draw(dose_ug, mg_per_ml * 1000, vial_ml * 1000, step_ul)
    assert (draw.volume_ul, draw.dose_ug, draw.vials) == (volume_ul, drawn_dose_ug, vials)
    assert draw.vials_ug == vials * mg_per_ml * vial_ml * 1000


@pytest.mark.parametrize(
    ("drawn", "given", "waste"),
    [(50_000, 35_000, 15_000), (50_000, 50_000, 0), (100_000, 60_975, 39_025), (500, 0, 500)],
)
def test_waste_plus_given_equals_drawn(drawn: int, given: int, waste: int) -> None:
    assert waste_after(drawn, given) == waste
    assert waste + given == drawn


def test_more_given_than_drawn_is_refused() -> None:
    with pytest.raises(ValidationError, match="more than the 50 mg"):
        waste_after(50_000, 50_001)


@pytest.mark.parametrize(
    ("mg_per_kg", "kg", "reasons"),
    [
        ("0.5", "70", 0),
        ("1.0", "70", 0),  # at the limit is within it
        ("1.01", "70", 1),
        ("0.9", "200", 1),  # 180 mg above a 150 mg cap
        ("1.5", "120", 2),
    ],
)
def test_dose_above_the_clinic_limit_is_named(mg_per_kg: str, kg: str, reasons: int) -> None:
    dose = compute_dose(Decimal(mg_per_kg), Decimal(kg), 40)
    assert len(dose.above(DoseLimits(max_ug_per_kg=1000, max_total_ug=150_000))) == reasons


@pytest.mark.parametrize("text", ["", "abc", "-1", "0", "NaN", "Infinity", "1" * 20])
def test_typed_numbers_that_are_not_doses_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_decimal(text, "dose", "dose")


def test_comma_decimal_is_read() -> None:
    assert parse_decimal("0,5", "dose", "dose") == Decimal("0.5")


def test_sums_of_tenths_do_not_drift() -> None:
    # 0.1 mL ten times is exactly 1 mL: integer µL, where floats give 0.9999999999999999.
    assert ml_text(sum([100] * 10)) == "1"
    assert mg_text(sum([100] * 3)) == "0.3"


def test_durations_outside_a_day_are_refused() -> None:
    with pytest.raises(ValidationError):
        compute_dose(Decimal("0.5"), Decimal("70"), 0)
