"""The baseline policy: what a run of the whole suite runs, and how the session's baseline is had
(run again, narrowed, widened by named files), each of its proposals approved by the real gate
and run by the real executor."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from rfsn.buildpacks.base import Buildpack
from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.controller.executor import Executor
from rfsn.gate import Gate, GateContext
from rfsn.models import ExecResult, GateDecision, Outcome, Phase, Proposal, RunTests, TestReport
from rfsn.planners.base import Feedback
from rfsn.planners.reproduce.baseline import Baseline, BaselineOptions, Runs
from rfsn.sandbox.fake import FakeSandbox, Reply
from rfsn.sandbox.local import LocalSandbox
from rfsn.workspace import Workspace, prepare
from tests.controller.conftest import FILES, junit
from tests.sandbox.projects import make_project


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return prepare(str(make_project(tmp_path / "src", FILES, name="calc")), tmp_path / "ws")


def drive(runs: Runs, executor: Executor) -> Outcome:
    """``runs`` to its end, each proposal approved by the gate and run by ``executor``: the
    outcome the plan reads."""
    proposal = next(runs)
    while True:
        assert isinstance(proposal, RunTests)
        context = GateContext(
            workspace=executor.workspace.path, phase=proposal.phase or Phase.REPRODUCE, buildpack="python"
        )
        decision, approved = Gate().approve(proposal, context)
        assert approved is not None, decision
        try:
            proposal = runs.send(Feedback(decision, executor.run(approved)))
        except StopIteration as stop:
            assert stop.value.outcome is not None
            return stop.value.outcome


def baseline_of(
    executor: Executor, options: BaselineOptions | None = None, given: Sequence[str] = (), **kwargs: object
) -> Baseline:
    return Baseline(
        options,
        workspace=executor.workspace,
        buildpack=executor.buildpack,
        given=given,
        setup_failure=executor.sandbox.setup_failure,
        **kwargs,
    )  # type: ignore[arg-type]


def test_a_run_of_the_whole_suite_runs_the_sessions_suite_and_the_tests_it_added(workspace: Workspace) -> None:
    """A SWE-bench session's "whole suite" (``BaselineOptions.suite``) is a few test files, and a
    test module the session wrote (a reproduction) runs with them; a helper it wrote does not."""
    (workspace.path / "tests/test_repro.py").write_text("def test_r():\n    assert True\n")
    (workspace.path / "tests/helpers.py").write_text("X = 1\n")
    sandbox = FakeSandbox(workspace.path, {("python",): Reply()})
    executor = Executor(sandbox, PythonBuildpack(), workspace, test_timeout=60)
    baseline = baseline_of(executor, BaselineOptions(suite=["tests/test_calc.py"]))
    drive(baseline.run(RunTests(phase=Phase.REPRODUCE)), executor)
    ran = ["tests/test_calc.py", "tests/test_repro.py"]
    assert sandbox.calls[-1][-len(ran) :] == ran and "tests/helpers.py" not in sandbox.calls[-1]
    drive(baseline_of(executor).run(RunTests(phase=Phase.REPRODUCE)), executor)
    assert sandbox.calls[-1][-1].startswith("--junitxml=")  # no suite: nothing named, all of it


def test_each_run_of_the_whole_suite_in_a_plan_passes_through_the_baseline(workspace: Workspace) -> None:
    """``conduct``: the plan's runs of the whole suite name the session's suite, leaving out what
    they leave out; a run that names its tests, and any other proposal, pass as they are."""
    baseline = Baseline(BaselineOptions(suite=["tests/test_calc.py", "tests/test_other.py"]), workspace=workspace)
    named = RunTests(phase=Phase.PATCH, tests=("tests/test_calc.py::test_add",))

    def plan() -> Iterator[Proposal]:
        yield RunTests(phase=Phase.PATCH, leave_out=("tests/test_other.py",))
        yield named
        yield RunTests(phase=Phase.VERIFY)

    conducted = baseline.conduct(plan())  # type: ignore[arg-type]
    report = Feedback(GateDecision(accepted=True))
    seen = [next(conducted), conducted.send(report), conducted.send(report)]
    assert [p.tests for p in seen if isinstance(p, RunTests)] == [
        ("tests/test_calc.py",),
        named.tests,
        ("tests/test_calc.py", "tests/test_other.py"),
    ]
    with pytest.raises(StopIteration):
        conducted.send(report)


class TimedSandbox(LocalSandbox):
    """The local sandbox, with this interpreter's ``python`` first on the path, that records
    each command it runs with the limit it was given."""

    def __init__(self, workspace: Path) -> None:
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        super().__init__(workspace, None, {"PATH": path}, "2g")
        self.runs: list[tuple[list[str], float]] = []

    def exec(
        self, argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None, own_tmp: bool = False
    ) -> ExecResult:
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
    executor = Executor(sandbox, PythonBuildpack(), workspace, test_timeout=limit, remaining=lambda: next(left, 100.0))
    runs = baseline_of(executor, BaselineOptions(narrowed=["tests/test_calc.py"]))
    try:
        with capture_logs() as logs:
            baseline = drive(runs.run(RunTests(phase=Phase.REPRODUCE)), executor)
        (whole, first), (narrowed, second) = sandbox.runs
        assert not any(a.startswith("tests/") for a in whole) and first == 3.0  # the whole suite, timed out
        assert narrowed[-1] == "tests/test_calc.py"
        assert second == 30.0  # cut to what is left of the session's time
        assert baseline.ok and baseline.report is not None and not baseline.report.timed_out
        assert baseline.report.tests == {
            "tests/test_calc.py::test_add": "failed",
            "tests/test_calc.py::test_zero": "passed",
        }
        assert baseline.report.env_error is None  # the narrowed baseline is diagnosed as any
        assert [e["files"] for e in logs if e["event"] == "baseline.suite_narrowed"] == [["tests/test_calc.py"]]

        (workspace.path / "tests/test_repro.py").write_text("def test_r():\n    assert True\n")
        final = drive(runs.run(RunTests(phase=Phase.VERIFY)), executor)
        assert sandbox.runs[-1][0][-2:] == ["tests/test_calc.py", "tests/test_repro.py"]
        assert final.report is not None and "tests/test_repro.py::test_r" in final.report.tests
        assert len(sandbox.runs) == 3  # narrowed once: no whole suite again
    finally:
        sandbox.close()


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"tests/test_crash.py": "import os, signal\n\nos.kill(os.getpid(), signal.SIGSEGV)\n"}, "killed by signal 11"),
        (
            {
                "tests/table/conftest.py": (
                    "import os\n\nos._exit(3)  # pytest 3.3's internal error on a broken conftest\n"
                ),
                "tests/table/test_table.py": "def test_t():\n    pass\n",
            },
            "the environment is broken",
        ),
    ],
    ids=["killed", "broken-conftest"],
)
def test_a_baseline_whose_whole_suite_cannot_run_narrows(tmp_path: Path, files: dict[str, str], reason: str) -> None:
    """astropy 1.3's whole collection imports a module whose C extension (erfa, built here)
    crashes the interpreter or raises in a conftest, so the whole suite reports nothing; the
    harness runs only the instance's test files. The baseline runs again on the narrowed files
    and is diagnosed anew: healthy. The whole suite is not run again first: with narrowed files
    known, they are the remedy."""
    repo = make_project(tmp_path / "src", {**FILES, **files}, name="calc")
    workspace = prepare(str(repo), tmp_path / "ws")
    sandbox = TimedSandbox(workspace.path)
    executor = Executor(sandbox, PythonBuildpack(), workspace, test_timeout=60.0)
    runs = baseline_of(executor, BaselineOptions(narrowed=["tests/test_calc.py"]))
    try:
        with capture_logs() as logs:
            baseline = drive(runs.run(RunTests(phase=Phase.REPRODUCE)), executor)
        (whole, _), (narrowed, _) = sandbox.runs
        assert not any(a.startswith("tests/") for a in whole) and narrowed[-1] == "tests/test_calc.py"
        assert baseline.report is not None and baseline.report.env_error is None
        assert baseline.report.tests == {
            "tests/test_calc.py::test_add": "failed",
            "tests/test_calc.py::test_zero": "passed",
        }
        narrowing = [e for e in logs if e["event"] == "baseline.suite_narrowed"]
        assert len(narrowing) == 1 and narrowing[0]["reason"].startswith(reason), narrowing
    finally:
        sandbox.close()


def test_a_broken_baseline_without_narrowed_files_is_still_an_environment_error(tmp_path: Path) -> None:
    repo = make_project(tmp_path / "src", {**FILES, "tests/conftest.py": "import no_such_module_xyz\n"}, name="calc")
    workspace = prepare(str(repo), tmp_path / "ws")
    sandbox = TimedSandbox(workspace.path)
    executor = Executor(sandbox, PythonBuildpack(), workspace, test_timeout=60.0)
    try:
        baseline = drive(baseline_of(executor).run(RunTests(phase=Phase.REPRODUCE)), executor)
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
    crashed = Reply(139, "Fatal Python error: Segmentation fault", {"junit.xml": junit(test_zero="passed")})
    healthy = Reply(1, "1 failed, 1 passed", {"junit.xml": junit(test_add="failed", test_zero="passed")})
    sandbox = FakeSandbox(workspace.path, {("python",): [crashed, healthy]})
    executor = Executor(sandbox, Undiagnosed(), workspace, test_timeout=5.0)
    runs = baseline_of(executor, BaselineOptions(narrowed=["tests/test_calc.py"]))
    baseline = drive(runs.run(RunTests(phase=Phase.REPRODUCE)), executor)
    assert len(sandbox.calls) == 2 and "tests/test_calc.py" in sandbox.calls[1]
    assert baseline.report is not None and baseline.report.tests == {
        "tests/test_calc.py::test_add": "failed",
        "tests/test_calc.py::test_zero": "passed",
    }


def test_a_baseline_whose_runner_died_of_a_signal_runs_again_while_time_is_left(workspace: Workspace) -> None:
    """Without narrowed files, a baseline whose runner died of a signal runs again (twice at most),
    while the session has twice the time the run took left."""
    crashed = Reply(139, "Fatal Python error: Segmentation fault", {})
    healthy = Reply(1, "1 failed, 1 passed", {"junit.xml": junit(test_add="failed", test_zero="passed")})
    for left, calls in ((100.0, 2), (-1.0, 1)):  # the fake run takes no time
        sandbox = FakeSandbox(workspace.path, {("python",): [crashed, healthy]})
        executor = Executor(sandbox, PythonBuildpack(), workspace, test_timeout=5.0)
        with capture_logs() as logs:
            runs = baseline_of(executor, seconds_left=lambda left=left: left)
            drive(runs.run(RunTests(phase=Phase.REPRODUCE)), executor)
        assert len(sandbox.calls) == calls
        assert [e["event"] for e in logs].count("baseline.again") == calls - 1


def test_only_the_baseline_narrows(workspace: Workspace) -> None:
    """A later run of the whole suite that times out (the reproduction's, where the runner cannot
    run a file alone) is compared with a baseline of the whole suite: it does not narrow."""
    healthy = Reply(1, "1 failed, 1 passed", {"junit.xml": junit(test_add="failed", test_zero="passed")})
    sandbox = FakeSandbox(workspace.path, {("python",): [healthy, Reply(timed_out=True)]})
    executor = Executor(sandbox, PythonBuildpack(), workspace, test_timeout=5.0)
    runs = baseline_of(executor, BaselineOptions(narrowed=["tests/test_calc.py"]))
    for _ in range(2):
        drive(runs.run(RunTests(phase=Phase.REPRODUCE)), executor)
    assert len(sandbox.calls) == 2 and not any("tests/test_calc.py" in call for call in sandbox.calls)


class FixedSuitePack(PythonBuildpack):
    """A buildpack whose suite cannot take files in (a SWE-bench spec's)."""

    def collect(self, repo: Path, files: Sequence[str] = ()) -> bool:
        return False


@pytest.mark.parametrize("pack", [PythonBuildpack, FixedSuitePack])
def test_a_named_file_outside_the_collection_patterns_joins_the_whole_suite(tmp_path: Path, pack: type) -> None:
    """issue 45: a nose-era ``tests_*.py`` named by its path was "no tests found"; the baseline
    runs it with what the project collects, and so does every later run of the whole suite
    (never where the buildpack's suite stays as it is: the executor refuses the run that would
    widen it, and the baseline stays as it ran)."""
    nose = "from calc import add\n\ndef test_add_nose():\n    assert add(1, 1) == 2\n"
    repo = make_project(tmp_path / "src", {**FILES, "tests/tests_calc.py": nose}, name="calc")
    workspace = prepare(str(repo), tmp_path / "ws")
    sandbox = TimedSandbox(workspace.path)
    buildpack: Buildpack = pack()
    executor = Executor(sandbox, buildpack, workspace, test_timeout=120)
    runs = baseline_of(executor, given=("tests/tests_calc.py::test_add_nose",))
    try:
        baseline = drive(runs.run(RunTests(phase=Phase.REPRODUCE)), executor).report
        suite = drive(runs.run(RunTests(phase=Phase.VERIFY)), executor).report
    finally:
        sandbox.close()
    assert baseline is not None and suite is not None
    named = "tests/tests_calc.py::test_add_nose"
    if pack is PythonBuildpack:
        assert baseline.tests[named] == "failed" and suite.tests[named] == "failed"
        zero = "tests/test_calc.py::test_zero"
        assert baseline.tests[zero] == "passed" == suite.tests[zero]
        assert len(sandbox.runs) == 3
    else:
        assert named not in baseline.tests and named not in suite.tests and len(sandbox.runs) == 2
