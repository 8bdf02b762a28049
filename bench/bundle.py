"""Figure: size of the PyInstaller one-folder build vs a bare PySide6 window bundled alike.

The desk's folder is ``dist/InfusionDesk`` from ``make bundle`` (build.spec). The
baseline is the bare window (``bench.probes.BARE_WINDOW``) frozen by PyInstaller in a
scratch folder with the same Qt exclusions and plugin pruning as build.spec, so the
ratio shows what the desk itself adds. Without ``dist/`` the figure is skipped.

The size budget: every component over 1 MB (``BUDGET``) is listed with the feature that
needs it, and a component nobody listed fails the figure. ``python -m bench.bundle``
(``make bundle-budget``) prints that table alone and exits 1 on an unlisted component.
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.harness import ROOT, Figure, Scale, child_env, median, skipped, time_until_line
from bench.probes import BARE_WINDOW, SHOWN_MARKER

TARGET_RATIO = 1.3
DIST = ROOT / "dist" / "InfusionDesk"
BUDGET_FLOOR_MB = 1.0
BARE = "the bare window has it too"
# Folders whose entries are components of their own; any other file or folder is one.
SPLIT = {"_internal", "_internal/PySide6", "_internal/PySide6/Qt", "_internal/PySide6/Qt/lib"}
# The Linux bundle (the one CI builds): component pattern (fnmatch) -> the feature that
# needs it. A new component over 1 MB must be added here, with its reason, or removed.
BUDGET: dict[str, str] = {
    "desk": "the program: the desk's Python code and every library it imports, compressed",
    "_internal/PySide6/Qt/lib/libicu*": f"Qt's Unicode text handling (ICU); {BARE}",
    "_internal/PySide6/Qt/lib/libQt6Core.so.*": f"Qt itself; {BARE}",
    "_internal/PySide6/Qt/lib/libQt6Gui.so.*": f"Qt itself; {BARE}",
    "_internal/PySide6/Qt/lib/libQt6Widgets.so.*": f"Qt itself; {BARE}",
    "_internal/PySide6/Qt/lib/libQt6WaylandClient.so.*":
        f"Wayland desktops (Ubuntu's and Fedora's default session); {BARE}",
    "_internal/PySide6/Qt*.abi3.so": "Python bindings of the Qt modules the desk uses "
        f"(Core, Gui, Widgets; PrintSupport is under 1 MB); {BARE}",
    "_internal/PySide6/Qt/plugins": "Qt plugins: X11/Wayland/offscreen platforms, PNG/JPEG/SVG/"
        "ICO images, CUPS printing, input methods",
    "_internal/libpython3.*": f"Python itself; {BARE}",
    "_internal/python3.*": "Python's compiled standard-library modules (decimal, ssl, ctypes…)",
    "_internal/base_library.zip": f"Python's start-up modules; {BARE}",
    "_internal/libcrypto.so.*": f"OpenSSL for Python's hashlib; {BARE}",
    "_internal/libstdc++.so.*": f"C++ runtime of Qt; {BARE}",
    "_internal/libX11.so.*": f"X11 desktops; {BARE}",
    "_internal/libglib-2.0.so.*": f"Qt's GLib event loop on Linux; {BARE}",
    "_internal/libgcrypt.so.*": f"libsystemd, through Qt's D-Bus; {BARE}",
    "_internal/cryptography": "keyring on Linux: SecretStorage encrypts the session with the "
        "Secret Service through `cryptography` (saved database passwords)",
    "_internal/psycopg_binary": "PostgreSQL driver (shared clinic database)",
    "_internal/psycopg_binary.libs": "PostgreSQL: libpq with LDAP and SASL (psycopg-binary's "
        "vendored copies; its OpenSSL and Kerberos are the bundle's own, see build.spec)",
    "_internal/pypdfium2_raw": "PDF viewer: PDFium renders consent PDFs on screen",
    "_internal/pillow.libs": "signatures in PDFs: ReportLab reads the signature PNG through "
        "Pillow, whose core module links these image libraries",
    "_internal/libgnutls.so.*": "printing: CUPS (libcups) speaks TLS to print servers",
    "_internal/libunistring.so.*": "printing: GnuTLS's Unicode support (libcups → GnuTLS)",
    "_internal/libp11-kit.so.*": "printing: GnuTLS's certificate store (libcups → GnuTLS)",
    "_internal/libsqlite3.so.*": "SQLite, the default clinic database",
    "_internal/desk": "consent templates, fonts, icons, user guide and database migrations",
    "_internal/sqlalchemy": "database layer (SQLAlchemy's compiled speed-ups)",
}


@dataclass(frozen=True)
class Component:
    path: str  # relative to the bundle folder, with "/"
    mb: float
    feature: str | None  # None: nobody said why it is there


def components(folder: Path, prefix: str = "") -> dict[str, int]:
    """Bytes of each component under ``folder``: the entries of SPLIT folders, one by one."""
    found: dict[str, int] = {}
    for child in sorted(folder.iterdir()):
        name = f"{prefix}{child.name}"
        if child.is_dir() and not child.is_symlink() and name in SPLIT:
            found.update(components(child, f"{name}/"))
        elif child.is_dir() and not child.is_symlink():
            found[name] = round(folder_mb(child) * 2**20)
        elif not child.is_symlink():
            found[name] = child.stat().st_size
    return found


def budget(folder: Path) -> list[Component]:
    """Every component over ``BUDGET_FLOOR_MB``, largest first, with its listed feature."""
    def feature(path: str) -> str | None:
        return next((why for pattern, why in BUDGET.items() if fnmatch.fnmatch(path, pattern)),
                    None)

    sizes = components(folder)
    return sorted(
        (Component(path, size / 2**20, feature(path)) for path, size in sizes.items()
         if size / 2**20 > BUDGET_FLOOR_MB),
        key=lambda c: -c.mb,
    )


def budget_table(parts: list[Component]) -> str:
    lines = ["| component | MB | needed for |", "| --- | ---: | --- |"]
    lines += [f"| `{c.path}` | {c.mb:.1f} | {c.feature or '**UNLISTED**'} |" for c in parts]
    return "\n".join(lines)


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
    parts = budget(DIST)
    unlisted = [c.path for c in parts if c.feature is None]
    started = bundle_cold_start(scratch, scale.repeats(5, 1))
    extra = {
        "bundle_cold_start_s": None if started is None else round(started, 3),
        "budget": {c.path: [round(c.mb, 2), c.feature] for c in parts},
        "unlisted_over_1mb": unlisted,
    }
    if scale.quick:
        return Figure("bundle_size", "MB", desk_mb, None, target, None,
                      {"skipped": "quick mode: the bare bundle is not built", **extra})
    try:
        bare_mb = folder_mb(build_bare(scratch))
    except (ValueError, subprocess.CalledProcessError) as exc:
        return Figure("bundle_size", "MB", desk_mb, None, target, None,
                      {"skipped": f"the bare bundle could not be built: {exc}", **extra})
    return Figure(
        name="bundle_size",
        unit="MB",
        value=desk_mb,
        baseline=bare_mb,
        target=target,
        passed=desk_mb / bare_mb <= TARGET_RATIO and not unlisted,
        notes={"folder": "dist/InfusionDesk", **extra,
               "how": "sum of file sizes; bare window frozen with build.spec's Qt exclusions "
               "and plugin pruning; cold start = bundled desk to sign-in window painted"},
    )


def main() -> int:
    """``make bundle-budget``: the budget table of dist/InfusionDesk; 1 on an unlisted part."""
    if not DIST.is_dir():
        print("bundle budget: dist/InfusionDesk is absent: run make bundle", file=sys.stderr)
        return 1
    parts = budget(DIST)
    print(budget_table(parts))
    print(f"\ndist/InfusionDesk: {folder_mb(DIST):.1f} MB in all")
    unlisted = [c.path for c in parts if c.feature is None]
    if unlisted:
        print(f"bundle budget: over {BUDGET_FLOOR_MB:.0f} MB and not in bench/bundle.py's "
              f"BUDGET: {', '.join(unlisted)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
