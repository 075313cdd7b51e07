"""verify's runs through the warm runner. A probe run forked by the plain pytest server: the
plugin's directory first on the child's path, its environment set, the ``TMPDIR`` of its own a cold
run gets; it records what a cold probe run records, and costs a fork instead of a cold start (about
0.17 CPU-s against 0.45 in the quickstart's container). The targets' second run: as screening's."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from rfsn.buildpacks import base
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.warm.client import WarmPytest
from rfsn.buildpacks.wrapped import importable, unwrapped
from rfsn.controller.executor import Executor
from rfsn.gate import Gate, GateContext
from rfsn.models import Edit, Phase, Probe, RunTests, TestReport
from rfsn.models import TestStatus as Status
from rfsn.runner import Measure, run_tests
from rfsn.sandbox.local import LocalSandbox
from rfsn.workspace import prepare
from tests.sandbox.projects import make_project

WHERE = 'import os\n\n\ndef where(folder):\n    return os.path.join(folder, "out.txt")\n'
#: the probed function's return and argument are paths under the test's tmp_path
WHERE_TESTS = (
    "from pkg.where import where\n\n\n"
    "def test_where(tmp_path):\n"
    '    assert where(str(tmp_path)).endswith("out.txt")\n\n\n'
    "def test_here():\n"
    '    assert where(".") == "./out.txt"\n'
)
FILES = {"pkg/__init__.py": "", "pkg/where.py": WHERE, "tests/test_where.py": WHERE_TESTS}
TESTS = ["tests/test_where.py::test_where", "tests/test_where.py::test_here"]
PROBE = Probe(path="pkg/where.py", function="where", returns=())
ADD_TEST = "--- /dev/null\n+++ b/tests/test_new.py\n@@ -0,0 +1,2 @@\n+def test_new():\n+    assert True\n"


@pytest.fixture
def local_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """The local sandbox's ``python`` is this interpreter (it has pytest)."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


@contextmanager
def executed(
    tmp_path: Path, proposals: list[RunTests | Edit]
) -> Iterator[tuple[LocalSandbox, list[TestReport | None], base.TestExec | None]]:
    """``proposals`` run through the gate and the executor in a local sandbox of ``FILES``: the
    sandbox, their reports and the warm runner, if one of them started it."""
    workspace = prepare(str(make_project(tmp_path / "repo", FILES)), tmp_path / "ws")
    box = LocalSandbox(workspace.path, None, {}, "2g")
    executor, gate = Executor(box, PythonBuildpack(), workspace, 60), Gate()
    try:
        reports = []
        for proposal in proposals:
            context = GateContext(workspace=workspace.path, phase=proposal.phase, buildpack="python")
            decision, approved = gate.approve(proposal, context)
            assert approved is not None, decision
            reports.append(executor.run(approved).report)
        yield box, reports, executor._warm
    finally:
        box.close()


def test_what_importable_starts_is_taken_apart_into_its_directory_words_and_program() -> None:
    argv = [*importable("/r d"), "A=1", "B=x=y", "python", "-m", "pytest", "-p", "m", "t.py::t"]
    assert unwrapped(argv) == ("/r d", {"A": "1", "B": "x=y"}, ["python", "-m", "pytest", "-p", "m", "t.py::t"])
    assert unwrapped(["python", "-m", "pytest", "t.py::t"]) is None
    assert unwrapped(["sh", "-c", "PYTHONPATH=/x exec env", "sh", "python"]) is None


def test_verify_probe_runs_are_forked_by_the_plain_server_and_record_what_a_cold_run_records(
    tmp_path: Path, local_python: None
) -> None:
    """The executor hands a probe run to the warm runner (a screening run before it started it),
    which forks it from the plain server. Twice forked, once cold: the same statuses, returns and
    traces, paths under ``tmp_path`` included (each run starts from an empty ``TMPDIR`` of its own,
    so pytest numbers its folder alike)."""
    probing = RunTests(phase=Phase.VERIFY, tests=tuple(TESTS), probe=PROBE)
    with executed(tmp_path, [RunTests(phase=Phase.PATCH, tests=tuple(TESTS)), probing, probing]) as (box, forked, warm):
        assert isinstance(warm, WarmPytest) and (warm.swapped, warm.measured) == (1, 2)
        cold = run_tests(box, PythonBuildpack(), TESTS, timeout=60, measure=Measure(probe=PROBE))
    assert cold.passing == sorted(TESTS) and cold.probed is not None and cold.probed.error == "", cold.log
    assert len(cold.probed.traced[TESTS[0]]) == 1 and cold.probed.returns[TESTS[0]] == [("builtins.str", False)]
    assert [run.passing if run else None for run in forked[1:]] == [cold.passing] * 2
    assert [run.probed if run else None for run in forked[1:]] == [cold.probed] * 2


#: a run before (a screening run; the baseline) and one that runs the same tests again through
#: the warm runner: verify's second sample of the targets (``Verifier._targets_run``), served as
#: screening's runs of them are; reproduce's run of the failing tests once more
#: (``Reproducer._again``), which starts the warm runner
AGAIN = {
    "verify": (RunTests(phase=Phase.PATCH, tests=tuple(TESTS)), RunTests(phase=Phase.VERIFY, tests=tuple(TESTS)), 2),
    "reproduce": (RunTests(phase=Phase.REPRODUCE), RunTests(phase=Phase.REPRODUCE, tests=tuple(TESTS)), 1),
}


@pytest.mark.parametrize("phase", list(AGAIN))
def test_tests_run_again_are_forked_by_the_warm_runner_and_report_what_the_run_before_did(
    phase: str, tmp_path: Path, local_python: None
) -> None:
    """A fork instead of a cold start; the statuses of the run before come out again."""
    before, again, served = AGAIN[phase]
    with executed(tmp_path, [before, again]) as (_, reports, warm):
        assert isinstance(warm, WarmPytest) and warm.swapped == served
    first, second = reports
    assert first is not None and second is not None
    assert second.tests == first.tests == dict.fromkeys(TESTS, Status.PASSED)


def test_named_tests_after_an_edit_in_the_reproduce_phase_run_cold(tmp_path: Path, local_python: None) -> None:
    """Once the workspace was edited (a reproduction written) the project is no longer the one
    the baseline ran: its named tests run cold, and the warm runner waits for the localization."""
    written = Edit(phase=Phase.REPRODUCE, patch=ADD_TEST, rationale="write the reproduction")
    run = RunTests(phase=Phase.REPRODUCE, tests=("tests/test_new.py::test_new",), rationale="run it")
    with executed(tmp_path, [written, run]) as (_, reports, warm):
        assert warm is None
    assert reports[1] is not None and reports[1].passing == ["tests/test_new.py::test_new"]
