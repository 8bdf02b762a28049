"""Fail any test that logs an unexpected warning or error (qutebrowser's logfail habit).

Silent trouble cannot hide: a test that expects a warning says so with
``@pytest.mark.expected_log``... or uses ``caplog`` and clears it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "expected_log: the test expects warnings in the log")


@pytest.fixture(autouse=True)
def fail_on_logged_warnings(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    caplog.set_level(logging.WARNING)
    yield
    if request.node.get_closest_marker("expected_log"):
        return
    bad = [r for r in caplog.get_records("call") if r.levelno >= logging.WARNING]
    if bad:
        lines = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in bad)
        pytest.fail(f"unexpected log output:\n{lines}", pytrace=False)
