"""Every fetch of an env build goes through the dated index, setuptools' own too: a setup.py's
``setup_requires`` is fetched by easy_install (setuptools before 42), which reads no
PIP_INDEX_URL (real Docker, real PyPI through the dated loopback index)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.buildpacks.test_asof_docker import _archives, _project, _run

pytestmark = [pytest.mark.docker, pytest.mark.slow]

#: computed (``**kwargs()``, which rfsn does not read): pip resolves it in the build, whose setup.py
#: run fetches ``setup_requires`` itself; it says in the build's notes which eggs it fetched
SETUP_PY = """\
import glob, os
from setuptools import setup


def kwargs():
    return {"setup_requires": ["pytest-runner"], "install_requires": ["six"]}


setup(name="runner19", version="1.0", py_modules=["runner19"], **kwargs())
eggs = sorted(os.path.basename(p) for p in glob.glob(".eggs/*.egg"))
if eggs and os.environ.get("RFSN_ENV"):
    with open(os.path.join(os.environ["RFSN_ENV"], "notes.txt"), "a") as notes:
        notes.write("setup_requires fetched: " + " ".join(eggs) + "\\n")
"""


def test_setup_requires_are_fetched_from_the_dated_index_a_2019_dependency_of_pytest_runner(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    """A 2019 dependency's `setup_requires=['pytest-runner']` reached the public index as it is
    today (easy_install of setuptools 41: "Could not find suitable distribution", or today's
    release in a 2019 environment). easy_install reads one index: the egg of 2019 (pytest-runner
    5.2; today's is 6.x) shows it asked the dated one and no other."""
    archives = _archives("3.8")  # 3.8 came out before the commit: the era's setuptools 41.6 stays
    repo = _project(
        tmp_path / "runner19",
        "2019-11-02T12:00:00+00:00",
        {
            "setup.py": SETUP_PY,
            "runner19.py": "VALUE = 1\n",
            "test_runner19.py": "import setuptools, six, runner19\n\n\ndef test_runner19():\n"
            "    assert setuptools.__version__ == '41.6.0', setuptools.__version__\n"
            "    assert six.__version__ == '1.12.0' and runner19.VALUE == 1\n",
        },
    )
    output, _, notes, _ = _run(repo, rfsn_home, "commit", built, python="3.8", archives=archives)
    assert "1 passed" in output, output
    assert "setup_requires fetched: pytest_runner-5.2-py3.8.egg" in notes, notes
