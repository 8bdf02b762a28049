"""``python -m bench``: measure every figure on the generated clinic and print JSON lines.

    python -m bench [--patients N] [--only FIGURE ...] [--no-write] [--quick]

Each figure is one JSON object (value, baseline from the same run, ratio, pass/fail);
the machine comes last; everything is also written to bench/results.json. ``--quick`` is
the smoke test's toy mode (few repeats, no bare PyInstaller build).

Each group of figures runs in a fresh interpreter (``--in-process``), so no figure feels
what an earlier one left behind: after generating 100 000 patients in the same process,
the search's p95 doubled (an artefact of that process's large heap).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.harness import ROOT, Figure, Scale, emit, emit_one

FAMILIES = ("generate", "search", "board", "dialogs", "pdf", "cs_log", "startup", "memory",
            "bundle", "shared_db", "outcomes")
# Families measured in one process: memory reuses the start-up figures' probes.
GROUPS = (("generate",), ("search",), ("board",), ("dialogs",), ("pdf",), ("cs_log",),
          ("startup", "memory"),
          ("bundle",), ("shared_db",), ("outcomes",))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", nargs="+", choices=FAMILIES, metavar="FIGURE",
                        help=f"measure only these ({', '.join(FAMILIES)})")
    parser.add_argument("--no-write", action="store_true", help="do not write results.json")
    parser.add_argument("--quick", action="store_true", help="toy repeats (smoke test)")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    wanted = list(args.only or FAMILIES)
    if args.in_process:
        figures = measure_here(Scale(args.patients, args.seed, args.quick), wanted)
    else:
        figures = []
        for group in GROUPS:
            if any(family in wanted for family in group):
                figures += _measure_apart(args, [f for f in group if f in wanted])
    emit(figures, write=not args.no_write, echo=False)
    return 0 if all(f.passed is not False for f in figures) else 1


def _measure_apart(args: argparse.Namespace, families: list[str]) -> list[Figure]:
    """Run ``families`` in a fresh interpreter; its figures, echoed as they arrive."""
    command = [sys.executable, "-m", "bench", "--in-process", "--no-write",
               "--patients", str(args.patients), "--seed", str(args.seed), "--only", *families]
    if args.quick:
        command.append("--quick")
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    figures = []
    for line in proc.stdout:
        item = json.loads(line) if line.startswith("{") else {}
        if "name" in item:
            print(line, end="", flush=True)
            figures.append(Figure(**{k: v for k, v in item.items() if k != "ratio"}))
    if proc.wait() != 0 and not figures:
        error = {"error": f"the benchmark process failed with status {proc.returncode}"}
        figures = [Figure(family, "", None, None, "", False, error) for family in families]
    return figures


def measure_here(scale: Scale, wanted: list[str]) -> list[Figure]:
    """Measure ``wanted`` in this process, printing each figure as it is measured."""
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="desk-bench-") as scratch:
        _isolate(Path(scratch))
        for family, run in _plan(scale, wanted, Path(scratch)):
            print(f"bench: measuring {family}…", file=sys.stderr, flush=True)
            started = time.perf_counter()
            try:
                measured = run()
            except Exception as exc:  # one broken figure must not hide the others
                traceback.print_exc()
                measured = [Figure(family, "", None, None, "", False, {"error": repr(exc)})]
            took = time.perf_counter() - started
            print(f"bench: {family} took {took:.1f} s", file=sys.stderr, flush=True)
            for fig in measured:
                emit_one(fig)
            figures += measured
    return figures


def _isolate(scratch: Path) -> None:
    # Logs and settings of the desk under test go to the scratch folder, never the user's.
    os.environ["DESK_DATA_DIR"] = str(scratch / "home" / "data")
    os.environ["DESK_CONFIG_DIR"] = str(scratch / "home" / "config")
    os.environ.pop("DESK_DATABASE_URL", None)


def _plan(
    scale: Scale, wanted: list[str], scratch: Path
) -> list[tuple[str, Callable[[], list[Figure]]]]:
    """The figure families in order; the clinic is generated (or taken from the cache) once.

    Each family imports its own module when it runs: a process measuring the PDF has no
    business paying for Qt's imports, and the smoke test starts seven of these.
    """
    state: dict[str, Any] = {}
    found: dict[str, Any] = {}  # probe results the memory figure reuses

    def the_clinic() -> Any:
        from bench import clinic

        if "clinic" not in state:
            state["clinic"] = clinic.cached_clinic(scale.patients, scale.seed)
        return state["clinic"]

    def work_copy() -> Any:
        from bench import clinic

        if "copy" not in state:
            state["copy"] = clinic.working_copy(the_clinic(), scratch / "work")
        return state["copy"]

    def run_generate() -> list[Figure]:
        from bench import generate

        figure, state["clinic"] = generate.measure(scale)
        return [figure]

    def run(module: str, one: bool, *args: Callable[[], object]) -> Callable[[], list[Figure]]:
        def go() -> list[Figure]:
            measure = importlib.import_module(f"bench.{module}").measure
            result = measure(*(arg() for arg in args))
            return [result] if one else list(result)

        return go

    table: dict[str, Callable[[], list[Figure]]] = {
        "generate": run_generate,
        "search": run("search", True, the_clinic, lambda: scale),
        "board": run("board", False, the_clinic, lambda: scale),
        "dialogs": run("dialogs", False, work_copy, lambda: scale),
        "pdf": run("pdf", True, lambda: scale),
        "cs_log": run("cs_log", True, lambda: scale),
        "startup": run("startup", False, work_copy, lambda: scale, lambda: scratch, lambda: found),
        "memory": run("memory", True, work_copy, lambda: scale, lambda: scratch, lambda: found),
        "bundle": run("bundle", True, lambda: scale, lambda: scratch),
        "shared_db": run("shared_db", False, work_copy, lambda: scale, lambda: scratch),
        "outcomes": run("outcomes", True, work_copy, lambda: scale),
    }
    return [(family, table[family]) for family in FAMILIES if family in wanted]


if __name__ == "__main__":
    sys.exit(main())
