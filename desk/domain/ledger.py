"""The controlled-substance ledger of one lot: movements, running balance, counts.

Every amount is integer micrograms. A lot's balance is the sum of its movements; it can
never go below zero, and a physical count that differs from the balance is a discrepancy
that needs a reason from two people before the ledger is brought in line with the count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from desk.domain.dosing import mg_text
from desk.domain.errors import ValidationError


class Movement(StrEnum):
    RECEIPT = "receipt"
    ADMINISTRATION = "administration"
    WASTE = "waste"
    RETURN = "return"  # sent back to the supplier
    EXPIRED = "expired"  # removed for destruction
    LOSS = "loss"  # loss or theft (DEA Form 106)
    COUNT_ADJUSTMENT = "count_adjustment"  # a witnessed count differed from the balance

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def adds(self) -> bool:
        return self is Movement.RECEIPT


# Movements a person records by hand from the stock screen (the others come from the
# infusion record or the count).
MANUAL_REMOVALS = (Movement.RETURN, Movement.EXPIRED, Movement.LOSS)


def signed_amount(kind: Movement, amount_ug: int) -> int:
    """The change to the balance: receipts add, everything else removes.

    A count adjustment carries its own sign (counted minus expected).
    """
    if kind is Movement.COUNT_ADJUSTMENT:
        if amount_ug == 0:
            raise ValidationError("A count adjustment needs a difference.")
        return amount_ug
    if amount_ug <= 0:
        raise ValidationError("The amount must be more than zero.", "amount")
    return amount_ug if kind.adds else -amount_ug


def next_balance(balance_ug: int, kind: Movement, amount_ug: int) -> int:
    """The balance after one movement; ValidationError if it would go below zero."""
    after = balance_ug + signed_amount(kind, amount_ug)
    if after < 0:
        raise ValidationError(
            f"This lot holds {mg_text(balance_ug)} mg; {mg_text(amount_ug)} mg cannot leave it.",
            "amount",
        )
    return after


def running_balances(movements: Iterable[tuple[Movement, int]]) -> list[int]:
    """The balance after each movement, from zero (raises if any step goes negative)."""
    balance = 0
    out = []
    for kind, amount in movements:
        balance = next_balance(balance, kind, amount)
        out.append(balance)
    return out


@dataclass(frozen=True)
class CountResult:
    lot_id: int
    expected_vials: int
    counted_vials: int
    vial_ug: int

    @property
    def discrepancy(self) -> bool:
        return self.counted_vials != self.expected_vials

    @property
    def difference_ug(self) -> int:
        return (self.counted_vials - self.expected_vials) * self.vial_ug

    def text(self) -> str:
        if not self.discrepancy:
            return f"{self.counted_vials} vials counted, as expected."
        diff = self.counted_vials - self.expected_vials
        return (
            f"{self.counted_vials} vials counted but {self.expected_vials} expected "
            f"({diff:+d} vials, {'+' if diff > 0 else '−'}{mg_text(abs(self.difference_ug))} mg)."
        )


def sealed_vials_expected(balance_ug: int, in_use_ug: int, vial_ug: int) -> int:
    """Unopened vials that should be on the shelf.

    Vials opened for an infusion still in progress are on the balance until the amount
    given and the waste are recorded, but they are not on the shelf.
    """
    if vial_ug <= 0:
        raise ValidationError("A vial must hold more than zero.")
    shelf = balance_ug - in_use_ug
    if shelf < 0:
        raise ValidationError("More is in use than the lot holds; the ledger needs review.")
    return shelf // vial_ug


def check_count(
    lot_id: int,
    expected_vials: int,
    counted_vials: int,
    vial_ug: int,
    reason: str,
    witness: str | None,
) -> CountResult:
    """A count; a discrepancy needs a reason and a second person (the witness)."""
    if counted_vials < 0:
        raise ValidationError("A count cannot be negative.", "counted")
    result = CountResult(lot_id, expected_vials, counted_vials, vial_ug)
    if result.discrepancy and (not reason.strip() or not witness):
        raise ValidationError(
            f"The count differs from the ledger: {result.text()} Give a reason, and a "
            "second person must confirm it.",
            "reason",
        )
    return result
