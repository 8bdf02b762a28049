"""Fixtures for reliability tests: a fresh PostgreSQL database per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.helpers.fixtures import PG_URL


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test alone, dropped afterwards."""
    try:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT",
                              connect_args={"connect_timeout": 3})
        with admin.connect():
            pass
    except Exception:
        pytest.skip(f"PostgreSQL does not answer at {make_url(PG_URL).render_as_string()}")
    name = f"desk_rel_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Fast argon2 for the staff these tests create (production parameters: test_auth)."""
    from tests.helpers.clinic_flow import cheap_password_hashing

    with cheap_password_hashing():
        yield
