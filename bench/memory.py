"""Figure: peak RSS of a desk process with the board open on the big clinic, vs a bare window.

Both numbers are the process's own ``ru_maxrss`` (peak resident set), reported by the
probe itself: the desk after signing in through the real window and painting the day
board (then 0.3 s of event loop), the bare PySide6 window after its first paint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.clinic import Clinic
from bench.harness import Figure, Scale, child_env, last_json, python_command, time_until_line
from bench.probes import BARE_WINDOW, SHOWN_MARKER
from bench.startup import signin_probe

TARGET_MB = 200.0


def bare_window_rss_kb(home: Path) -> int:
    _, output = time_until_line(python_command(BARE_WINDOW), SHOWN_MARKER, child_env(home))
    return int(last_json(output)["maxrss_kb"])


def measure(
    clinic: Clinic, scale: Scale, scratch: Path, found: dict[str, Any] | None = None
) -> Figure:
    """Uses the start-up figures' probes when they ran in this run (``found``)."""
    found = found or {}
    home = scratch / "memory-home"
    desk = found.get("signin") or signin_probe(clinic, home)
    desk_mb = int(desk["maxrss_kb"]) / 1024
    bare_mb = int(found.get("bare_kb") or bare_window_rss_kb(home)) / 1024
    return Figure(
        name="memory_board_open",
        unit="MB",
        value=desk_mb,
        baseline=bare_mb,
        target=f"<= {TARGET_MB:g} MB peak RSS",
        passed=desk_mb <= TARGET_MB,
        notes={
            "patients": clinic.patients,
            "board_rows": desk["rows"],
            "above_bare_mb": round(desk_mb - bare_mb, 1),
            # The peak includes argon2's 64 MiB working memory during the password check.
            "rss_after_sign_in_mb": round(int(desk.get("rss_now_kb", 0)) / 1024, 1),
            "how": "peak RSS (VmHWM) of the probe process itself, reported by the probe",
        },
    )
