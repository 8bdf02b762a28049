"""Consent validity: expiry boundaries, month ends, MAJOR/MINOR versions, withdrawal."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.domain.consent import (
    ConsentState,
    ConsentStatus,
    add_months,
    consent_status,
    consent_valid_until,
)
from desk.domain.errors import ValidationError
from desk.domain.policy import DEFAULT_POLICY, ClinicPolicy

SIGNED = date(2024, 3, 15)


def status_on(
    today: date,
    signed: date = SIGNED,
    major: int = 1,
    current: int = 1,
    withdrawn: date | None = None,
    policy: ClinicPolicy = DEFAULT_POLICY,
) -> ConsentStatus:
    return consent_status(signed, major, current, withdrawn, today, policy)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 8, 31), 1, date(2024, 9, 30)),
        (date(2024, 11, 15), 2, date(2025, 1, 15)),
        (date(2024, 12, 31), 12, date(2025, 12, 31)),
    ],
)
def test_add_months_clamps_to_the_end_of_short_months(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


def test_consent_is_valid_through_the_day_before_the_anniversary() -> None:
    assert consent_valid_until(SIGNED, DEFAULT_POLICY) == date(2025, 3, 14)


def test_consent_on_the_day_before_expiry_is_valid() -> None:
    status = status_on(date(2025, 3, 14))
    assert status == ConsentStatus(ConsentState.VALID, date(2025, 3, 14))
    assert status.allows_infusion


def test_consent_on_the_anniversary_day_is_expired() -> None:
    status = status_on(date(2025, 3, 15))
    assert status == ConsentStatus(ConsentState.EXPIRED, date(2025, 3, 14))
    assert not status.allows_infusion


def test_consent_signed_on_the_day_is_valid_that_day() -> None:
    assert status_on(SIGNED).state is ConsentState.VALID


def test_leap_day_consent_expires_on_the_last_day_of_february() -> None:
    signed = date(2024, 2, 29)
    assert status_on(date(2025, 2, 27), signed).state is ConsentState.VALID
    assert status_on(date(2025, 2, 28), signed).state is ConsentState.EXPIRED


def test_interval_comes_from_the_clinic_policy() -> None:
    six = ClinicPolicy(reconsent_months=6)
    assert status_on(date(2024, 9, 14), policy=six).state is ConsentState.VALID
    assert status_on(date(2024, 9, 15), policy=six).state is ConsentState.EXPIRED


def test_a_new_major_version_needs_reconsent_even_inside_the_interval() -> None:
    status = status_on(date(2024, 4, 1), major=1, current=2)
    assert status.state is ConsentState.NEEDS_RECONSENT
    assert not status.allows_infusion


def test_a_minor_version_change_keeps_the_consent_valid() -> None:
    # Callers compare majors only: 1.0 signed, 1.3 current → same major.
    assert status_on(date(2024, 4, 1), major=1, current=1).state is ConsentState.VALID


def test_withdrawal_blocks_whatever_else_holds() -> None:
    assert status_on(date(2024, 4, 1), withdrawn=date(2024, 3, 20)).state is (
        ConsentState.WITHDRAWN
    )
    withdrawn_at = datetime(2024, 3, 20, 9, 5)
    assert status_on(date(2026, 1, 1), current=3, withdrawn=withdrawn_at).state is (
        ConsentState.WITHDRAWN
    )


def test_no_signature_is_missing() -> None:
    status = consent_status(None, None, 1, None, SIGNED, DEFAULT_POLICY)
    assert status == ConsentStatus(ConsentState.MISSING)
    assert "No signed consent" in status.describe("%m/%d/%Y")


def test_descriptions_name_the_dates_in_the_clinic_format() -> None:
    assert status_on(date(2024, 4, 1)).describe("%m/%d/%Y") == "Consent valid until 03/14/2025."
    assert "03/14/2025" in status_on(date(2025, 6, 1)).describe("%m/%d/%Y")
    assert "consent again" in status_on(date(2024, 4, 1), current=2).describe("%m/%d/%Y")


def test_a_zero_month_interval_is_refused() -> None:
    with pytest.raises(ValidationError):
        consent_valid_until(SIGNED, ClinicPolicy(reconsent_months=0))


@given(st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.integers(1, 60))
def test_valid_exactly_until_valid_until(signed: date, months: int) -> None:
    policy = ClinicPolicy(reconsent_months=months)
    until = consent_valid_until(signed, policy)
    assert until >= signed
    assert status_on(until, signed, policy=policy).state is ConsentState.VALID
    after = until + timedelta(days=1)
    assert status_on(after, signed, policy=policy).state is ConsentState.EXPIRED
