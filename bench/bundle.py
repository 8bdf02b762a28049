"""Figure: size of the PyInstaller one-folder build vs a bare PySide6 window bundled alike.

The desk's folder is ``dist/InfusionDesk`` from ``make bundle`` (build.spec). The
baseline is the bare window (``bench.probes.BARE_WINDOW``) frozen by PyInstaller in a
scratch folder with the same Qt exclusions and plugin pruning as build.spec, so the
ratio shows what the desk itself adds. Without ``dist/`` the figure is skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.harness import ROOT, Figure, Scale, child_env, median, skipped, time_until_line
from bench.probes import BARE_WINDOW, SHOWN_MARKER

TARGET_RATIO = 1.3
DIST = ROOT / "dist" / "InfusionDesk"


def folder_mb(folder: Path) -> float:
    """Bytes of the regular files under ``folder`` (symlinks not followed), in MB."""
    total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
    return total / 2**20


def bare_spec(script: Path) -> str:
    """build.spec with no desk data or hidden imports, freezing ``script`` as BareWindow.

    Everything else (Qt exclusions, plugin and library pruning, strip) stays as it is.
    """
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    spec = spec.replace("ROOT = Path(SPECPATH)", f"ROOT = Path({str(ROOT)!r})")
    cut_from, cut_to = spec.index("\ndatas = ["), spec.index("\nQT_UNUSED")
    spec = spec[:cut_from] + "\ndatas = []\nhiddenimports = []\n" + spec[cut_to:]
    changes = (("[str(launcher)]", f"[{str(script)!r}]"), ("name=NAME,", "name='BareWindow',"))
    for old, new in changes:
        if old not in spec:
            raise ValueError(f"build.spec has changed shape: no {old!r}")
        spec = spec.replace(old, new)
    return spec


def build_bare(scratch: Path) -> Path:
    work = scratch / "bare-bundle"
    work.mkdir(parents=True, exist_ok=True)
    script = work / "bare_window.py"
    script.write_text(BARE_WINDOW, encoding="utf-8")
    spec = work / "bare.spec"
    spec.write_text(bare_spec(script), encoding="utf-8")
    pyinstaller = Path(sys.executable).with_name("pyinstaller")
    subprocess.run(
        [str(pyinstaller), "--noconfirm", "--log-level", "WARN",
         "--distpath", str(work / "dist"), "--workpath", str(work / "build"), str(spec)],
        check=True, capture_output=True, text=True, cwd=work,
        env={**os.environ, "PYTHONPATH": ""},
    )
    return work / "dist" / "BareWindow"


def bundle_cold_start(scratch: Path, repeats: int) -> float | None:
    """Median seconds from starting the bundled desk to its sign-in window painted.

    None when this bundle predates the start-up marker (``desk.ui.app.SHOWN_MARKER``).
    """
    program = DIST / ("desk.exe" if sys.platform == "win32" else "desk")
    database = scratch / "bundle-start" / "clinic.sqlite3"
    env = child_env(scratch / "bundle-home", {"DESK_BENCH_EXIT_ON_SHOWN": "1"})
    command = [str(program), "--db", f"sqlite:///{database}"]
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        time_until_line(command, SHOWN_MARKER, env, timeout=60)  # untimed: fills the file cache
        return median([time_until_line(command, SHOWN_MARKER, env)[0] for _ in range(repeats)])
    except (OSError, RuntimeError):
        return None


def measure(scale: Scale, scratch: Path) -> Figure:
    target = f"ratio <= {TARGET_RATIO}"
    if not DIST.is_dir():
        return skipped("bundle_size", "MB", target, "dist/InfusionDesk is absent: run make bundle")
    desk_mb = folder_mb(DIST)
    started = bundle_cold_start(scratch, scale.repeats(5, 1))
    cold = {"bundle_cold_start_s": None if started is None else round(started, 3)}
    if scale.quick:
        return Figure("bundle_size", "MB", desk_mb, None, target, None,
                      {"skipped": "quick mode: the bare bundle is not built", **cold})
    try:
        bare_mb = folder_mb(build_bare(scratch))
    except (ValueError, subprocess.CalledProcessError) as exc:
        return Figure("bundle_size", "MB", desk_mb, None, target, None,
                      {"skipped": f"the bare bundle could not be built: {exc}", **cold})
    return Figure(
        name="bundle_size",
        unit="MB",
        value=desk_mb,
        baseline=bare_mb,
        target=target,
        passed=desk_mb / bare_mb <= TARGET_RATIO,
        notes={"folder": "dist/InfusionDesk", **cold,
               "how": "sum of file sizes; bare window frozen with build.spec's Qt exclusions "
               "and plugin pruning; cold start = bundled desk to sign-in window painted"},
    )
