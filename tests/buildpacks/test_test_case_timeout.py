"""A hanging test is stopped by the per-test limit, reported as `timeout` by id, and the rest still run."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rfsn.buildpacks.base import limit_cases
from rfsn.buildpacks.junit import parse_junit, pytest_node_id
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.models import TestStatus as Status
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import load_settings
from tests.sandbox.projects import make_project

JUNIT = """<testsuites><testsuite>
<testcase classname="tests.test_x" name="test_hangs" file="tests/test_x.py" time="2.0">
<failure message="Failed: Timeout (&gt;2.0s) from pytest-timeout.">+++ Timeout +++</failure></testcase>
<testcase classname="tests.test_x" name="test_fails" file="tests/test_x.py" time="0.1">
<failure message="assert 1 == 2">E assert 1 == 2</failure></testcase>
<testcase classname="tests.test_x" name="test_ok" file="tests/test_x.py" time="0.1"/>
<testcase classname="tests.test_x" name="test_old_plugin" file="tests/test_x.py" time="2.0">
<failure message="Failed: Timeout &gt;2.0s">+++ Timeout +++</failure></testcase>
<testcase classname="tests.test_x" name="test_says_timeout" file="tests/test_x.py" time="0.1">
<failure message="Failed: Timeout &gt;2.0s was expected">E</failure></testcase>
</testsuite></testsuites>"""

HANGING = {
    "pyproject.toml": '[project]\nname = "hang"\nversion = "0.1"\n',
    "hang/__init__.py": "def add(a, b):\n    return a - b\n",
    "tests/test_x.py": (
        "import time\nfrom hang import add\n\n\n"
        "def test_hangs():\n    time.sleep(600)\n\n\n"
        "def test_fails():\n    assert add(1, 2) == 3\n\n\n"
        "def test_ok():\n    assert True\n"
    ),
}


def test_pytest_timeout_failure_is_parsed_as_timeout() -> None:
    """pytest-timeout's own failure message (2.x or 1.x) makes the test `timeout`; other failures stay `failed`."""
    statuses = parse_junit(JUNIT, pytest_node_id)
    assert statuses == {
        "tests/test_x.py::test_hangs": Status.TIMEOUT,
        "tests/test_x.py::test_fails": Status.FAILED,
        "tests/test_x.py::test_ok": Status.PASSED,
        "tests/test_x.py::test_old_plugin": Status.TIMEOUT,
        "tests/test_x.py::test_says_timeout": Status.FAILED,
    }


def test_the_test_command_carries_the_per_test_limit_only_when_set() -> None:
    """A session's pytest runs (baseline, screening, warm server) carry the per-test limit; by default
    (evaluation, the harness's semantics) there is none."""
    pack = PythonBuildpack()
    assert not any(a.startswith("timeout") for a in pack.test_command([], "/r"))
    limit_cases(pack, 7.5)
    argv = pack.test_command([], "/r")
    assert "timeout=7.5" in argv and "timeout_method=signal" in argv


def test_hanging_test_is_reported_as_timeout_and_the_others_run(tmp_path: Path) -> None:
    """A test that never ends is stopped at the per-test limit, named `timeout`; the others still run."""
    repo = make_project(tmp_path / "p", HANGING)
    pack = PythonBuildpack()
    limit_cases(pack, 3.0)
    with open_sandbox(repo, pack, load_settings(), "local") as box:
        started = time.monotonic()
        report = run_tests(box, pack, timeout=300)
        elapsed = time.monotonic() - started
    assert report.tests == {
        "tests/test_x.py::test_hangs": Status.TIMEOUT,
        "tests/test_x.py::test_fails": Status.FAILED,
        "tests/test_x.py::test_ok": Status.PASSED,
    }, report.log[-2000:]
    assert not report.timed_out and elapsed < 3.0 + 30
    assert "tests/test_x.py::test_hangs" in report.failing


def test_repair_names_the_hang_and_still_fixes_the_other_failure(tmp_path: Path) -> None:
    """A session on a repository with a hanging test reports it as `timeout` by id at baseline and
    still repairs the other failing test; the hang stays a known failure, not the target."""
    from rfsn.controller.session import RepairOptions, repair

    repo = make_project(tmp_path / "p", HANGING)
    options = RepairOptions(out_dir=tmp_path / "out", sandbox="local", timeout=600)
    started = time.monotonic()
    result = repair(str(repo), options, load_settings(sandbox="local", test_case_timeout=3.0))
    assert result.status == "fixed", result
    assert result.failing_before == ["tests/test_x.py::test_fails"]
    trajectory = next((tmp_path / "out").glob("*/trajectory.jsonl")).read_text()
    assert '"tests/test_x.py::test_hangs": "timeout"' in trajectory.replace('":"', '": "')
    assert time.monotonic() - started < 300


@pytest.mark.docker
def test_repair_in_docker_names_the_hang_within_its_limit(tmp_path: Path) -> None:
    """In a Docker sandbox too, the hanging test is `timeout` by id within its limit plus slack,
    and the other failing test is repaired."""
    from rfsn.controller.session import RepairOptions, repair

    repo = make_project(tmp_path / "p", HANGING)
    pack = PythonBuildpack()
    limit_cases(pack, 3.0)
    settings = load_settings(sandbox="docker", test_case_timeout=3.0)
    with open_sandbox(repo, pack, settings, "docker") as box:
        report = run_tests(box, pack, timeout=300)
    assert report.tests["tests/test_x.py::test_hangs"] == Status.TIMEOUT, report.log[-2000:]
    assert report.durations["tests/test_x.py::test_hangs"] < 3.0 + 5
    result = repair(str(repo), RepairOptions(out_dir=tmp_path / "out", sandbox="docker", timeout=900), settings)
    assert result.status == "fixed" and result.failing_before == ["tests/test_x.py::test_fails"], result


SLOW_ONCE_FIXED = {
    "pyproject.toml": '[project]\nname = "slow"\nversion = "0.1"\n',
    "slow/__init__.py": "def add(a, b):\n    return a - b\n",
    "tests/test_x.py": (
        "import time\nfrom slow import add\n\n\n"
        "def test_add():\n    assert add(1, 2) == 3\n    time.sleep(3)\n\n\n"
        "def test_ok():\n    assert True\n"
    ),
}


def test_repair_carries_a_fix_whose_target_outlasts_the_per_test_limit_once_it_passes(tmp_path: Path) -> None:
    """sympy-13437: a target that failed at once before the fix takes minutes with it. The
    targets alone run with no per-test limit (their run's limit grows on a retry), the whole
    suite gets the time they took, and a target the limit stops there, having passed alone,
    counts as fixed; the patch is verified with the targets unlimited too."""
    from rfsn.controller.session import RepairOptions, repair

    repo = make_project(tmp_path / "p", SLOW_ONCE_FIXED)
    options = RepairOptions(out_dir=tmp_path / "out", sandbox="local", timeout=600)
    result = repair(str(repo), options, load_settings(sandbox="local", test_case_timeout=2.0))
    assert result.status == "fixed", result
    assert result.failing_before == ["tests/test_x.py::test_add"]


#: a suite whose last test never ends, with no per-test limit: the run's own timeout stops it
STUCK = {
    **HANGING,
    "tests/test_x.py": (
        "import time\nfrom hang import add\n\n\n"
        "def test_fails():\n    assert add(1, 2) == 3\n\n\n"
        "def test_ok():\n    assert True\n\n\n"
        "def test_hangs():\n    time.sleep(600)\n"
    ),
}


def _stuck_run(repo: Path, kind: str) -> tuple[dict[str, Status], bool]:
    pack = PythonBuildpack()
    with open_sandbox(repo, pack, load_settings(), kind) as box:
        # the limit the run waits out: pytest reaches the hang in a second or two, even under load
        report = run_tests(box, pack, timeout=15)
    return report.tests, report.timed_out


def test_a_run_past_its_timeout_still_reports_the_tests_it_finished_redis_py_2026(tmp_path: Path) -> None:
    """redis-py's suite (a Redis server it needs is absent) ran past the run's 900 s and was
    killed: its report said nothing of the thousands of tests that had ended. Stopped as by
    Ctrl-C, pytest writes the junit of those it finished."""
    tests, timed_out = _stuck_run(make_project(tmp_path / "p", STUCK), "local")
    assert timed_out
    assert tests == {"tests/test_x.py::test_fails": Status.FAILED, "tests/test_x.py::test_ok": Status.PASSED}, tests


@pytest.mark.docker
@pytest.mark.slow
def test_a_run_past_its_timeout_in_docker_still_reports_the_tests_it_finished(
    tmp_path: Path, docker_client: object
) -> None:
    tests, timed_out = _stuck_run(make_project(tmp_path / "p", STUCK), "docker")
    assert timed_out
    assert tests == {"tests/test_x.py::test_fails": Status.FAILED, "tests/test_x.py::test_ok": Status.PASSED}, tests
