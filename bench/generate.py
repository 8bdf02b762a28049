"""Figure: generating the demo clinic (patients, two years of visits) with bulk inserts."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from bench.clinic import Clinic, cached_clinic
from bench.harness import Figure, Scale

TARGET_SECONDS = 60.0


def measure(scale: Scale) -> tuple[Figure, Clinic]:
    """Generate the clinic afresh (timed) and leave it in the cache for the other figures."""
    clinic = cached_clinic(scale.patients, scale.seed, regenerate=True)
    seconds = clinic.generate_seconds or 0.0
    with closing(sqlite3.connect(clinic.path)) as conn:
        visits = conn.execute("SELECT count(*) FROM visit").fetchone()[0]
    figure = Figure(
        name="generate_demo_clinic",
        unit="s",
        value=seconds,
        baseline=None,
        target=f"< {TARGET_SECONDS:.0f} s (100 000 patients)",
        passed=seconds < TARGET_SECONDS,
        notes={
            "patients": scale.patients,
            "visits": visits,
            "seed": scale.seed,
            "database_mb": round(clinic.path.stat().st_size / 2**20, 1),
            "how": "load_demo() into a new SQLite file: Core bulk inserts, one transaction",
        },
    )
    return figure, clinic
