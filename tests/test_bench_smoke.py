"""The benchmark keeps working: every figure measured at toy size, in the promised shape.

``make bench`` is a tool, not a test (minutes on 100 000 patients); this runs the same
code on a 300-patient clinic with a few repeats, in a process of its own as ``make bench``
does, and checks what it prints — not the numbers, which mean nothing at this size.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import FAMILIES
from bench.harness import RESULTS

ROOT = Path(__file__).resolve().parent.parent
FIGURE_KEYS = {"name", "unit", "value", "baseline", "ratio", "target", "passed", "notes"}
# Every figure of the issue's table (and the generator), one family each.
EXPECTED = {
    "generate": {"generate_demo_clinic"},
    "search": {"search_as_you_type_p95"},
    "board": {"board_refresh"},
    "dialogs": {"dialog_open_p95", "find_keystroke_to_paint_p95"},
    "pdf": {"consent_pdf"},
    "cs_log": {"cs_log_pdf"},
    "startup": {"cold_start_to_sign_in", "sign_in_to_board"},
    "memory": {"memory_board_open"},
    "bundle": {"bundle_size"},
    "shared_db": {"shared_db_sqlite", "shared_db_postgresql"},
    "outcomes": {"outcomes_record_open"},
}


@pytest.fixture(scope="module")
def bench_output(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    cache = tmp_path_factory.mktemp("bench-cache")
    results_before = RESULTS.read_bytes() if RESULTS.exists() else None
    env = {**os.environ, "DESK_BENCH_CACHE": str(cache), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--patients", "300", "--quick", "--no-write"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    results_after = RESULTS.read_bytes() if RESULTS.exists() else None
    assert results_after == results_before  # --no-write leaves bench/results.json alone
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def _figures(output: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(item["name"]): item for item in output if "name" in item}


def test_bench_prints_every_figure_of_the_table_once(
    bench_output: list[dict[str, object]],
) -> None:
    names = [str(item["name"]) for item in bench_output if "name" in item]
    assert sorted(names) == sorted(set().union(*EXPECTED.values()))
    assert set(EXPECTED) == set(FAMILIES)


def test_each_figure_has_value_baseline_ratio_and_verdict(
    bench_output: list[dict[str, object]],
) -> None:
    for name, figure in _figures(bench_output).items():
        assert set(figure) == FIGURE_KEYS, name
        assert figure["passed"] in (True, False, None), name
        notes = figure["notes"]
        assert isinstance(notes, dict)
        assert "error" not in notes, (name, notes)
        if figure["passed"] is None:
            assert notes.get("skipped"), name  # a figure not judged says why
        else:
            assert isinstance(figure["value"], float | int) and figure["value"] > 0, name
        value, baseline = figure["value"], figure["baseline"]
        if baseline:
            assert isinstance(value, float | int) and isinstance(baseline, float | int)
            ratio = value / baseline  # both printed rounded
            assert figure["ratio"] == pytest.approx(ratio, rel=0.02), name


def test_figures_compared_with_a_bare_baseline_have_one(
    bench_output: list[dict[str, object]],
) -> None:
    figures = _figures(bench_output)
    for name in ("search_as_you_type_p95", "board_refresh", "consent_pdf",
                 "cold_start_to_sign_in", "memory_board_open"):
        assert figures[name]["baseline"], name


def test_machine_is_printed_with_the_versions(bench_output: list[dict[str, object]]) -> None:
    machines = [item["machine"] for item in bench_output if "machine" in item]
    assert len(machines) == 1
    machine = machines[0]
    assert isinstance(machine, dict)
    assert {"cores", "python", "qt", "sqlite"} <= set(machine)


def test_report_renders_every_figure_as_a_table_row(
    bench_output: list[dict[str, object]],
) -> None:
    from bench.report import table

    figures = [item for item in bench_output if "name" in item]
    machine = next(item["machine"] for item in bench_output if "machine" in item)
    text = table({"figures": figures, "machine": machine})
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == len(figures) + 1  # the header, then one row per figure
    assert "cores" in text
