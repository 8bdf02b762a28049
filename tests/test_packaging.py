"""The sdist and the wheel built from it carry every file the installed desk reads.

Installed from a wheel, the desk has no checkout to fall back on: a font, consent
template, icon, guide page or migration missing from the wheel breaks it (issue 16), and
nothing that runs from the source tree would notice. So the wheel is built here, as
``python -m build`` builds it for release (sdist first, the wheel from the sdist).
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGED = "desk/_resources"


def clean_copy(target: Path) -> Path:
    """The checkout as a fresh clone plus uncommitted work: git's files, nothing ignored.

    Building in the checkout itself would reuse its ``*.egg-info`` file list, which can
    keep a file in the sdist that the configuration no longer ships.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet committed is still listed
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clean_copy(tmp_path_factory.mktemp("checkout"))


@pytest.fixture(scope="module")
def dist(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True, text=True, check=False,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> zipfile.ZipFile:
    (path,) = dist.glob("*.whl")
    return zipfile.ZipFile(path)


def shipped_files(source: Path) -> list[Path]:
    """Every file of resources/ in ``source`` (hidden files and byte code aside)."""
    return sorted(
        path for path in (source / "resources").rglob("*")
        if path.is_file() and not path.name.startswith(".") and path.suffix != ".pyc"
        and "__pycache__" not in path.parts
    )


def named_resources() -> list[tuple[str, tuple[str, ...]]]:
    """(module, parts) of every ``resource_path("literal", ...)`` call in the desk's code."""
    found = []
    for module in sorted((ROOT / "desk").rglob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "resource_path" and node.args
                and all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                        for a in node.args)
            ):
                parts = tuple(str(a.value) for a in node.args if isinstance(a, ast.Constant))
                found.append((str(module.relative_to(ROOT)), parts))
    return found


def test_every_file_under_resources_is_in_the_wheel_byte_for_byte(
    source: Path, wheel: zipfile.ZipFile,
) -> None:
    names = set(wheel.namelist())
    files = shipped_files(source)
    assert {"fonts", "consent", "icons"} <= {path.parent.name for path in files}
    for path in files:
        inside = f"{PACKAGED}/{path.relative_to(source / 'resources').as_posix()}"
        assert inside in names, f"{inside} is missing from the wheel"
        assert wheel.read(inside) == path.read_bytes()


def test_every_resource_the_code_names_is_in_the_wheel(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    named = named_resources()
    # The consent folder is read by name: a scan that misses it sees nothing.
    assert any(parts[:1] == ("consent",) for _module, parts in named)
    for module, parts in named:
        inside = "/".join((PACKAGED, *parts))
        # A file by name, or a folder (e.g. ``resource_path("consent").glob(...)``).
        present = inside in names or any(n.startswith(inside + "/") for n in names)
        assert present, f"{module} reads resource_path{parts}, which the wheel lacks"


def test_the_fonts_read_by_name_are_in_the_wheel(wheel: zipfile.ZipFile) -> None:
    # desk/pdf/fonts.py names its files through a table, not literal calls.
    from desk.pdf import fonts

    names = set(wheel.namelist())
    for file_name in fonts.FONT_FILES.values():
        assert f"{PACKAGED}/fonts/{file_name}" in names


def test_every_module_and_migration_is_in_the_wheel(
    source: Path, wheel: zipfile.ZipFile,
) -> None:
    names = set(wheel.namelist())
    desk = source / "desk"
    wanted = [*desk.rglob("*.py"), desk / "db" / "alembic.ini",
              desk / "db" / "migrations" / "script.py.mako"]
    missing = [str(p.relative_to(source)) for p in wanted
               if p.relative_to(source).as_posix() not in names]
    assert not missing


def test_the_sdist_carries_the_resources_folder(source: Path, dist: Path) -> None:
    (path,) = dist.glob("*.tar.gz")
    with tarfile.open(path) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert "setup.py" in names
    for file in shipped_files(source):
        assert file.relative_to(source).as_posix() in names


def test_installed_from_the_wheel_the_desk_reads_its_packaged_resources(
    wheel: zipfile.ZipFile, tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    wheel.extractall(site)
    probe = (
        "import desk, desk.resources as r, desk.pdf.fonts as f;"
        "f.register_fonts();"
        "print(desk.__file__); print(r.resource_root())"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    ran = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                         capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stderr[-2000:]
    module, root = ran.stdout.split()
    assert Path(module).is_relative_to(site)
    assert Path(root) == site / "desk" / "_resources"
