"""Shared fixtures: offscreen Qt, isolated folders, SQLite files and PostgreSQL databases."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The smallest screen at the clinic's desks; every window must fit it (test_every_dialog).
SCREEN = Path(__file__).parent / "helpers" / "screen-1366x768.json"


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    if os.environ["QT_QPA_PLATFORM"] == "offscreen":
        return ["desk-tests", "-platform", f"offscreen:configfile={SCREEN}"]
    return ["desk-tests"]

pytest_plugins = ["tests.helpers.fixtures", "tests.helpers.logfail"]
