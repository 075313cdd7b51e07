"""A run cut by its limit reports the tests that ended though it takes the first SIGINT as a request
and goes on: every sandbox, and the warm server's forked runs, send a second SIGINT before SIGKILL."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.warm.client import WarmPytest
from rfsn.models import TestStatus as Status
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.sandbox.local import LocalSandbox
from rfsn.settings import load_settings
from tests.sandbox.projects import make_project

#: from Python 3.11 asyncio's runner takes the first SIGINT as a cancellation of its task, which
#: this test catches; only a second SIGINT raises KeyboardInterrupt
CATCHES = (
    "    async def main():\n"
    "        try:\n"
    "            await asyncio.sleep(600)\n"
    "        except asyncio.CancelledError:\n"
    "            await asyncio.sleep(600)\n\n"
    "    asyncio.run(main())\n"
)
FILES = {
    "pyproject.toml": '[project]\nname = "hang"\nversion = "0.1"\n',
    "hang/__init__.py": "",
    "tests/test_x.py": (
        "import asyncio\n\n\n"
        "def test_ok():\n    assert True\n\n\n"
        "def test_fails():\n    assert False\n\n\n"
        "def test_catches_the_cancellation():\n" + CATCHES
    ),
}
FINISHED = {"tests/test_x.py::test_ok": Status.PASSED, "tests/test_x.py::test_fails": Status.FAILED}
TESTS = [*FINISHED, "tests/test_x.py::test_catches_the_cancellation"]


def _finished(repo: Path, kind: str) -> tuple[dict[str, Status], bool]:
    pack = PythonBuildpack()
    with open_sandbox(repo, pack, load_settings(), kind) as box:
        report = run_tests(box, pack, timeout=15)
    return report.tests, report.timed_out


def test_a_run_that_catches_the_first_interrupt_still_reports_what_it_finished_sweep31_experiment(
    tmp_path: Path,
) -> None:
    """sweep31's experiment (session 31): an async test that catches the cancellation the first
    SIGINT makes; SIGKILL came 5 s later and the run reported nothing, though two tests had ended."""
    tests, timed_out = _finished(make_project(tmp_path / "p", FILES), "local")
    assert timed_out and tests == FINISHED, tests


@pytest.mark.docker
@pytest.mark.slow
def test_a_run_in_docker_that_catches_the_first_interrupt_still_reports_what_it_finished_sweep31_experiment(
    tmp_path: Path, docker_client: object
) -> None:
    tests, timed_out = _finished(make_project(tmp_path / "p", FILES), "docker")
    assert timed_out and tests == FINISHED, tests


@pytest.mark.parametrize("hot", [True, False], ids=["preloaded", "plain"])
def test_a_forked_run_that_catches_the_first_interrupt_still_reports_what_it_finished_sweep31_experiment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hot: bool
) -> None:
    """A warm server's forked run shares the run's limit: it was killed at once, with no report."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    repo = make_project(tmp_path / "p", FILES)
    box = LocalSandbox(repo, None, {}, "2g")
    try:
        warm = WarmPytest(box, hot_swap=hot)
        assert warm.start() and warm.hot == hot
        report = run_tests(box, PythonBuildpack(), TESTS, timeout=10, via=warm)
        assert warm.swapped == int(hot)
    finally:
        box.close()
    assert report.timed_out and {t: report.tests[t] for t in FINISHED} == FINISHED, report.tests
