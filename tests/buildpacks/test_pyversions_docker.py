"""A current project whose CI matrix lists a Python this machine cannot have first gets an
environment on the newest it declares that can be had, Debian trixie's 3.13 (real Docker, real
PyPI through the dated loopback index)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.buildpacks.test_asof_docker import _project, _run
from tests.buildpacks.test_pyversions_declared import CLICK_TESTS

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_click_head_a_matrix_that_lists_3_14_first_gets_an_environment_on_a_declared_python(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    """click at HEAD (2026-08) ended env_error: "Python 3.14 is not shipped by Debian ... (the
    project declares 3.14 (CI matrix))", while its matrix lists 3.13 to 3.10 too."""
    repo = _project(
        tmp_path / "head",
        "2026-08-20T12:00:00+00:00",
        {
            ".github/workflows/tests.yaml": CLICK_TESTS,
            "pyproject.toml": '[project]\nname = "head"\nversion = "1.0"\nrequires-python = ">=3.10"\n'
            'dependencies = ["six"]\n[build-system]\nrequires = ["setuptools"]\n'
            'build-backend = "setuptools.build_meta"\n[tool.setuptools]\npy-modules = ["head"]\n',
            "head.py": "VALUE = 1\n",
            "test_head.py": "import sys, six, head\n\n\ndef test_head():\n"
            "    assert sys.version_info[:2] == (3, 13) and head.VALUE == 1\n",
        },
    )
    output, _, notes, _ = _run(repo, rfsn_home, "commit", built)
    assert "1 passed" in output, output
    assert (
        "Python 3.13: declared 3.10 (CI matrix), 3.11 (CI matrix), 3.12 (CI matrix), 3.13 (CI matrix), "
        "3.14 (CI matrix); the newest released by 2026-08-20 that can be had; Python 3.14 is not shipped" in notes
    ), notes
