"""requirements.lock, what deploys install, pins every dependency pyproject.toml names, at
a version pyproject.toml allows: `make lock` regenerates it, and this fails until it has."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
#: What the lock is made of: the app and the extras a deploy installs.
LOCKED_EXTRAS = ("postgres", "redis")
LOCK = (ROOT / "requirements.lock").read_text()
#: ``name==version ; marker \\`` and the hashes below it, one entry per pin.
PIN = re.compile(
    r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)(?:\s*;[^\\\n]*)?\s*\\\n((?:\s+--hash=\S+\s*\\?\n)+)",
    re.M,
)


def _pins() -> dict[str, list[Version]]:
    pins: dict[str, list[Version]] = {}
    for name, version, _hashes in PIN.findall(LOCK):
        pins.setdefault(canonicalize_name(name), []).append(Version(version))
    return pins


PINS = _pins()
DECLARED = [
    Requirement(line)
    for line in (
        *PROJECT["dependencies"],
        *(line for extra in LOCKED_EXTRAS for line in PROJECT["optional-dependencies"][extra]),
    )
]


@pytest.mark.parametrize("requirement", DECLARED, ids=str)
def test_every_declared_dependency_is_pinned_at_an_allowed_version(requirement):
    versions = PINS.get(canonicalize_name(requirement.name))
    assert versions, f"requirements.lock does not pin {requirement.name}: run `make lock`"
    for version in versions:
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements.lock pins {requirement.name}=={version}, outside "
            f"{requirement.specifier}: run `make lock`"
        )


def test_every_pin_has_its_hashes_and_the_project_is_not_in_it():
    pinned_lines = [line for line in LOCK.splitlines() if re.match(r"^[A-Za-z0-9]", line)]
    assert pinned_lines and len(pinned_lines) == sum(len(v) for v in PINS.values())
    assert canonicalize_name(PROJECT["name"]) not in PINS  # installed with --no-deps after
