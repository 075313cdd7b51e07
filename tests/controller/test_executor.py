"""The executor acts only on an Approved the gate issued; nothing else reaches a sandbox."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

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
)
from rfsn.planners.base import Verdict
from rfsn.planners.scripted import ScriptedPlanner
from rfsn.sandbox.fake import FakeSandbox, Reply
from rfsn.workspace import Workspace
from tests.controller.conftest import BUGGY, FIX_PATCH

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
        return GateDecision(
            accepted=self.claim_accepted, rule=None if self.claim_accepted else "forbidden_command", reason="test"
        ), None


@pytest.mark.parametrize("claim_accepted", [False, True])
def test_no_code_path_runs_an_unapproved_proposal(workspace: Workspace, tmp_path: Path, claim_accepted: bool) -> None:
    """Without an Approved, no intent reaches the sandbox or the workspace, whatever the decision says."""
    steps = EVERY_INTENT[:-1] * 2
    planner = ScriptedPlanner(steps, Verdict(status=SessionStatus.NOT_FIXED))
    executor, sandbox = executor_over(workspace)
    calls: list[Any] = []
    original = executor.run
    executor.run = lambda approved: calls.append(approved.proposal) or original(approved)  # type: ignore[method-assign]
    with Trajectory(tmp_path / "trajectory.jsonl") as trajectory:
        controller = Controller(
            planner,
            Refusing(claim_accepted),
            executor,
            Usage(Budget(max_steps=len(steps) + 1)),
            trajectory,
            workspace.path,
            "python",
        )
        assert controller.run().status is SessionStatus.NOT_FIXED
    assert [p.intent for p in calls] == ["finish"]
    assert sandbox.calls == []
    assert workspace.diff() == ""
    assert all(fb.outcome is None for fb in planner.observed[:-1])


class FixedSuitePack(PythonBuildpack):
    """A buildpack whose suite cannot take files in (a SWE-bench spec's)."""

    def collect(self, repo: Path, files: Sequence[str] = ()) -> bool:
        return False


@pytest.mark.parametrize(("pack", "runs"), [(PythonBuildpack, True), (FixedSuitePack, False)])
def test_a_run_that_names_files_to_collect_runs_only_where_the_runner_takes_them_in(
    workspace: Workspace, pack: type, runs: bool
) -> None:
    sandbox = FakeSandbox(workspace.path, {("python",): Reply()})
    executor = Executor(sandbox, pack(), workspace, test_timeout=60)
    named = RunTests(phase=Phase.REPRODUCE, tests=("tests/test_calc.py",), collect=("tests/test_calc.py",))
    for proposal, ran in ((named, runs), (RunTests(phase=Phase.REPRODUCE, collect=()), True)):
        calls = len(sandbox.calls)
        _, approved = Gate().approve(
            proposal, GateContext(workspace=workspace.path, phase=Phase.REPRODUCE, buildpack="python")
        )
        assert approved is not None
        outcome = executor.run(approved)
        assert (len(sandbox.calls) > calls) is ran and outcome.ok is ran


def test_a_screening_run_writes_its_failures_briefly_and_a_baseline_run_in_full(workspace: Workspace) -> None:
    """A candidate's screening pays a traceback per failure: pytest's long ones took a third of a
    hot run of csvreport's three failing tests (budget71's profile); the runs before any candidate
    (reproduction, localization) keep them: why each target fails is read from them."""
    executor, sandbox = executor_over(workspace)
    tests = ("tests/test_calc.py::test_add",)
    for phase, brief in ((Phase.REPRODUCE, False), (Phase.PATCH, True)):
        _, approved = Gate().approve(
            RunTests(phase=phase, tests=tests), GateContext(workspace=workspace.path, phase=phase, buildpack="python")
        )
        assert approved is not None
        executor.run(approved)
        argv = next(call for call in reversed(sandbox.calls) if call[:3] == ["python", "-m", "pytest"])
        assert ("--tb=native" in argv) is brief and not any(a.startswith("--maxfail") for a in argv)


class Recording:
    """A warm runner that records the ``cold_start`` each run had."""

    def __init__(self) -> None:
        self.cold_start, self.seen = 0.0, list[float]()

    def exec(self, argv: Sequence[str], *, timeout: float, env: Any = None, own_tmp: bool = False) -> ExecResult:
        self.seen.append(self.cold_start)
        return ExecResult(argv=list(argv), exit_code=0, output="", duration=0.0)


def test_a_screening_run_the_warm_runner_starts_cold_gets_the_proposals_cold_start_within_the_budget(
    workspace: Workspace,
) -> None:
    left = [500.0]
    sandbox = FakeSandbox(workspace.path, {("python",): Reply()})
    executor = Executor(sandbox, PythonBuildpack(), workspace, test_timeout=60, remaining=lambda: left[0])
    warm = Recording()
    executor._warm, executor._warm_started = warm, True  # started: its own tests are test_warm_pytest's
    context = GateContext(workspace=workspace.path, phase=Phase.PATCH, buildpack="python")
    run = RunTests(phase=Phase.PATCH, tests=("tests/test_calc.py::test_add",), timeout=2.0, cold_start=4.5)
    for budget in (500.0, 5.0, 1.0):
        left[0] = budget
        _, approved = Gate().approve(run, context)
        assert approved is not None
        executor.run(approved)
    assert warm.seen == [4.5, 3.0, 0.0]
