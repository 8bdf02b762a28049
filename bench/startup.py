"""Figures: cold start to the sign-in window, and sign-in to the day board, in fresh processes.

Cold start: from spawning the interpreter to the sign-in window's first paint (the desk
prints a marker when ``DESK_BENCH_EXIT_ON_SHOWN=1``, see ``desk.ui.app``), against a bare
PySide6 window with a QTableView started the same way, alternating, median of each.

Sign-in to board: in a fresh desk process on the big clinic, from clicking Sign in
(the real dialog: password check on its worker thread) to the main window's board
painted with the day's visits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.clinic import RECEPTION_USER, Clinic
from bench.harness import (
    Figure,
    Scale,
    child_env,
    last_json,
    median,
    python_command,
    run_json,
    summary_ms,
    time_until_line,
)
from bench.probes import BARE_WINDOW, DESK_MAIN, SHOWN_MARKER
from desk.services.demo import DEMO_PASSWORD

TARGET_RATIO = 1.5
TARGET_SIGNIN_S = 1.0
COLD_REPEATS = 7
SIGNIN_REPEATS = 3


def cold_start(
    clinic: Clinic, repeats: int, home: Path, found: dict[str, Any], warm: bool = True
) -> tuple[list[float], list[float]]:
    """Alternating desk and bare starts; ``found["bare_kb"]`` gets the bare window's RSS."""
    desk_env = child_env(home, {"DESK_BENCH_EXIT_ON_SHOWN": "1"})
    bare_env = child_env(home)
    desk_cmd = python_command(DESK_MAIN, "--db", clinic.url)
    bare_cmd = python_command(BARE_WINDOW)
    desk_s: list[float] = []
    bare_s: list[float] = []
    if warm:  # one start of each first, untimed: the file cache then holds both
        time_until_line(bare_cmd, SHOWN_MARKER, bare_env)
        time_until_line(desk_cmd, SHOWN_MARKER, desk_env)
    for _ in range(repeats):
        desk_s.append(time_until_line(desk_cmd, SHOWN_MARKER, desk_env)[0])
        seconds, output = time_until_line(bare_cmd, SHOWN_MARKER, bare_env)
        bare_s.append(seconds)
        found["bare_kb"] = int(last_json(output)["maxrss_kb"])
    return desk_s, bare_s


def signin_probe(clinic: Clinic, home: Path) -> dict[str, Any]:
    command = python_command(
        "import sys\nfrom bench.probes import main\nsys.exit(main(sys.argv[1:]))\n",
        "signin", clinic.url, RECEPTION_USER, DEMO_PASSWORD,
    )
    return run_json(command, child_env(home))


def measure(
    clinic: Clinic, scale: Scale, scratch: Path, found: dict[str, Any] | None = None
) -> list[Figure]:
    """The two start-up figures; ``found`` gets the probes' peak RSS for the memory figure."""
    found = {} if found is None else found
    home = scratch / "startup-home"
    desk_s, bare_s = cold_start(
        clinic, scale.repeats(COLD_REPEATS, 1), home, found, warm=not scale.quick
    )
    value, baseline = median(desk_s), median(bare_s)
    runs = [signin_probe(clinic, home) for _ in range(scale.repeats(SIGNIN_REPEATS, 1))]
    found["signin"] = max(runs, key=lambda run: run["maxrss_kb"])
    signin_s = median([run["signin_to_board_s"] for run in runs])
    return [
        Figure(
            name="cold_start_to_sign_in",
            unit="s",
            value=value,
            baseline=baseline,
            target=f"ratio <= {TARGET_RATIO}",
            passed=baseline > 0 and value / baseline <= TARGET_RATIO,
            notes={
                "desk_ms": summary_ms([s * 1000 for s in desk_s]),
                "bare_ms": summary_ms([s * 1000 for s in bare_s]),
                "how": "spawn to first paint of the window (offscreen), median",
            },
        ),
        Figure(
            name="sign_in_to_board",
            unit="s",
            value=signin_s,
            baseline=None,
            target=f"<= {TARGET_SIGNIN_S:g} s",
            passed=signin_s <= TARGET_SIGNIN_S,
            notes={
                "patients": clinic.patients,
                "board_rows": runs[0]["rows"],
                "runs_s": [round(run["signin_to_board_s"], 3) for run in runs],
                "how": "click Sign in (argon2 check included) to the board painted with rows",
            },
        ),
    ]
