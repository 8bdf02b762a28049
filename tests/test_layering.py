"""The import direction of DESIGN.md: ui → services → (domain, db, pdf); domain imports none."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DESK = Path(__file__).resolve().parent.parent / "desk"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(package: str) -> list[Path]:
    return sorted((DESK / package).rglob("*.py"))


def _offending(package: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in _modules(package):
        for name in _imports(path):
            if name.split(".")[0] in forbidden or name.startswith(forbidden):
                bad.append(f"{path.relative_to(DESK.parent)} imports {name}")
    return bad


def test_layers_exist() -> None:
    for package in ("domain", "db", "services", "pdf", "ui"):
        assert _modules(package), f"desk/{package} has no modules"


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("domain", ("PySide6", "sqlalchemy", "alembic", "reportlab", "desk.db", "desk.services",
                    "desk.ui", "desk.pdf")),
        ("ui", ("sqlalchemy", "alembic", "desk.db.models", "desk.db.engine")),
        ("services", ("PySide6", "desk.ui")),
        ("db", ("PySide6", "desk.services", "desk.ui")),
        ("pdf", ("PySide6", "sqlalchemy", "desk.services", "desk.ui", "desk.db")),
    ],
)
def test_imports_point_one_way(package: str, forbidden: tuple[str, ...]) -> None:
    assert _offending(package, forbidden) == []



def test_background_work_starts_in_one_place_only() -> None:
    """Threads and pools start only in desk/ui/tasks.py: one place to work around a binding bug."""
    starters = ("threading.Thread", "Thread(", "ThreadPoolExecutor", "QThreadPool", "QThread(",
                "QRunnable", "QtConcurrent")
    bad = [
        f"{path.relative_to(DESK.parent)} uses {word}"
        for path in sorted(DESK.rglob("*.py")) if path != DESK / "ui" / "tasks.py"
        for word in starters if word in path.read_text(encoding="utf-8")
    ]
    assert bad == []
