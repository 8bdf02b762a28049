"""Shipped files resolve the same way from the source tree and from a PyInstaller bundle."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from desk.resources import base_dir, resource_path

SOURCE_ROOT = Path(__file__).resolve().parent.parent
SHIPPED = [
    ("fonts", "DejaVuSans.ttf"),
    ("fonts", "DejaVuSans-Bold.ttf"),
    ("consent", "ketamine-iv-en-1.0.txt"),
    ("consent", "ketamine-iv-es-1.0.txt"),
    ("icons", "desk.png"),
]


def test_from_source_resources_sit_next_to_the_package() -> None:
    assert base_dir() == SOURCE_ROOT
    for parts in SHIPPED:
        path = resource_path(*parts)
        assert path == SOURCE_ROOT / "resources" / Path(*parts)
        assert path.is_file()


@pytest.fixture
def fake_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder laid out as PyInstaller unpacks the desk, with sys.frozen/_MEIPASS set."""
    bundle = tmp_path / "_internal"
    for parts in SHIPPED:
        target = bundle / "resources" / Path(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SOURCE_ROOT / "resources" / Path(*parts), target)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    return bundle


def test_in_a_bundle_resources_resolve_under_meipass(fake_bundle: Path) -> None:
    assert base_dir() == fake_bundle
    for parts in SHIPPED:
        path = resource_path(*parts)
        assert path == fake_bundle / "resources" / Path(*parts)
        assert path.read_bytes() == (SOURCE_ROOT / "resources" / Path(*parts)).read_bytes()


def test_a_consent_template_parses_from_the_bundle(fake_bundle: Path) -> None:
    from desk.domain.consent import parse_template

    text = resource_path("consent", "ketamine-iv-en-1.0.txt").read_text(encoding="utf-8")
    assert parse_template(text).language == "en"


def test_meipass_without_frozen_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Some tools set _MEIPASS-like attributes; only a real frozen program is a bundle.
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert base_dir() == SOURCE_ROOT
