"""Fixtures for reliability tests: a fresh PostgreSQL database per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.fixtures import scratch_pg_database


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test alone, dropped afterwards."""
    with scratch_pg_database("desk_rel") as url:
        yield url


@pytest.fixture(autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Fast argon2 for the staff these tests create (production parameters: test_auth)."""
    from tests.helpers.clinic_flow import cheap_password_hashing

    with cheap_password_hashing():
        yield
