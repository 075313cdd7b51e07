"""A project whose own version is no PEP 440 version (a legacy one, as setuptools before 66
kept it) still gets its environment: today's pip, which resolves the build's requirements,
refuses to read such a version, so the last pip that reads one resolves instead (real Docker,
real PyPI through the dated loopback index)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.buildpacks.test_asof_docker import WHEN, _project, _run

pytestmark = [pytest.mark.docker, pytest.mark.slow]

#: computed extras (pip resolves them in the build); the version setuptools writes with a
#: ``tag_build`` after a ``.dev0`` version, as a 2021 setup.cfg did
SETUP_PY = """\
from setuptools import setup

EXTRAS = {"reco": ["six"]}
EXTRAS["dev"] = EXTRAS["reco"]
setup(name="legacyversion", version="1.4.9.dev0dev", packages=["legacyversion"], extras_require=EXTRAS,
      classifiers=["Programming Language :: Python :: 3.11"])
"""


def test_a_project_whose_version_todays_pip_refuses_gets_its_environment_sqlalchemy_aac2199(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    """Today's pip stopped the build: "InvalidVersion: Invalid version: '1.4.9.dev0dev'"."""
    repo = _project(
        tmp_path / "legacyversion",
        WHEN,
        {
            "setup.py": SETUP_PY,
            "legacyversion/__init__.py": "",
            "test_six.py": "import six\n\ndef test_six():\n    assert six.__version__ == '1.16.0'\n",
        },
    )
    output, versions, notes, _ = _run(repo, rfsn_home, "commit", built)
    assert "1 passed" in output, notes + output
    assert versions.split()[2] == "22.3.1"  # the era's pip came back after the resolve
    assert "pip refused a version that is no PEP 440 version" in notes, notes
