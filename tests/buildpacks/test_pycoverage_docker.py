"""Per-test coverage with the coverage an environment keeps, in real Docker: a project that pins
a coverage older than rfsn's rc options and than coverage's own contexts still measures each test."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.runner import Measure, run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings

pytestmark = [pytest.mark.docker, pytest.mark.slow]

CALC = "def add(a, b):\n    if a > 0:\n        return a + b\n    return b - a\n"
TESTS = (
    "from calc import add\n\n\ndef test_positive():\n    assert add(1, 2) == 3\n\n\n"
    "def test_negative():\n    assert add(-1, 2) == 3\n"
)


def test_a_coverage_without_contexts_pinned_by_the_project_measures_each_test_pyparsing_bcb8242(
    built: list[str], tmp_path: Path, rfsn_home: Path
) -> None:
    """rfsn's rc holds only the options the environment's coverage knows, and a coverage with no
    contexts measures each test on its own (pyparsing bcb8242 pins coverage 4.4.2: its rc's
    ``core`` was an error to it, and per-test coverage measured nothing)."""
    repo = tmp_path / "calc"
    (repo / "tests").mkdir(parents=True)
    (repo / "calc.py").write_text(CALC)
    (repo / "tests" / "test_calc.py").write_text(TESTS)
    (repo / "tests" / "requirements.txt").write_text("coverage==4.4.2\npytest\n")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    settings = Settings(sandbox="docker", home=rfsn_home, test_timeout=120, setup_timeout=900, setup_snapshots=False)
    pack = PythonBuildpack()
    built.append(pack.env_recipe(repo).key())
    with open_sandbox(repo, pack, settings, "docker") as sandbox:
        report = run_tests(sandbox, pack, timeout=120, measure=Measure(coverage=True))
    assert report.counts()["passed"] == 2, report.log[-2000:]
    assert report.coverage is not None and report.coverage.get("tests/test_calc.py::test_positive", {}).get(
        "calc.py"
    ) == [2, 3], report.log[-2000:]
    assert report.coverage["tests/test_calc.py::test_negative"]["calc.py"] == [2, 4]
    assert "coverage=(4, 4, 2)" in repr(pack.pytest)
