"""The bundle's install.sh / uninstall.sh: a menu entry and icon in, then out; data kept."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGING = Path(__file__).resolve().parent.parent / "packaging" / "linux"
ICON = Path(__file__).resolve().parent.parent / "resources" / "icons" / "desk.png"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux scripts")


def _bundle(folder: Path) -> Path:
    """A bundle folder as PyInstaller lays it out, with a stand-in desk program."""
    folder.mkdir()
    for name in ("install.sh", "uninstall.sh", "infusion-desk.desktop.in"):
        shutil.copy2(PACKAGING / name, folder / name)
    icons = folder / "_internal" / "resources" / "icons"
    icons.mkdir(parents=True)
    shutil.copy2(ICON, icons / "desk.png")
    desk = folder / "desk"
    desk.write_text("#!/bin/sh\necho 'data folder: /home/x/.local/share/InfusionDesk'\n")
    desk.chmod(0o755)
    return folder


def _run(script: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "XDG_DATA_HOME": str(home / "share")}
    return subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=60)


def test_install_adds_a_menu_entry_for_this_folder_and_uninstall_keeps_the_data(
    tmp_path: Path,
) -> None:
    bundle = _bundle(tmp_path / "Infusion Desk")  # a space in the path, on purpose
    home = tmp_path / "home"
    data = home / "share" / "InfusionDesk" / "desk.sqlite3"
    data.parent.mkdir(parents=True)
    data.write_bytes(b"clinic")
    installed = _run(bundle / "install.sh", home)
    assert installed.returncode == 0, installed.stderr
    entry = home / "share" / "applications" / "infusion-desk.desktop"
    text = entry.read_text(encoding="utf-8")
    assert f'Exec="{bundle / "desk"}"' in text and "Icon=infusion-desk" in text
    icons = home / "share" / "icons" / "hicolor" / "256x256" / "apps"
    assert (icons / "infusion-desk.png").is_file()
    assert (home / ".local" / "bin" / "desk").resolve() == (bundle / "desk").resolve()
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(entry)], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stdout + check.stderr
    removed = _run(bundle / "uninstall.sh", home)
    assert removed.returncode == 0, removed.stderr
    assert not entry.exists() and not (home / ".local" / "bin" / "desk").exists()
    assert data.read_bytes() == b"clinic"
    assert "Kept: the clinic's data" in removed.stdout
