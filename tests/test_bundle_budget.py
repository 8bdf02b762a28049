"""The bundle's size budget names every part over 1 MB, and fails on one nobody listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import bundle


def _file(path: Path, mb: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.truncate(int(mb * 2**20))  # sparse: the size is what the budget reads


@pytest.fixture
def fake_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "InfusionDesk"
    _file(folder / "desk", 11)
    _file(folder / "_internal" / "libsqlite3.so.0", 1.4)
    _file(folder / "_internal" / "PySide6" / "Qt" / "lib" / "libQt6Core.so.6", 7.2)
    _file(folder / "_internal" / "pypdfium2_raw" / "libpdfium.so", 6.8)
    _file(folder / "_internal" / "tiny.so", 0.5)
    monkeypatch.setattr(bundle, "DIST", folder)
    return folder


def test_every_part_over_1_mb_is_listed_with_the_feature_that_needs_it(
    fake_bundle: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    parts = {part.path: part for part in bundle.budget(fake_bundle)}
    assert set(parts) == {"desk", "_internal/libsqlite3.so.0",
                          "_internal/PySide6/Qt/lib/libQt6Core.so.6", "_internal/pypdfium2_raw"}
    assert "PDF viewer" in (parts["_internal/pypdfium2_raw"].feature or "")
    assert bundle.main() == 0
    assert "| `_internal/pypdfium2_raw` | 6.8 | PDF viewer" in capsys.readouterr().out


def test_a_new_part_over_1_mb_that_nobody_listed_fails_the_budget(
    fake_bundle: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    _file(fake_bundle / "_internal" / "libnewthing.so.1", 2.5)
    assert bundle.main() == 1
    captured = capsys.readouterr()
    assert "| `_internal/libnewthing.so.1` | 2.5 | **UNLISTED** |" in captured.out
    assert "_internal/libnewthing.so.1" in captured.err
