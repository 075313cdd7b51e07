"""The example plugin installs as its README says, offline, in rfsn's own environment: its
``pip install -e`` needed a newer setuptools and wheel than the environment had, fetched from
the index (no network: no install). ``scripts/setup`` now installs the pinned build tools, and
the README installs without build isolation, with them."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.version import Version

from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "buildpack-plugin"


def _pinned(name: str) -> str:
    found = re.search(rf"^{name}==(\S+)$", (ROOT / "requirements" / "constraints.txt").read_text(), re.M)
    assert found, f"{name} is not pinned in requirements/constraints.txt"
    return found.group(1)


def _readme_install() -> list[str]:
    block = (EXAMPLE / "README.md").read_text().split("```", 2)[1]
    line = next(line for line in block.splitlines() if "pip install" in line)
    return shlex.split(line.split("#", 1)[0])


def test_setup_installs_the_pinned_build_tools_before_anything_is_built() -> None:
    script = (ROOT / "scripts" / "setup").read_text()
    tools = script.index('pip install -q "${pins[@]}" setuptools wheel')
    assert tools < script.index('pip install -q "${pins[@]}" -e .')
    assert Version(_pinned("setuptools")) >= Version("77") and _pinned("wheel")  # rfsn's own build needs 77
    assert "--no-build-isolation" in _readme_install()


def test_the_readme_install_builds_offline_with_the_environments_tools(tmp_path: Path) -> None:
    try:
        have = Version(version("setuptools")), version("wheel")
    except PackageNotFoundError:
        pytest.skip("this environment predates scripts/setup's build tools: run scripts/setup again")
    if have[0] < Version(_pinned("setuptools")):
        pytest.skip("this environment predates scripts/setup's build tools: run scripts/setup again")
    argv = _readme_install()
    assert argv[:4] == [".venv/bin/python", "-m", "pip", "install"]
    options = [a for a in argv[4:] if a.startswith("--")]  # the README's, then offline, into tmp
    project = shutil.copytree(EXAMPLE, tmp_path / EXAMPLE.name)  # a copy: pip builds in the tree it is given
    wheels = tmp_path / "wheels"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", *options, "--no-index", "--no-deps", "-w", str(wheels), str(project)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert [p.name for p in wheels.glob("*.whl")] == ["rfsn_make_buildpack-0.1.0-py3-none-any.whl"]
