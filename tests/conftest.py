"""Shared fixtures: offscreen Qt, isolated folders, SQLite files and PostgreSQL databases."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ["tests.helpers.fixtures", "tests.helpers.logfail"]
