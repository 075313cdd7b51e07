"""A whole-suite pytest run records each test as it ends (``pyrecord``): a run that ignores both
interrupts at its limit and is killed, so that pytest never writes its junit report, still reports
the tests it finished. A run of named tests (a screening tier the warm server serves) is not
recorded: its argv stays the one the preloaded session matches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.pyrecord import read_record
from rfsn.models import TestStatus as Status
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import load_settings
from tests.sandbox.projects import make_project

FILES = {
    "pyproject.toml": '[project]\nname = "deaf"\nversion = "0.1"\n',
    "deaf/__init__.py": "",
    "tests/test_x.py": (
        "import signal\nimport time\n\nimport pytest\n\n\n"
        "def test_ok():\n    assert True\n\n\n"
        "def test_fails():\n    assert False\n\n\n"
        "@pytest.mark.xfail\ndef test_expected():\n    assert False\n\n\n"
        "def test_ignores_interrupts():\n"
        "    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "    time.sleep(600)\n"
    ),
}
FINISHED = {
    "tests/test_x.py::test_ok": Status.PASSED,
    "tests/test_x.py::test_fails": Status.FAILED,
    "tests/test_x.py::test_expected": Status.PASSED,  # as the junit report has an expected failure
}


def _run(repo: Path, kind: str, tests: list[str]) -> tuple[dict[str, Status], bool, list[str]]:
    pack = PythonBuildpack()
    with open_sandbox(repo, pack, load_settings(), kind) as box:
        report = run_tests(box, pack, tests, timeout=15)
    return report.tests, report.timed_out, report.command


def test_a_run_that_ignores_both_interrupts_reports_what_it_finished_multiprocess_head(tmp_path: Path) -> None:
    """multiprocess HEAD (2026): a test of its suite hung with SIGINT ignored, the run was killed
    at 900 s and reported nothing, though hundreds of tests had ended."""
    tests, timed_out, command = _run(make_project(tmp_path / "p", FILES), "local", [])
    assert timed_out and tests == FINISHED, tests
    assert "rfsn_record" in command


@pytest.mark.docker
@pytest.mark.slow
def test_a_run_in_docker_that_ignores_both_interrupts_reports_what_it_finished_multiprocess_head(
    tmp_path: Path, docker_client: object
) -> None:
    tests, timed_out, _ = _run(make_project(tmp_path / "p", FILES), "docker", [])
    assert timed_out and tests == FINISHED, tests


def test_a_run_of_named_tests_keeps_its_argv(tmp_path: Path) -> None:
    tests, _, command = _run(make_project(tmp_path / "p", FILES), "local", list(FINISHED))
    assert tests == FINISHED and command[:3] == ["python", "-m", "pytest"] and "rfsn_record" not in command


def test_a_record_says_each_test_s_status_by_its_phases() -> None:
    lines = [
        ("a", "setup", "passed"),
        ("a", "call", "passed"),
        ("a", "teardown", "passed"),
        ("b", "setup", "passed"),
        ("b", "call", "failed"),
        ("c", "setup", "failed"),
        ("c", "teardown", "passed"),
        ("d", "setup", "skipped"),
        ("e", "setup", "passed"),
        ("e", "call", "passed"),
        ("e", "teardown", "failed"),
        ("f.py", "collect", "failed"),
        ("g", "setup", "passed"),  # killed in its call
        ("x", "setup", "passed"),
        ("x", "call", "xfailed"),
    ]
    text = "\n".join(json.dumps({"id": i, "when": w, "outcome": o}) for i, w, o in lines) + '\n{"id": "h", "wh'
    assert read_record(text) == {
        "a": Status.PASSED,
        "b": Status.FAILED,
        "c": Status.ERROR,
        "d": Status.SKIPPED,
        "e": Status.ERROR,
        "f.py": Status.ERROR,
        "x": Status.PASSED,
    }
