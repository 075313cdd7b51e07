"""The real Controller, Gate and Executor, driven by a ScriptedPlanner over a FakeSandbox."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.controller.budget import Budget, BudgetExhausted, Usage
from rfsn.controller.executor import Executor
from rfsn.controller.loop import Controller, Step
from rfsn.controller.trajectory import Trajectory, read
from rfsn.gate import Gate
from rfsn.models import (
    Edit,
    Finish,
    Phase,
    Proposal,
    ReadFile,
    RunCommand,
    RunTests,
    Search,
    SessionStatus,
    parse_proposal,
)
from rfsn.planners.base import Verdict
from rfsn.planners.scripted import ScriptedPlanner
from rfsn.sandbox.fake import FakeSandbox, Reply
from rfsn.workspace import Workspace
from tests.controller.conftest import BUGGY, FIX_PATCH, FIXED, junit

PYTEST = ("python", "-m", "pytest")
FIXED_VERDICT = Verdict(status=SessionStatus.FIXED, message="fixed add")


class Harness:
    """The controller's real parts around a scripted planner and a fake sandbox."""

    def __init__(
        self,
        workspace: Workspace,
        tmp_path: Path,
        steps: Sequence[tuple[Phase, Proposal]],
        replies: Sequence[Reply] = (),
        max_steps: int = 50,
        on_step: Callable[[Step], None] | None = None,
    ) -> None:
        self.workspace = workspace
        self.planner = ScriptedPlanner(steps, FIXED_VERDICT)
        self.sandbox = FakeSandbox(workspace.path, {PYTEST: list(replies) or [Reply()]})
        self.path = tmp_path / "out" / "trajectory.jsonl"
        self.trajectory = Trajectory(self.path)
        executor = Executor(self.sandbox, PythonBuildpack(), workspace, test_timeout=60)
        self.controller = Controller(
            self.planner,
            Gate(),
            executor,
            Usage(Budget(max_steps=max_steps)),
            self.trajectory,
            workspace.path,
            "python",
            on_step,
        )

    def run(self) -> Verdict:
        try:
            return self.controller.run()
        finally:
            self.trajectory.close()
            self.sandbox.close()

    def records(self) -> list[dict[str, object]]:
        return read(self.path)


FAILING = Reply(1, "1 failed, 1 passed", {"junit.xml": junit(test_add="failed", test_zero="passed")})
PASSING = Reply(0, "2 passed", {"junit.xml": junit(test_add="passed", test_zero="passed")})
REPAIR = [
    (Phase.REPRODUCE, RunTests(phase=Phase.REPRODUCE, rationale="baseline")),
    (Phase.PATCH, Edit(phase=Phase.PATCH, patch=FIX_PATCH, rationale="- to +")),
    (Phase.VERIFY, RunTests(phase=Phase.VERIFY, rationale="confirm")),
    (Phase.VERIFY, Finish(phase=Phase.VERIFY, reason="tests pass")),
]


def test_the_loop_runs_until_a_finish_is_accepted(workspace: Workspace, tmp_path: Path) -> None:
    h = Harness(workspace, tmp_path, REPAIR, [FAILING, PASSING])
    verdict = h.run()
    assert verdict == FIXED_VERDICT
    assert len(h.planner.proposed) == 4  # the script's Finish ended it, not the planner's own
    assert [fb.ok for fb in h.planner.observed] == [True, True, True, True]
    reports = [fb.outcome.report for fb in h.planner.observed if fb.outcome and fb.outcome.report]
    assert [r.failing for r in reports] == [["tests/test_calc.py::test_add"], []]
    # the baseline and the confirmation; the patch phase's first edit started the warm runner
    # first (it may preload the project as it is before any candidate; a fake sandbox has none).
    # A run of the whole suite runs pytest with its per-test record's plugin first on the path
    commands = [" ".join(call) for call in h.sandbox.calls]
    assert " ".join(PYTEST) in commands[0] and " ".join(PYTEST) in commands[-1]
    assert len(commands) == 3 and "warm/server.py" in commands[1]
    assert (workspace.path / "calc.py").read_text() == FIXED
    assert "+    return a + b" in workspace.diff()


def test_a_rejected_finish_does_not_end_the_session(workspace: Workspace, tmp_path: Path) -> None:
    early = Finish(phase=Phase.PATCH, reason="looks done")  # finishing before verify is giving up only
    h = Harness(workspace, tmp_path, [(Phase.PATCH, early), *REPAIR[1:]], [PASSING])
    assert h.run() == FIXED_VERDICT
    first = h.planner.observed[0]
    assert not first.decision.accepted and first.decision.rule == "phase_violation"
    assert first.outcome is None
    assert len(h.records()) == 4


REJECTED: list[tuple[str, Phase, Proposal]] = [
    ("forbidden_command", Phase.REPRODUCE, RunCommand(argv=("curl", "http://example.com/x"))),
    ("shell_injection", Phase.REPRODUCE, RunCommand(argv=("python", "-m", "pytest", "; rm -rf /"))),
    ("phase_violation", Phase.LOCALIZE, Edit(patch=FIX_PATCH)),
    ("phase_violation", Phase.PATCH, RunTests(phase=Phase.VERIFY)),
    ("path_escape", Phase.REPRODUCE, ReadFile(path="../../etc/passwd")),
    ("test_tampering", Phase.PATCH, Edit(path="tests/test_calc.py", old="assert add(2, 3) == 5", new="assert True")),
    ("patch_does_not_apply", Phase.PATCH, Edit(path="calc.py", old="return a * b", new="return a + b")),
    ("syntax_error", Phase.PATCH, Edit(path="calc.py", old="return a - b", new="return a +")),
    ("bad_pattern", Phase.REPRODUCE, Search(pattern="(unclosed")),
]


@pytest.mark.parametrize(("rule", "phase", "proposal"), REJECTED, ids=[f"{r[0]}-{i}" for i, r in enumerate(REJECTED)])
def test_a_rejected_proposal_is_never_executed(
    workspace: Workspace, tmp_path: Path, rule: str, phase: Phase, proposal: Proposal
) -> None:
    """Nothing the gate rejects reaches the sandbox or the workspace; the planner learns the rule."""
    h = Harness(workspace, tmp_path, [(phase, proposal)])
    h.run()
    rejected = h.planner.observed[0]
    assert not rejected.decision.accepted
    assert rejected.decision.rule == rule, rejected.decision.reason
    assert rejected.outcome is None and not rejected.ok
    assert h.sandbox.calls == []
    assert (workspace.path / "calc.py").read_text() == BUGGY
    assert workspace.diff() == ""
    assert h.records()[0]["outcome"] is None


def test_the_trajectory_is_one_line_per_step_written_as_it_goes(workspace: Workspace, tmp_path: Path) -> None:
    seen: list[int] = []
    path = tmp_path / "out" / "trajectory.jsonl"

    def on_step(step: Step) -> None:
        lines = path.read_text().splitlines()  # read back while the session runs
        assert len(lines) == step.number
        last = json.loads(lines[-1])
        assert last["step"] == step.number
        assert parse_proposal(last["proposal"]) == step.proposal  # the public JSON form
        assert last["decision"] == step.feedback.decision.model_dump(mode="json")
        assert (last["outcome"] is None) == (step.feedback.outcome is None)
        seen.append(step.number)

    steps = [REPAIR[0], (Phase.REPRODUCE, RunCommand(argv=("curl", "x"))), *REPAIR[1:]]
    h = Harness(workspace, tmp_path, steps, [FAILING, PASSING], on_step=on_step)
    h.run()
    assert seen == [1, 2, 3, 4, 5]
    records = h.records()
    assert [r["phase"] for r in records] == ["reproduce", "reproduce", "patch", "verify", "verify"]
    assert [r["decision"]["accepted"] for r in records] == [True, False, True, True, True]  # type: ignore[index]
    assert records[0]["outcome"]["report"]["tests"] == {  # type: ignore[index]
        "tests/test_calc.py::test_add": "failed",
        "tests/test_calc.py::test_zero": "passed",
    }
    assert records[2]["outcome"] == {
        "intent": "edit",
        "ok": True,
        "detail": "applied",
        "exec": None,
        "report": None,
        "content": None,
        "data": {},
    }


def test_the_session_ends_budget_exhausted_after_max_steps(workspace: Workspace, tmp_path: Path) -> None:
    steps = [(Phase.REPRODUCE, RunTests(phase=Phase.REPRODUCE))] * 10
    h = Harness(workspace, tmp_path, steps, [FAILING], max_steps=3)
    with pytest.raises(BudgetExhausted, match="3 steps"):
        h.run()
    assert len(h.planner.proposed) == 3
    assert all(fb.ok for fb in h.planner.observed)  # each of the 3 budgeted steps ran
    assert len(h.sandbox.calls) == 3
    assert len(h.records()) == 3


def test_every_step_logs_proposal_decision_and_outcome(workspace: Workspace, tmp_path: Path) -> None:
    steps = [REPAIR[0], (Phase.REPRODUCE, RunCommand(argv=("curl", "x"))), *REPAIR[1:]]
    h = Harness(workspace, tmp_path, steps, [FAILING, PASSING])
    with capture_logs() as logs:
        h.run()
    wanted = {"controller.proposal", "gate.decision", "controller.outcome"}
    events = [e for e in logs if e["event"] in wanted]
    assert [e["event"] for e in events] == [
        "controller.proposal",
        "gate.decision",
        "controller.outcome",  # run_tests
        "controller.proposal",
        "gate.decision",  # curl: rejected, not run
        "controller.proposal",
        "gate.decision",
        "controller.outcome",  # edit
        "controller.proposal",
        "gate.decision",
        "controller.outcome",  # run_tests
        "controller.proposal",
        "gate.decision",
        "controller.outcome",  # finish
    ]
    decisions = [e for e in events if e["event"] == "gate.decision"]
    assert [d["accepted"] for d in decisions] == [True, False, True, True, True]
    assert decisions[1]["rule"] == "forbidden_command" and decisions[1]["intent"] == "run_command"
    assert [e["intent"] for e in events if e["event"] == "controller.outcome"] == [
        "run_tests",
        "edit",
        "run_tests",
        "finish",
    ]


def test_a_test_id_the_runner_reported_may_hold_shell_characters(workspace: Workspace, tmp_path: Path) -> None:
    """A runner's own name for a test (a parametrized id, a mocha title) may hold `;`: once the
    runner reported it, the gate runs it; the same id before any run reported it is refused."""
    odd = "tests/test_calc.py::test_add[a; b]"
    named = Reply(1, "1 failed", {"junit.xml": junit(**{"test_add[a; b]": "failed", "test_zero": "passed"})})
    script = [
        (Phase.REPRODUCE, RunTests(phase=Phase.REPRODUCE, tests=(odd,))),
        (Phase.REPRODUCE, RunTests(phase=Phase.REPRODUCE)),
        (Phase.REPRODUCE, RunTests(phase=Phase.REPRODUCE, tests=(odd,))),
        (Phase.VERIFY, Finish(phase=Phase.VERIFY, reason="done")),
    ]
    h = Harness(workspace, tmp_path, script, [named])
    h.run()
    decisions = [(fb.decision.accepted, fb.decision.rule) for fb in h.planner.observed[:3]]
    assert decisions == [(False, "shell_injection"), (True, None), (True, None)]


class SlowWarmSandbox(FakeSandbox):
    """Records when each command ran and in which thread; every command takes a while."""

    def __init__(self, workspace: Path, replies: Sequence[Reply]) -> None:
        super().__init__(workspace, {PYTEST: list(replies)})
        self.spans: list[tuple[str, str, float, float]] = []

    def exec(self, argv: Sequence[str], **kwargs: object):  # type: ignore[no-untyped-def, override]
        import threading
        import time

        started = time.monotonic()
        time.sleep(0.3)
        result = super().exec(argv, **kwargs)  # type: ignore[arg-type]
        self.spans.append((" ".join(argv), threading.current_thread().name, started, time.monotonic()))
        return result


def test_the_warm_runner_starts_in_the_background_with_the_localization_and_no_candidate_overlaps_it(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Its start-up overlaps the localization's run and what the planner does next; the first
    candidate waits for it, so it loads the project as it was, and nothing else overlaps it."""
    steps = [
        (Phase.REPRODUCE, RunTests(phase=Phase.REPRODUCE, rationale="baseline")),
        (Phase.LOCALIZE, RunTests(phase=Phase.LOCALIZE, rationale="coverage")),
        *REPAIR[1:],
    ]
    h = Harness(workspace, tmp_path, steps)
    h.sandbox.close()
    h.sandbox = SlowWarmSandbox(workspace.path, [FAILING, FAILING, PASSING])
    h.controller.executor = Executor(h.sandbox, PythonBuildpack(), workspace, test_timeout=60)
    applied_at: list[float] = []
    original = h.controller.executor._edit

    def edit(patch: str):  # type: ignore[no-untyped-def]
        import time

        applied_at.append(time.monotonic())
        return original(patch)

    h.controller.executor._edit = edit  # type: ignore[method-assign]
    assert h.run() == FIXED_VERDICT
    spans = h.sandbox.spans
    (warm,) = [s for s in spans if "warm/server.py" in s[0]]
    others = [s for s in spans if s is not warm]
    localize = others[1]
    assert warm[1] == "rfsn-warm" and warm[2] < localize[3] and localize[2] < warm[3]  # side by side
    assert applied_at[0] >= warm[3]  # the candidate waited for it
    assert all(s[2] >= warm[3] for s in others[2:])  # the screening runs too
    assert all(a[3] <= b[2] for a, b in itertools.pairwise(others))
