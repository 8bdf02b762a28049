"""The controlled-substance ledger: running balance, never negative, counts and discrepancies."""

from __future__ import annotations

import pytest

from desk.domain.errors import ValidationError
from desk.domain.ledger import (
    Movement,
    check_count,
    next_balance,
    running_balances,
    sealed_vials_expected,
)

R, A, W, L, X = (
    Movement.RECEIPT,
    Movement.ADMINISTRATION,
    Movement.WASTE,
    Movement.LOSS,
    Movement.COUNT_ADJUSTMENT,
)


@pytest.mark.parametrize(
    ("moves", "balances"),
    [
        ([(R, 500_000)], [500_000]),
        ([(R, 500_000), (A, 35_000), (W, 15_000)], [500_000, 465_000, 450_000]),
        ([(R, 100_000), (L, 50_000), (X, 50_000)], [100_000, 50_000, 100_000]),
        ([(R, 50_000), (A, 36_123), (W, 13_877)], [50_000, 13_877, 0]),
        ([(R, 100_000), (X, -50_000), (R, 50_000)], [100_000, 50_000, 100_000]),
    ],
)
def test_running_balance_after_each_movement(
    moves: list[tuple[Movement, int]], balances: list[int]
) -> None:
    assert running_balances(moves) == balances


@pytest.mark.parametrize(
    ("balance", "kind", "amount"),
    [(0, A, 1), (35_000, W, 35_001), (50_000, L, 100_000), (0, X, -1)],
)
def test_balance_never_goes_negative(balance: int, kind: Movement, amount: int) -> None:
    with pytest.raises(ValidationError, match="cannot leave it"):
        next_balance(balance, kind, amount)


@pytest.mark.parametrize("kind", [R, A, W, L, Movement.RETURN, Movement.EXPIRED])
def test_amounts_other_than_a_count_adjustment_must_be_positive(kind: Movement) -> None:
    with pytest.raises(ValidationError):
        next_balance(100_000, kind, 0)


def test_ten_thousand_small_movements_add_up_exactly() -> None:
    moves = [(R, 10_000_000)] + [(A, 333)] * 10_000
    assert running_balances(moves)[-1] == 10_000_000 - 3_330_000


@pytest.mark.parametrize(
    ("balance", "in_use", "vial", "sealed"),
    [(500_000, 0, 50_000, 10), (500_000, 50_000, 50_000, 9), (465_000, 15_000, 50_000, 9)],
)
def test_sealed_vials_expected_leave_out_vials_in_use(
    balance: int, in_use: int, vial: int, sealed: int
) -> None:
    assert sealed_vials_expected(balance, in_use, vial) == sealed


@pytest.mark.parametrize(
    ("expected", "counted", "discrepancy", "difference"),
    [(10, 10, False, 0), (10, 9, True, -50_000), (10, 11, True, 50_000), (0, 0, False, 0)],
)
def test_a_count_that_differs_is_a_discrepancy(
    expected: int, counted: int, discrepancy: bool, difference: int
) -> None:
    result = check_count(1, expected, counted, 50_000, "vial broken on the floor", "wendy")
    assert (result.discrepancy, result.difference_ug) == (discrepancy, difference)


@pytest.mark.parametrize(("reason", "witness"), [("", "wendy"), ("broken", None), ("  ", None)])
def test_a_discrepancy_needs_a_reason_and_a_second_person(reason: str, witness: str | None) -> None:
    with pytest.raises(ValidationError, match="second person"):
        check_count(1, 10, 9, 50_000, reason, witness)


def test_a_matching_count_needs_no_reason() -> None:
    assert not check_count(1, 4, 4, 50_000, "", None).discrepancy
