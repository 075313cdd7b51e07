"""A project whose pytest ``addopts`` block the plugin rfsn reads results through still reports its tests."""

from __future__ import annotations

from pathlib import Path

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.pyrunner import lifted_addopts
from rfsn.models import TestStatus as Status
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import load_settings
from tests.sandbox.projects import make_project

TESTS = {"tests/test_ok.py": "def test_one():\n    assert 1 + 1 == 2\n\n\ndef test_two():\n    pass\n"}


def test_addopts_that_block_junitxml_are_lifted_of_that_block_alone(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text('[pytest]\naddopts = -p no:junitxml -m "not slow" -pno:junitxml -p xdist\n')
    assert lifted_addopts(tmp_path) == ("-m", "not slow", "-p", "xdist")
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -p no:doctest --tb=short\n")
    assert lifted_addopts(tmp_path) is None
    (tmp_path / "pytest.ini").unlink()
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\naddopts = ["-p no:junitxml", "-p xdist"]\n')
    assert lifted_addopts(tmp_path) == ("-p xdist",)
    pack = PythonBuildpack()
    pack.addopts = ("-p xdist",)
    argv = pack.test_command([], "/r")
    assert argv[argv.index("addopts='-p xdist'") - 1] == "-o"


def test_the_tests_of_a_project_that_blocks_junitxml_in_addopts_are_reported_psutil_2026(tmp_path: Path) -> None:
    """psutil's pyproject.toml has ``addopts = [..., "-p no:junitxml", ...]``: its suite ran and
    rfsn read no report, "no tests found (the test runner exited 1)"."""
    repo = make_project(tmp_path / "p", TESTS)
    pyproject = (repo / "pyproject.toml").read_text()
    (repo / "pyproject.toml").write_text(
        pyproject + '\n[tool.pytest.ini_options]\naddopts = ["-p no:junitxml", "--tb=short", "-p no:doctest"]\n'
    )
    pack = PythonBuildpack()
    with open_sandbox(repo, pack, load_settings(), "local") as box:
        report = run_tests(box, pack, timeout=300)
    assert report.tests == {"tests/test_ok.py::test_one": Status.PASSED, "tests/test_ok.py::test_two": Status.PASSED}, (
        report.log[-2000:]
    )
