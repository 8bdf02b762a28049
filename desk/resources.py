"""Where shipped resources (templates, fonts, icons, migrations) live, from source or bundle.

One helper so that the source tree and the PyInstaller bundle resolve paths the same way:
in a bundle PyInstaller unpacks data under ``sys._MEIPASS``; from source, ``resources/``
sits next to the ``desk`` package.
"""

from __future__ import annotations

import sys
from pathlib import Path


def base_dir() -> Path:
    """The folder that holds ``resources/`` (and, in a bundle, ``desk/``)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """Absolute path of a shipped resource, e.g. ``resource_path("fonts", "DejaVuSans.ttf")``."""
    return base_dir().joinpath("resources", *parts)
