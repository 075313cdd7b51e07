"""run_tests: a real pytest run in a local sandbox, stopped early when asked to."""

from __future__ import annotations

import os
import sys
from collections.abc import Collection
from pathlib import Path

import pytest

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.models import Crash
from rfsn.models import TestStatus as Status
from rfsn.runner import run_tests
from rfsn.sandbox.local import LocalSandbox

SUITE = """
def test_a_fails():
    assert 1 == 2


def test_b_fails():
    assert 2 == 3


def test_c_passes():
    assert True
"""


@pytest.fixture
def box(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalSandbox:
    (tmp_path / "test_suite.py").write_text(SUITE)
    # `python` in the sandbox is this interpreter, which has pytest
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return LocalSandbox(tmp_path, None, {}, "2g")


def test_a_run_with_max_failures_stops_at_that_many_failed_tests(box: LocalSandbox) -> None:
    whole = run_tests(box, PythonBuildpack(), timeout=120)
    assert whole.counts()["failed"] == 2 and whole.counts()["passed"] == 1
    first = run_tests(box, PythonBuildpack(), timeout=120, max_failures=1)
    assert first.tests == {"test_suite.py::test_a_fails": Status.FAILED}
    assert "--maxfail=1" in first.command
    assert (whole.stops_at, first.stops_at) == (None, 1)  # how a reader tells a run that stopped early
    # the suite's own two failures allowed for: the run goes to the end
    allowed = run_tests(box, PythonBuildpack(), timeout=120, max_failures=3)
    assert allowed.tests == whole.tests
    box.close()


RUNNER = """
import sys
skip = sys.argv[2].split(",") if sys.argv[1:2] == ["--skip"] else []
for name in open("order.txt").read().split():
    if name in skip:
        continue
    if name.startswith("die"):
        print("DIED", name if "anonymous" not in open("order.txt").read() else "?", flush=True)
        sys.exit(2)
    print("ok", name, flush=True)
"""


class _Dying:
    """A runner whose test named ``die*`` ends its process, printing ``DIED name``."""

    name, structured, default_base = "dying", True, PythonBuildpack.default_base

    def test_command(self, tests: object, report_dir: str) -> list[str]:
        return ["python", "runner.py"]

    def parse(self, output: str, reports: dict[str, str]) -> dict[str, Status]:
        """Its passes, and the whole suite as one error where it died (as go reports a package)."""
        died = {"suite": Status.ERROR} if "DIED" in output else {}
        return {line.split()[1]: Status.PASSED for line in output.splitlines() if line.startswith("ok ")} | died

    def crashes(self, output: str, statuses: object) -> list[Crash]:
        return [
            Crash(test=line.split()[1].strip("?"), reason="died", unit="suite")
            for line in output.splitlines()
            if line.startswith("DIED ")
        ]

    def rest_command(self, crash: Crash, done: Collection[str], tests: object, report_dir: str) -> list[str]:
        return ["python", "runner.py", "--skip", ",".join(sorted(done)) or "-"]


def _dying_box(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: str) -> LocalSandbox:
    (tmp_path / "runner.py").write_text(RUNNER)
    (tmp_path / "order.txt").write_text(order)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return LocalSandbox(tmp_path, None, {}, "2g")


def test_the_tests_a_crash_kept_from_running_run_again_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The crashed tests fail in their unit's place (the suite's one error is theirs)."""
    box = _dying_box(tmp_path, monkeypatch, "a die1 b die2 c")
    report = run_tests(box, _Dying(), timeout=120)  # type: ignore[arg-type]
    assert report.tests == {
        "a": Status.PASSED,
        "die1": Status.FAILED,
        "b": Status.PASSED,
        "die2": Status.FAILED,
        "c": Status.PASSED,
    }
    assert [c.test for c in report.crashes] == ["die1", "die2"]
    assert report.log.count("ok a") == 1 and report.exit_code == 2
    box.close()


def test_a_crash_whose_rest_runs_nothing_new_is_not_run_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A runner that dies naming no test, before any test, runs again once, not ``MAX_RESUMES``
    times: nothing the next run could do differently."""
    box = _dying_box(tmp_path, monkeypatch, "die_anonymous a")
    report = run_tests(box, _Dying(), timeout=120)  # type: ignore[arg-type]
    assert report.tests == {"suite": Status.ERROR} and report.crashes == []
    assert report.log.count("DIED") == 2
    box.close()


def test_a_run_that_stops_early_is_not_resumed_but_its_crash_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class DyingFast(_Dying):
        def fail_fast_command(self, tests: object, report_dir: str, max_failures: int) -> list[str]:
            return self.test_command(tests, report_dir)

    box = _dying_box(tmp_path, monkeypatch, "a die1 b")
    report = run_tests(box, DyingFast(), timeout=120, max_failures=1)  # type: ignore[arg-type]
    assert report.tests == {"a": Status.PASSED, "die1": Status.FAILED}
    assert [c.test for c in report.crashes] == ["die1"] and report.stops_at == 1
    box.close()
