"""Shared benchmark plumbing: timing, percentiles, machine facts and the JSON figures."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"


@dataclass
class Figure:
    """One measured figure: value vs a baseline from the same run, and the verdict."""

    name: str
    unit: str
    value: float
    baseline: float | None
    target: str
    passed: bool
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if not self.baseline:
            return None
        return round(self.value / self.baseline, 3)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = self.ratio
        data["value"] = round(self.value, 4)
        data["baseline"] = None if self.baseline is None else round(self.baseline, 4)
        return data


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` took (perf_counter)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def sample_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    return [timed(fn) * 1000 for _ in range(repeat)]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def machine() -> dict[str, Any]:
    try:
        from PySide6 import __version__ as qt_version
    except ImportError:  # pragma: no cover - Qt is a dependency
        qt_version = "missing"
    return {
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "qt": qt_version,
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }


def emit(figures: list[Figure], *, write: bool = True) -> None:
    """Print one JSON object per figure, then the machine; save them to results.json."""
    info = machine()
    print(json.dumps({"machine": info}))
    for fig in figures:
        print(json.dumps(fig.as_json(), ensure_ascii=False))
    if write:
        payload = {"machine": info, "figures": [f.as_json() for f in figures]}
        RESULTS.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
