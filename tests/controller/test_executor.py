"""The executor acts only on an Approved the gate issued; nothing else reaches a sandbox."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.controller.budget import Budget, Usage
from rfsn.controller.executor import Executor
from rfsn.controller.loop import Controller
from rfsn.controller.trajectory import Trajectory
from rfsn.errors import RfsnError
from rfsn.gate import Approved, ForgedApproval, Gate, GateContext
from rfsn.models import (
    Edit,
    ExecResult,
    Finish,
    GateDecision,
    Phase,
    Proposal,
    ReadFile,
    RunCommand,
    RunTests,
    Search,
    SessionStatus,
    TestReport,
)
from rfsn.planners.base import Verdict
from rfsn.planners.scripted import ScriptedPlanner
from rfsn.sandbox.fake import FakeSandbox, Reply
from rfsn.sandbox.local import LocalSandbox
from rfsn.workspace import Workspace, prepare
from tests.controller.conftest import BUGGY, FILES, FIX_PATCH, junit
from tests.sandbox.projects import make_project

EVERY_INTENT: list[tuple[Phase, Proposal]] = [
    (Phase.REPRODUCE, RunTests()),
    (Phase.REPRODUCE, RunCommand(argv=("python", "-m", "pytest"))),
    (Phase.REPRODUCE, ReadFile(path="calc.py")),
    (Phase.REPRODUCE, Search(pattern="def")),
    (Phase.PATCH, Edit(patch=FIX_PATCH)),
    (Phase.VERIFY, Finish(reason="done")),
]


def executor_over(workspace: Workspace) -> tuple[Executor, FakeSandbox]:
    sandbox = FakeSandbox(workspace.path, {("python",): Reply()})
    return Executor(sandbox, PythonBuildpack(), workspace, test_timeout=60), sandbox


@pytest.mark.parametrize(("phase", "proposal"), EVERY_INTENT, ids=lambda v: getattr(v, "intent", ""))
def test_a_bare_proposal_is_refused(workspace: Workspace, phase: Phase, proposal: Proposal) -> None:
    """Handing the executor a proposal instead of an Approved raises ForgedApproval and runs nothing."""
    executor, sandbox = executor_over(workspace)
    with pytest.raises(ForgedApproval, match="approved") as raised:
        executor.run(proposal)  # type: ignore[arg-type]
    assert isinstance(raised.value, RfsnError) and isinstance(raised.value, TypeError)
    assert sandbox.calls == []
    assert (workspace.path / "calc.py").read_text() == BUGGY


def test_look_alikes_of_an_approval_are_refused(workspace: Workspace) -> None:
    """Duck-typed stand-ins and hand-made Approved objects never reach the sandbox."""
    executor, sandbox = executor_over(workspace)

    class LooksApproved:
        proposal = RunCommand(argv=("python", "-c", "pass"))
        patch = None

    with pytest.raises(ForgedApproval):
        executor.run(LooksApproved())  # type: ignore[arg-type]
    with pytest.raises(ForgedApproval):
        Approved(object(), RunCommand(argv=("python", "-c", "pass")))
    forged = object.__new__(Approved)  # skips __init__: no seal
    with pytest.raises(ForgedApproval):
        executor.run(forged)
    assert sandbox.calls == []


def test_an_approval_from_the_gate_runs(workspace: Workspace) -> None:
    executor, sandbox = executor_over(workspace)
    context = GateContext(workspace=workspace.path, phase=Phase.REPRODUCE, buildpack="python")
    argv = ("python", "-m", "pytest", "--collect-only")
    decision, approved = Gate().approve(RunCommand(argv=argv), context)
    assert decision.accepted and approved is not None
    assert executor.run(approved).ok
    assert sandbox.calls == [list(argv)]


class Refusing(Gate):
    """A gate that approves nothing but a finish; ``claim_accepted`` makes it (wrongly) say
    accepted anyway."""

    def __init__(self, claim_accepted: bool) -> None:
        super().__init__()
        self.claim_accepted = claim_accepted

    def approve(self, proposal: Proposal, context: GateContext) -> tuple[GateDecision, Approved | None]:
        if isinstance(proposal, Finish):
            return super().approve(proposal, context)
        return GateDecision(accepted=self.claim_accepted, rule=None if self.claim_accepted else
                            "forbidden_command", reason="test"), None


@pytest.mark.parametrize("claim_accepted", [False, True])
def test_no_code_path_runs_an_unapproved_proposal(workspace: Workspace, tmp_path: Path,
                                                  claim_accepted: bool) -> None:
    """Without an Approved, no intent reaches the sandbox or the workspace, whatever the decision says."""
    steps = EVERY_INTENT[:-1] * 2
    planner = ScriptedPlanner(steps, Verdict(status=SessionStatus.NOT_FIXED))
    executor, sandbox = executor_over(workspace)
    calls: list[Any] = []
    original = executor.run
    executor.run = lambda approved: calls.append(approved.proposal) or original(approved)  # type: ignore[method-assign]
    with Trajectory(tmp_path / "trajectory.jsonl") as trajectory:
        controller = Controller(planner, Refusing(claim_accepted), executor,
                                Usage(Budget(max_steps=len(steps) + 1)), trajectory, workspace.path,
                                "python")
        assert controller.run().status is SessionStatus.NOT_FIXED
    assert [p.intent for p in calls] == ["finish"]
    assert sandbox.calls == []
    assert workspace.diff() == ""
    assert all(fb.outcome is None for fb in planner.observed[:-1])


def test_a_run_of_the_whole_suite_runs_the_sessions_suite_and_the_tests_it_added(workspace: Workspace) -> None:
    """A SWE-bench session's "whole suite" (``RepairOptions.suite``) is a few test files, and a
    test module the session wrote (a reproduction) runs with them; a helper it wrote does not."""
    (workspace.path / "tests/test_repro.py").write_text("def test_r():\n    assert True\n")
    (workspace.path / "tests/helpers.py").write_text("X = 1\n")
    sandbox = FakeSandbox(workspace.path, {("python",): Reply()})
    executor = Executor(sandbox, PythonBuildpack(), workspace, test_timeout=60, suite=("tests/test_calc.py",))
    context = GateContext(workspace=workspace.path, phase=Phase.REPRODUCE, buildpack="python")
    for proposal, ran in ((RunTests(), ["tests/test_calc.py", "tests/test_repro.py"]),
                          (RunTests(tests=("tests/test_calc.py::test_add",)), ["tests/test_calc.py::test_add"])):
        decision, approved = Gate().approve(proposal, context)
        assert approved is not None, decision
        executor.run(approved)
        argv = sandbox.calls[-1]
        assert argv[-len(ran):] == ran and "tests/helpers.py" not in argv
    whole = Executor(sandbox, PythonBuildpack(), workspace, test_timeout=60)
    decision, approved = Gate().approve(RunTests(), context)
    assert approved is not None
    whole.run(approved)
    assert sandbox.calls[-1][-1].startswith("--junitxml=")  # no suite: nothing named, all of it


class TimedSandbox(LocalSandbox):
    """The local sandbox, with this interpreter's ``python`` first on the path, that records
    each command it runs with the limit it was given."""

    def __init__(self, workspace: Path) -> None:
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        super().__init__(workspace, None, {"PATH": path}, "2g")
        self.runs: list[tuple[list[str], float]] = []

    def exec(self, argv: Sequence[str], *, timeout: float,
             env: Mapping[str, str] | None = None, own_tmp: bool = False) -> ExecResult:
        if not own_tmp:  # the local sandbox runs an own_tmp command through here again
            self.runs.append((list(argv), timeout))
        return super().exec(argv, timeout=timeout, env=env, own_tmp=own_tmp)


def test_a_baseline_whose_whole_suite_outlasts_its_limit_narrows_to_the_narrowed_suite(tmp_path: Path) -> None:
    """A whole suite that never finishes (a test module that, offline, retries its downloads at
    import for longer than a run's limit) does not end the session: the baseline runs again on
    the narrowed files, within what is left of the session's time, and every later run of the
    whole suite runs them (with the test files the session adds)."""
    downloading = "import time\n\ntime.sleep(120)  # a download retried at import, offline\n"
    repo = make_project(tmp_path / "src", {**FILES, "tests/test_download.py": downloading}, name="calc")
    workspace = prepare(str(repo), tmp_path / "ws")
    sandbox = TimedSandbox(workspace.path)
    # the session's seconds left: at the baseline (the whole suite, cut to them, times out), at its
    # rerun (the narrowed files, cut to them: far over what they take, even on a loaded machine)
    limit, left = 60.0, iter([3.0, 30.0])
    executor = Executor(sandbox, PythonBuildpack(), workspace, test_timeout=limit,
                        remaining=lambda: next(left, 100.0), narrowed=("tests/test_calc.py",))

    def run(proposal: RunTests, phase: Phase) -> Any:
        decision, approved = Gate().approve(proposal, GateContext(workspace=workspace.path, phase=phase,
                                                                  buildpack="python"))
        assert approved is not None, decision
        return executor.run(approved)

    try:
        with capture_logs() as logs:
            baseline = run(RunTests(phase=Phase.REPRODUCE), Phase.REPRODUCE)
        (whole, first), (narrowed, second) = sandbox.runs
        assert not any(a.startswith("tests/") for a in whole) and first == 3.0  # the whole suite, timed out
        assert narrowed[-1] == "tests/test_calc.py"
        assert second == 30.0  # cut to what is left of the session's time
        assert baseline.ok and baseline.report is not None and not baseline.report.timed_out
        assert baseline.report.tests == {"tests/test_calc.py::test_add": "failed",
                                         "tests/test_calc.py::test_zero": "passed"}
        assert baseline.report.env_error is None  # the narrowed baseline is diagnosed as any
        assert [e["files"] for e in logs if e["event"] == "executor.suite_narrowed"] == [["tests/test_calc.py"]]

        (workspace.path / "tests/test_repro.py").write_text("def test_r():\n    assert True\n")
        final = run(RunTests(phase=Phase.VERIFY), Phase.VERIFY)
        assert sandbox.runs[-1][0][-2:] == ["tests/test_calc.py", "tests/test_repro.py"]
        assert final.report is not None and "tests/test_repro.py::test_r" in final.report.tests
        assert len(sandbox.runs) == 3  # narrowed once: no whole suite again
    finally:
        sandbox.close()


@pytest.mark.parametrize(("files", "reason"), [
    ({"tests/test_crash.py": "import os, signal\n\nos.kill(os.getpid(), signal.SIGSEGV)\n"},
     "killed by signal 11"),
    ({"tests/table/conftest.py": "import os\n\nos._exit(3)  # pytest 3.3's internal error on a broken conftest\n",
      "tests/table/test_table.py": "def test_t():\n    pass\n"},
     "the environment is broken"),
], ids=["killed", "broken-conftest"])
def test_a_baseline_whose_whole_suite_cannot_run_narrows(tmp_path: Path, files: dict[str, str],
                                                         reason: str) -> None:
    """astropy 1.3's whole collection imports a module whose C extension (erfa, built here)
    crashes the interpreter or raises in a conftest, so the whole suite reports nothing; the
    harness runs only the instance's test files. The baseline runs again on the narrowed files
    and is diagnosed anew: healthy. The whole suite is not run again first: with narrowed files
    known, they are the remedy."""
    repo = make_project(tmp_path / "src", {**FILES, **files}, name="calc")
    workspace = prepare(str(repo), tmp_path / "ws")
    sandbox = TimedSandbox(workspace.path)
    executor = Executor(sandbox, PythonBuildpack(), workspace, test_timeout=60.0,
                        narrowed=("tests/test_calc.py",))
    proposal = RunTests(phase=Phase.REPRODUCE)
    decision, approved = Gate().approve(proposal, GateContext(workspace=workspace.path, phase=Phase.REPRODUCE,
                                                              buildpack="python"))
    assert approved is not None, decision
    try:
        with capture_logs() as logs:
            baseline = executor.run(approved)
        (whole, _), (narrowed, _) = sandbox.runs
        assert not any(a.startswith("tests/") for a in whole) and narrowed[-1] == "tests/test_calc.py"
        assert baseline.report is not None and baseline.report.env_error is None
        assert baseline.report.tests == {"tests/test_calc.py::test_add": "failed",
                                         "tests/test_calc.py::test_zero": "passed"}
        narrowing = [e for e in logs if e["event"] == "executor.suite_narrowed"]
        assert len(narrowing) == 1 and narrowing[0]["reason"].startswith(reason), narrowing
    finally:
        sandbox.close()


def test_a_broken_baseline_without_narrowed_files_is_still_an_environment_error(tmp_path: Path) -> None:
    repo = make_project(tmp_path / "src", {**FILES, "tests/conftest.py": "import no_such_module_xyz\n"},
                        name="calc")
    workspace = prepare(str(repo), tmp_path / "ws")
    sandbox = TimedSandbox(workspace.path)
    executor = Executor(sandbox, PythonBuildpack(), workspace, test_timeout=60.0)
    proposal = RunTests(phase=Phase.REPRODUCE)
    _, approved = Gate().approve(proposal, GateContext(workspace=workspace.path, phase=Phase.REPRODUCE,
                                                       buildpack="python"))
    assert approved is not None
    try:
        baseline = executor.run(approved)
        assert len(sandbox.runs) == 1
        assert baseline.report is not None and (baseline.report.env_error or "").startswith("the environment is broken")
    finally:
        sandbox.close()


class Undiagnosed(PythonBuildpack):
    """A runner with no diagnosis of a broken environment (a harness runner's, sympy's bin/test)."""

    def diagnose(self, report: TestReport, repo: Path) -> str | None:
        return None


def test_a_baseline_whose_runner_died_of_a_signal_partway_narrows_with_no_diagnosis(workspace: Workspace) -> None:
    """With narrowed files known, a whole suite whose runner crashed partway narrows at once (it is
    not run again first), even where the runner has no diagnosis to call the crash broken."""
    crashed = Reply(139, "Fatal Python error: Segmentation fault",
                    {"junit.xml": junit(test_zero="passed")})
    healthy = Reply(1, "1 failed, 1 passed", {"junit.xml": junit(test_add="failed", test_zero="passed")})
    sandbox = FakeSandbox(workspace.path, {("python",): [crashed, healthy]})
    executor = Executor(sandbox, Undiagnosed(), workspace, test_timeout=5.0, narrowed=("tests/test_calc.py",))
    decision, approved = Gate().approve(RunTests(phase=Phase.REPRODUCE), GateContext(
        workspace=workspace.path, phase=Phase.REPRODUCE, buildpack="python"))
    assert approved is not None, decision
    baseline = executor.run(approved)
    assert len(sandbox.calls) == 2 and "tests/test_calc.py" in sandbox.calls[1]
    assert baseline.report is not None and baseline.report.tests == {"tests/test_calc.py::test_add": "failed",
                                                                     "tests/test_calc.py::test_zero": "passed"}


def test_only_the_baseline_narrows(workspace: Workspace) -> None:
    """A later run of the whole suite that times out (the reproduction's, where the runner cannot
    run a file alone) is compared with a baseline of the whole suite: it does not narrow."""
    healthy = Reply(1, "1 failed, 1 passed", {"junit.xml": junit(test_add="failed", test_zero="passed")})
    sandbox = FakeSandbox(workspace.path, {("python",): [healthy, Reply(timed_out=True)]})
    executor = Executor(sandbox, PythonBuildpack(), workspace, test_timeout=5.0, narrowed=("tests/test_calc.py",))
    for _ in range(2):
        decision, approved = Gate().approve(RunTests(phase=Phase.REPRODUCE), GateContext(
            workspace=workspace.path, phase=Phase.REPRODUCE, buildpack="python"))
        assert approved is not None, decision
        executor.run(approved)
    assert len(sandbox.calls) == 2 and not any("tests/test_calc.py" in call for call in sandbox.calls)


class FixedSuitePack(PythonBuildpack):
    """A buildpack whose suite cannot take files in (a SWE-bench spec's)."""

    def collect(self, repo: Path, files: Sequence[str] = ()) -> bool:
        return False


@pytest.mark.parametrize("pack", [PythonBuildpack, FixedSuitePack])
def test_a_named_file_outside_the_collection_patterns_joins_the_whole_suite(tmp_path: Path, pack: type) -> None:
    """issue 45: a nose-era ``tests_*.py`` named by its path was "no tests found"; the baseline
    runs it with what the project collects, and so does every later run of the whole suite
    (never where the buildpack's suite stays as it is)."""
    nose = "from calc import add\n\ndef test_add_nose():\n    assert add(1, 1) == 2\n"
    repo = make_project(tmp_path / "src", {**FILES, "tests/tests_calc.py": nose}, name="calc")
    workspace = prepare(str(repo), tmp_path / "ws")
    sandbox = TimedSandbox(workspace.path)
    executor = Executor(sandbox, pack(), workspace, test_timeout=120, given=("tests/tests_calc.py::test_add_nose",))

    def run(proposal: RunTests, phase: Phase) -> TestReport:
        decision, approved = Gate().approve(proposal, GateContext(workspace=workspace.path, phase=phase,
                                                                  buildpack="python"))
        assert approved is not None, decision
        outcome = executor.run(approved)
        assert outcome.report is not None
        return outcome.report

    try:
        baseline = run(RunTests(phase=Phase.REPRODUCE), Phase.REPRODUCE)
        suite = run(RunTests(phase=Phase.VERIFY), Phase.VERIFY)
    finally:
        sandbox.close()
    named = "tests/tests_calc.py::test_add_nose"
    if pack is PythonBuildpack:
        assert baseline.tests[named] == "failed" and suite.tests[named] == "failed"
        zero = "tests/test_calc.py::test_zero"
        assert baseline.tests[zero] == "passed" == suite.tests[zero]
        assert len(sandbox.runs) == 3
    else:
        assert named not in baseline.tests and named not in suite.tests and len(sandbox.runs) == 2
