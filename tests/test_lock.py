"""The installed environment is exactly the lock: what is tested is what is bundled (issue 19)."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LOCK = Path(__file__).resolve().parents[1] / "requirements" / "lock.txt"
# Installed by the venv itself or being the project: not the lock's business.
NOT_LOCKED = {"infusion-desk", "pip", "wheel"}


def locked_for_this_machine() -> dict[str, str]:
    """Name → pinned version for every lock line whose marker applies here."""
    pins: dict[str, str] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"{line!r} is not an exact pin"
        pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def installed() -> dict[str, str]:
    return {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in metadata.distributions()
        if canonicalize_name(dist.metadata["Name"]) not in NOT_LOCKED
    }


def test_every_installed_package_is_the_locked_version() -> None:
    pins = locked_for_this_machine()
    differing = {
        name: (version, pins.get(name)) for name, version in installed().items()
        if pins.get(name) != version
    }
    assert differing == {}, "(installed, locked): `make clean test` rebuilds .venv from the lock"


def test_every_locked_package_is_installed() -> None:
    missing = set(locked_for_this_machine()) - set(installed())
    assert missing == set()


def test_the_lock_excludes_the_pyside6_release_that_leaks_references() -> None:
    pins = locked_for_this_machine()
    assert pins["pyside6-essentials"] != "6.12.0"
    assert pins["shiboken6"] == pins["pyside6-essentials"]
