"""Dose arithmetic for an infusion order: mg/kg and weight → mg → mL to draw, in whole units.

Amounts are integer micrograms (µg), volumes integer microlitres (µL), weights integer
grams, concentrations integer µg per mL: sums and differences are exact, so a balance
never drifts the way 0.1 + 0.2 does in floating point. Decimal is used only where a
person's typed text ("0.5" mg/kg, "72.4" kg) is read, and rounding is explicit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from desk.domain.errors import ValidationError

UG_PER_MG = 1000
UL_PER_ML = 1000
G_PER_KG = 1000


def parse_decimal(text: str, field: str, what: str) -> Decimal:
    """A positive decimal number typed by a person, or ValidationError naming the field."""
    cleaned = text.strip().replace(",", ".")
    if len(cleaned) > 12:
        raise ValidationError(f"The {what} is not a number the desk can use.", field)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(f"Enter the {what} as a number, e.g. 0.5.", field) from None
    if not value.is_finite() or value <= 0:
        raise ValidationError(f"The {what} must be more than zero.", field)
    return value


def whole(value: Decimal) -> int:
    """Round half up to a whole unit (µg, µL, g): the one rounding rule of the desk."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def mg_text(ug: int) -> str:
    """Micrograms as milligrams for people: 37500 → "37.5", 50000 → "50"."""
    text = str(Decimal(ug) / UG_PER_MG)
    return _trim(text)


def ml_text(ul: int) -> str:
    return _trim(str(Decimal(ul) / UL_PER_ML))


def _trim(text: str) -> str:
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@dataclass(frozen=True)
class DoseLimits:
    """The clinic's policy numbers for one order (not code constants)."""

    max_ug_per_kg: int
    max_total_ug: int


@dataclass(frozen=True)
class Dose:
    ug_per_kg: int
    weight_g: int
    total_ug: int
    duration_min: int
    rate_ug_per_h: int

    def above(self, limits: DoseLimits) -> list[str]:
        """Why this dose is above the clinic's limit (empty when within it)."""
        reasons = []
        if self.ug_per_kg > limits.max_ug_per_kg:
            reasons.append(
                f"{mg_text(self.ug_per_kg)} mg/kg is above the clinic's limit of "
                f"{mg_text(limits.max_ug_per_kg)} mg/kg."
            )
        if self.total_ug > limits.max_total_ug:
            reasons.append(
                f"{mg_text(self.total_ug)} mg is above the clinic's limit of "
                f"{mg_text(limits.max_total_ug)} mg per infusion."
            )
        return reasons


def compute_dose(mg_per_kg: Decimal, weight_kg: Decimal, duration_min: int) -> Dose:
    """The order's total dose (µg) and rate (µg/h) from mg/kg, the weight used and duration."""
    if duration_min <= 0 or duration_min > 24 * 60:
        raise ValidationError("The infusion lasts between 1 minute and 24 hours.", "duration")
    ug_per_kg = whole(mg_per_kg * UG_PER_MG)
    weight_g = whole(weight_kg * G_PER_KG)
    if ug_per_kg <= 0 or weight_g <= 0:
        raise ValidationError("The dose and weight must be more than zero.", "dose")
    total = whole(Decimal(ug_per_kg) * weight_g / G_PER_KG)
    rate = whole(Decimal(total) * 60 / duration_min)
    return Dose(ug_per_kg, weight_g, total, duration_min, rate)


@dataclass(frozen=True)
class Draw:
    """What the nurse draws for a dose from vials of one lot."""

    volume_ul: int  # rounded to what the syringe can measure
    dose_ug: int  # what that volume holds (the rounding changes it slightly)
    vials: int  # single-dose vials opened
    vials_ug: int  # everything those vials held: given + wasted must equal this

    def rate_ul_per_h(self, duration_min: int) -> int:
        return whole(Decimal(self.volume_ul) * 60 / duration_min)


def volume_to_draw(
    dose_ug: int, concentration_ug_per_ml: int, vial_ul: int, syringe_step_ul: int
) -> Draw:
    """The volume (µL) holding ``dose_ug`` at this concentration, to the syringe's step.

    Rounded half up to the nearest step a syringe can measure (e.g. 0.1 mL), never to zero.
    """
    if concentration_ug_per_ml <= 0 or vial_ul <= 0 or syringe_step_ul <= 0:
        raise ValidationError("The vial's concentration and volume must be more than zero.")
    exact = Decimal(dose_ug) * UL_PER_ML / concentration_ug_per_ml
    steps = max(1, whole(exact / syringe_step_ul))
    volume = steps * syringe_step_ul
    vials = -(-volume // vial_ul)
    return Draw(
        volume_ul=volume,
        dose_ug=whole(Decimal(volume) * concentration_ug_per_ml / UL_PER_ML),
        vials=vials,
        vials_ug=vial_content_ug(concentration_ug_per_ml, vial_ul) * vials,
    )


def vial_content_ug(concentration_ug_per_ml: int, vial_ul: int) -> int:
    return whole(Decimal(concentration_ug_per_ml) * vial_ul / UL_PER_ML)


def waste_after(drawn_ug: int, given_ug: int) -> int:
    """The remainder to waste: drawn = given + wasted, and more cannot be given than drawn."""
    if given_ug < 0:
        raise ValidationError("The amount given cannot be negative.", "given")
    if given_ug > drawn_ug:
        raise ValidationError(
            f"{mg_text(given_ug)} mg is more than the {mg_text(drawn_ug)} mg taken from the "
            "vials; check the amount given.",
            "given",
        )
    return drawn_ug - given_ug
