"""From the checkout, shipped files are read in resources/, where people edit them.

Installed (wheel) and bundled (PyInstaller) copies live in ``desk/_resources``: see
tests/test_packaging.py and ``make bundle-test``.
"""

from __future__ import annotations

from pathlib import Path

from desk.domain.consent import parse_template
from desk.resources import resource_path, resource_root

SOURCE_ROOT = Path(__file__).resolve().parent.parent
SHIPPED = [
    ("fonts", "DejaVuSans.ttf"),
    ("fonts", "DejaVuSans-Bold.ttf"),
    ("consent", "ketamine-iv-en-1.0.txt"),
    ("consent", "ketamine-iv-es-1.0.txt"),
    ("icons", "desk.png"),
    ("guide", "receptionist.md"),
    ("guide", "screens", "board.png"),
]


def test_from_the_checkout_resources_are_read_in_the_folder_people_edit() -> None:
    assert resource_root() == SOURCE_ROOT / "resources"
    assert not (SOURCE_ROOT / "desk" / "_resources").exists()  # only builds make that copy
    for parts in SHIPPED:
        path = resource_path(*parts)
        assert path == SOURCE_ROOT / "resources" / Path(*parts)
        assert path.is_file()


def test_every_shipped_consent_template_parses_in_its_language() -> None:
    languages = {
        parse_template(path.read_text(encoding="utf-8")).language
        for path in resource_path("consent").glob("*.txt")
    }
    assert languages == {"en", "es"}
