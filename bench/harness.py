"""Shared benchmark plumbing: timing, percentiles, machine facts, probes and the JSON figures."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Scale:
    """How big and how often: the real run (100 000 patients) or the smoke test's toy size."""

    patients: int = 100_000
    seed: int = 1
    quick: bool = False  # toy repeats, no bare PyInstaller build, one shared-db sample

    def repeats(self, full: int, quick: int = 3) -> int:
        return quick if self.quick else full


@dataclass
class Figure:
    """One measured figure: value vs a baseline from the same run, and the verdict.

    ``passed`` is None when the figure could not be judged (``notes["skipped"]`` says why).
    """

    name: str
    unit: str
    value: float | None
    baseline: float | None
    target: str
    passed: bool | None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if not self.baseline or self.value is None:
            return None
        return round(self.value / self.baseline, 3)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = self.ratio
        data["value"] = None if self.value is None else round(self.value, 4)
        data["baseline"] = None if self.baseline is None else round(self.baseline, 4)
        return data


def skipped(name: str, unit: str, target: str, why: str, **notes: Any) -> Figure:
    """A figure that could not be measured on this machine, saying why."""
    return Figure(name, unit, None, None, target, None, {"skipped": why, **notes})


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` took (perf_counter)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def sample_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    return [timed(fn) * 1000 for _ in range(repeat)]


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def summary_ms(values: Sequence[float]) -> dict[str, float]:
    """p50/p95/max of a sample, rounded for the notes."""
    return {
        "p50": round(percentile(values, 50), 3),
        "p95": round(percentile(values, 95), 3),
        "max": round(max(values, default=0.0), 3),
        "n": len(values),
    }


def machine() -> dict[str, Any]:
    try:
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion
    except ImportError:  # pragma: no cover - Qt is a dependency
        pyside_version, qt_version = "missing", "missing"
    else:
        qt_version = qVersion()
    return {
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "qt": qt_version,
        "pyside6": pyside_version,
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }


def emit_one(fig: Figure) -> None:
    """Print one figure as a JSON line as soon as it is measured."""
    print(json.dumps(fig.as_json(), ensure_ascii=False), flush=True)


def emit(figures: list[Figure], *, write: bool = True, echo: bool = True) -> None:
    """Print the machine and (unless already printed) every figure; save to results.json."""
    info = machine()
    print(json.dumps({"machine": info}), flush=True)
    if echo:
        for fig in figures:
            emit_one(fig)
    if write:
        payload = {"machine": info, "figures": [f.as_json() for f in figures]}
        RESULTS.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


# --- probes: small programs run in their own process --------------------------------------


def python_command(code: str, *args: str) -> list[str]:
    """The same interpreter and flags for the desk and for its bare baseline."""
    return [sys.executable, "-c", code, *args]


def child_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for a probe: offscreen Qt and private data/config folders."""
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        DESK_DATA_DIR=str(home / "data"),
        DESK_CONFIG_DIR=str(home / "config"),
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
    )
    env.pop("DESK_DATABASE_URL", None)
    env.update(extra or {})
    return env


def time_until_line(
    command: list[str], marker: str, env: Mapping[str, str], timeout: float = 60.0
) -> tuple[float, str]:
    """Seconds from spawning ``command`` until it prints a line starting with ``marker``.

    Returns the time and the rest of the process's output; the process must finish on
    its own within ``timeout`` seconds of its start, or it is killed. Errors go to a file,
    not a pipe, so a chatty probe never blocks on a full stderr pipe while we read stdout.
    """
    with tempfile.TemporaryFile("w+") as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=errors, text=True, env=dict(env)
        )
        assert proc.stdout is not None
        watchdog = threading.Timer(timeout, proc.kill)  # a probe that never shows up
        watchdog.start()
        try:
            elapsed = None
            for line in proc.stdout:
                if line.startswith(marker):
                    elapsed = time.perf_counter() - start
                    break
            rest = proc.stdout.read()
            proc.wait()
        finally:
            watchdog.cancel()
        if elapsed is None:
            errors.seek(0)
            raise RuntimeError(f"{command[0]} never printed {marker!r}: {errors.read()[-800:]}")
    return elapsed, rest


def run_json(command: list[str], env: Mapping[str, str], timeout: float = 120.0) -> dict[str, Any]:
    """Run a probe to the end and return the last JSON object it printed."""
    done = subprocess.run(
        command, capture_output=True, text=True, env=dict(env), timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"probe failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    return last_json(done.stdout)


def last_json(output: str) -> dict[str, Any]:
    """The last JSON object a probe printed."""
    for line in reversed(output.splitlines()):
        if line.startswith("{"):
            return dict(json.loads(line))
    raise RuntimeError("the probe printed no result")
