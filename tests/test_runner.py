"""run_tests: a real pytest run in a local sandbox, stopped early when asked to."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from rfsn.buildpacks.python import PythonBuildpack
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
