"""A desk that cannot get the write lock in time says so in one sentence and saves nothing."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from desk.db import engine as engine_module
from desk.domain.errors import DatabaseUnavailable
from desk.services import audit
from desk.services.database import open_database
from tests.helpers import clinic_flow


def test_a_write_lock_held_elsewhere_gives_a_clear_busy_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "clinic.sqlite3"
    setup_engine = open_database(f"sqlite:///{path}")
    clinic_flow.create_clinic(setup_engine)
    setup_engine.dispose()
    # The real wait is 15 s; a short one keeps the test quick and changes nothing else.
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 200)
    engine = open_database(f"sqlite:///{path}")
    flow = clinic_flow.Flow(engine, "front-desk", random.Random(1))
    before = audit.change_counter(flow.admin)
    other_desk = sqlite3.connect(path, isolation_level=None)
    other_desk.execute("BEGIN IMMEDIATE")  # another workstation in the middle of a save
    try:
        with pytest.raises(DatabaseUnavailable) as busy:
            flow.register(1)
        assert str(busy.value) == (
            "The database is busy on another workstation. Try again in a moment."
        )
    finally:
        other_desk.execute("ROLLBACK")
        other_desk.close()
    assert audit.change_counter(flow.admin) == before
    flow.register(1)  # once the other desk is done, the same save goes through
    assert audit.change_counter(flow.admin) == before + 1
    engine.dispose()
