"""``python -m bench.report``: bench/results.json as the Markdown table of docs/performance.md."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.harness import RESULTS

_VERDICT = {True: "pass", False: "**FAIL**", None: "not judged"}


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms" and value < 1:
        return f"{value:.3f} ms"
    precision = 2 if value < 10 else 1 if value < 100 else 0
    return f"{value:.{precision}f} {unit}".strip()


def table(payload: dict[str, Any]) -> str:
    lines = [
        "| figure | value | baseline (same run) | ratio | target | verdict |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for fig in payload["figures"]:
        ratio = "—" if fig["ratio"] is None else f"{fig['ratio']:.2f}"
        verdict = _VERDICT[fig["passed"]]
        if fig["passed"] is None and fig["notes"].get("skipped"):
            verdict += f" ({fig['notes']['skipped']})"
        lines.append(
            f"| {fig['name']} | {_number(fig['value'], fig['unit'])} "
            f"| {_number(fig['baseline'], fig['unit'])} | {ratio} | {fig['target']} "
            f"| {verdict} |"
        )
    info = payload["machine"]
    lines.append("")
    lines.append(
        f"Machine: {info['cores']} cores, Python {info['python']}, Qt {info['qt']} "
        f"(PySide6 {info.get('pyside6', info['qt'])}), SQLite {info['sqlite']}, "
        f"{info['platform']}."
    )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else RESULTS
    if not path.exists():
        print(f"no results at {path}: run 'make bench' first", file=sys.stderr)
        return 1
    print(table(json.loads(path.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
