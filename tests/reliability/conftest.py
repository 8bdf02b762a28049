"""Fixtures for reliability tests: a fresh PostgreSQL database per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.fixtures import workstation_pg_database


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """A new PostgreSQL database for this test alone (schema made by its owner), reached
    as a clinic workstation is: with the least-privilege login ``desk init`` creates."""
    with workstation_pg_database("desk_rel") as (_owner, workstation_url):
        yield workstation_url


@pytest.fixture(autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Fast argon2 for the staff these tests create (production parameters: test_auth)."""
    from tests.helpers.clinic_flow import cheap_password_hashing

    with cheap_password_hashing():
        yield
