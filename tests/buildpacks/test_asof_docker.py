"""A plain repository's environment is resolved as of its commit's date: a 2022 project whose
dependency's newest release breaks it gets the release of its day, the build tools of its day
(pip, setuptools with pkg_resources) and a declared Python of that date (real Docker, real PyPI
through the dated loopback index)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rfsn.buildpacks.base import EnvOptions, date_env
from rfsn.buildpacks.python import PythonBuildpack
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings

pytestmark = [pytest.mark.docker, pytest.mark.slow]

#: packaging 22.0 (2022-12-07) removed LegacyVersion; 3.11 came out on 2022-10-24
WHEN = "2022-11-15T12:00:00+00:00"
SETUP_CFG = """\
[metadata]
name = legacy
classifiers =
    Programming Language :: Python :: 3.10
    Programming Language :: Python :: 3.11

[options]
packages = legacy
install_requires =
    packaging
"""
TEST = """\
import pkg_resources  # setuptools of the day still has it
from packaging.version import LegacyVersion

from legacy import parse


def test_a_legacy_version_is_parsed():
    assert isinstance(parse("not-pep-440"), LegacyVersion)
"""


def old_project(root: Path) -> Path:
    (root / "legacy").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "setup.cfg").write_text(SETUP_CFG)
    (root / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    (root / "legacy" / "__init__.py").write_text("from packaging.version import parse\n")
    (root / "tests" / "test_legacy.py").write_text(TEST)
    env = {**os.environ, "GIT_COMMITTER_DATE": WHEN, "GIT_AUTHOR_DATE": WHEN}
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "old"], check=True, env=env)
    return root


@pytest.fixture
def built(docker_client: Any) -> Iterator[list[str]]:
    """Keys of the recipes the test builds: their images are removed afterwards."""
    keys: list[str] = []
    yield keys
    for key in keys:
        for image in docker_client.images.list(filters={"label": f"rfsn.recipe={key}"}):
            docker_client.images.remove(image.id, force=True)


def _run(repo: Path, home: Path, as_of: str, keys: list[str],
         python: str | None = None) -> tuple[str, str, str, float]:
    settings = Settings(sandbox="docker", home=home, memory="1g", cpus=1.0, pids=256,
                        test_timeout=120, setup_timeout=600, as_of=as_of, python=python,
                        setup_snapshots=False)
    pack = PythonBuildpack()
    date_env(pack, EnvOptions(as_of=as_of, runtime=python))
    keys.append(pack.env_recipe(repo).key())
    started = time.monotonic()
    with open_sandbox(repo, pack, settings, "docker") as sandbox:
        seconds = time.monotonic() - started
        result = sandbox.exec(pack.test_command([], sandbox.scratch_path), timeout=120)
        versions = sandbox.exec(["python", "-c", "import sys, packaging, pip; print("
                                 "'%d.%d' % sys.version_info[:2], packaging.__version__, pip.__version__)"],
                                timeout=60)
        notes = "\n".join([*sandbox.environment, *([f"setup failed: {sandbox.setup_failure}"]
                                                     if sandbox.setup_failure else [])])
    return result.output, versions.output.strip(), notes, seconds


def test_an_old_commit_gets_the_packages_build_tools_and_python_of_its_day(
        built: list[str], tmp_path: Path, rfsn_home: Path) -> None:
    repo = old_project(tmp_path / "legacy")
    output, versions, notes, seconds = _run(repo, rfsn_home, "commit", built)
    assert "1 passed" in output, output
    # the newest packaging of 2022-11-15 (21.3), pip 22.3.1 (2022-11-05), not bookworm's 23.0.1
    assert versions == "3.11 21.3 22.3.1", versions
    assert "as of 2022-11-15, the date of the commit" in notes and "PyPI before 2022-11-16" in notes
    assert "Python 3.11: declared 3.10 (classifiers), 3.11 (classifiers)" in notes
    assert "setup.cfg install_requires: packaging" in notes
    print(f"as of the commit: env built in {seconds:.0f}s")

    today, versions, notes, seconds = _run(repo, rfsn_home, "today", built)
    # today's setuptools has no pkg_resources, today's packaging no LegacyVersion
    assert "1 error" in today and ("pkg_resources" in today or "LegacyVersion" in today), today
    assert versions.split()[1] != "21.3"
    print(f"as of today: env built in {seconds:.0f}s")


#: the ``dev`` extra is computed (pipresolve asks pip in the build): six 1.17.0 came in 2024-12
COMPUTED_SETUP_PY = """\
from setuptools import setup

EXTRAS = {"reco": ["six"], "lint": []}
EXTRAS["dev"] = EXTRAS["reco"] + EXTRAS["lint"]
setup(name="computed", version="1.0", packages=["computed"], extras_require=EXTRAS,
      classifiers=["Programming Language :: Python :: 3.11"])
"""


def test_requirements_pip_resolves_in_the_build_are_of_the_commits_day_and_so_is_its_pip(
        built: list[str], tmp_path: Path, rfsn_home: Path) -> None:
    repo = tmp_path / "computed"
    (repo / "computed").mkdir(parents=True)
    (repo / "setup.py").write_text(COMPUTED_SETUP_PY)
    (repo / "computed" / "__init__.py").write_text("")
    (repo / "test_six.py").write_text("import six\n\ndef test_six():\n    assert six.__version__ == '1.16.0'\n")
    env = {**os.environ, "GIT_COMMITTER_DATE": WHEN, "GIT_AUTHOR_DATE": WHEN}
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c"],
                   check=True, env=env)
    output, versions, notes, _ = _run(repo, rfsn_home, "commit", built)
    assert "1 passed" in output, output
    assert versions.split()[2] == "22.3.1"  # the resolving pip was today's; the era's came back
    assert "requirements its metadata compute: resolved by pip in the build" in notes


#: a project of early 2018 (pip 9: no --progress-bar, no --no-build-isolation, "Double
#: requirement given" for a name declared twice) whose test requirements include one deleted
#: from PyPI since (codecov 2.1.8) and one with no file left from before the date (atomicwrites)
ERA_2018 = "2018-02-10T12:00:00+00:00"
ERA_TEST = """\
import atomicwrites
import pip

import era


def test_the_era_pip_installed_the_project_and_its_test_requirements():
    assert pip.__version__.startswith("9."), pip.__version__
    assert era.VALUE == 1
"""


def test_a_2018_project_builds_with_pip_9_leaving_out_a_test_requirement_pypi_deleted(
        built: list[str], tmp_path: Path, rfsn_home: Path) -> None:
    """The era's pip is spoken to as it is, each name given once; a test requirement that
    cannot be installed is left out and said, one with nothing before the date comes from its
    first release after it, said too (natsort, markdown 2018; tomlkit's codecov, toolz's
    atomicwrites)."""
    repo = tmp_path / "era"
    (repo / "era").mkdir(parents=True)
    (repo / "setup.py").write_text("from setuptools import setup\nsetup(name='era', version='1.0', "
                                   "packages=['era'], install_requires=['setuptools>=36'])\n")
    (repo / "requirements-dev.txt").write_text("setuptools>=36.6\ncodecov==2.1.8\natomicwrites\n")
    (repo / "era" / "__init__.py").write_text("VALUE = 1\n")
    (repo / "test_era.py").write_text(ERA_TEST)
    env = {**os.environ, "GIT_COMMITTER_DATE": ERA_2018, "GIT_AUTHOR_DATE": ERA_2018}
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c"],
                   check=True, env=env)
    output, _, notes, _ = _run(repo, rfsn_home, "commit", built, python="3.9")
    assert "1 passed" in output, output
    assert "setup failed" not in notes, notes  # pip 9 installed the project in the session
    assert "rfsn: test requirement codecov==2.1.8 cannot be installed" in notes, notes
    assert "atomicwrites: nothing on PyPI before 2018-02-11, its first release after it (1.4.1)" in notes, notes
