"""Where shipped resources (consent templates, fonts, icons, the user guide) are found.

``resources/`` at the top of the checkout is the folder people edit. Building the wheel
(``setup.py``) and the PyInstaller bundle (``build.spec``) both copy it into the package as
``desk/_resources``, so an installed desk finds it beside this module, with no checkout in
sight; from the checkout (editable install, tests) it is read where it is edited. The
bundle needs no case of its own: PyInstaller gives this module a ``__file__`` inside its
unpacked folder, next to the ``desk/_resources`` it bundled.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
PACKAGED = _PACKAGE / "_resources"
SOURCE = _PACKAGE.parent / "resources"


def resource_root() -> Path:
    """The folder holding the shipped resources: the packaged copy, else the checkout's."""
    return PACKAGED if PACKAGED.is_dir() else SOURCE


def resource_path(*parts: str) -> Path:
    """Absolute path of a shipped resource, e.g. ``resource_path("fonts", "DejaVuSans.ttf")``."""
    return resource_root().joinpath(*parts)
