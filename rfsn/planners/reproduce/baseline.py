"""The session's baseline: what a run of the whole suite runs, and how the baseline is had.

:class:`Baseline` is the one policy over the whole suite. Every run of it the plan proposes
passes through it (:meth:`Baseline.conduct`), which names what runs in ``tests``: nothing (the
buildpack's whole suite), or the session's suite files with the test files it added. A run at
reproduce is a baseline (:meth:`Baseline.run`): it runs again while its runner dies of a signal;
the first one also widens the runner's collection, takes in the given tests' files the suite
did not collect, turns to the narrowed files where the whole suite cannot run here, and cuts a
suite that outlasted its limit to the files it finished. Judging a report (the buildpack's
``diagnose``, ``crashed``, ``finished_files``) is reading it; widening what the runner collects
changes the sandbox's runner, and so is a proposal's ``collect`` the executor acts on.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from rfsn.buildpacks.base import Buildpack
from rfsn.buildpacks.parts import parts
from rfsn.buildpacks.testfiles import is_test_module
from rfsn.models import Outcome, Phase, Proposal, RunTests, TestReport
from rfsn.models.testfiles import test_id_file
from rfsn.observability.logging import get_logger
from rfsn.planners.base import Feedback
from rfsn.sandbox.setupsteps import broken_by_setup
from rfsn.workspace import Workspace

log = get_logger(__name__)

Plan = Generator[Proposal, Feedback, None]
Runs = Generator[Proposal, Feedback, Feedback]

#: a baseline whose runner died of a signal runs again up to this many times
BASELINE_RETRIES = 2


class BaselineOptions(BaseModel):
    """What the session's whole suite is, where its caller knows better than the buildpack
    (``rfsn batch``: the test files a SWE-bench instance's harness runs)."""

    model_config = ConfigDict(extra="forbid")

    suite: list[str] = Field(
        default_factory=list,
        description=(
            "test files a run of the whole suite runs instead, with the test files the session adds "
            "(none: the whole suite)"
        ),
    )
    narrowed: list[str] = Field(
        default_factory=list,
        description=(
            "test files a run of the whole suite runs instead once the baseline of it could not run: "
            "it timed out, its runner died of a signal, or it says nothing about the tests"
        ),
    )


def _report(feedback: Feedback) -> TestReport | None:
    return feedback.outcome.report if feedback.outcome else None


class Baseline:
    def __init__(
        self,
        options: BaselineOptions | None = None,
        *,
        workspace: Workspace | None = None,
        buildpack: Buildpack | None = None,
        given: Sequence[str] = (),
        setup_failure: str | None = None,
        seconds_left: Callable[[], float] | None = None,
    ) -> None:
        """``given``: the tests the session was given to fix (a baseline is cut short only where
        it keeps them all). ``setup_failure``: the sandbox's failed setup, if any (a baseline
        after it where no test passes is a broken environment). ``seconds_left``: the session's
        wall seconds left (none: no limit)."""
        options = options or BaselineOptions()
        self.suite, self.narrowed = tuple(options.suite), tuple(options.narrowed)
        self.workspace, self.buildpack, self.given = workspace, buildpack, list(given)
        self.setup_failure, self.seconds_left = setup_failure, seconds_left
        self._baselined = False  # the session's baseline ran (a later reproduce run is not it)
        self._dropped: tuple[str, ...] = ()  # the files a cut baseline left (``_cut``): never run again

    def conduct(self, plan: Plan) -> Plan:
        """``plan`` with each run of the whole suite it proposes made by this baseline."""
        try:
            proposal = next(plan)
            while True:
                if isinstance(proposal, RunTests) and not proposal.tests:
                    feedback = yield from self.run(proposal)
                else:
                    feedback = yield proposal
                proposal = plan.send(feedback)
        except StopIteration:
            return
        finally:
            plan.close()

    def files(self, leave_out: Sequence[str] = ()) -> tuple[str, ...]:
        """What a run of the whole suite runs: nothing named (all of it), or ``suite`` and the
        test files the session added, but for those it leaves out (a run of all of it leaves
        none out)."""
        if not self.suite or self.workspace is None:
            return ()
        added = [
            p for p in self.workspace.added() if is_test_module(p) and p not in self.suite and p not in self._dropped
        ]
        kept = tuple(p for p in (*self.suite, *added) if p not in leave_out)
        if len(kept) < len(self.suite) + len(added):
            log.info("baseline.left_out", files=[p for p in leave_out if p in (*self.suite, *added)])
        return kept or (*self.suite, *added)

    def run(self, proposal: RunTests) -> Runs:
        """The run of the whole suite ``proposal`` asks for; at reproduce, the baseline: its
        Feedback carries the report the plan reads (``env_error`` where it says nothing about
        the tests)."""
        if proposal.phase is not Phase.REPRODUCE:
            self.narrowed = ()  # a later run never narrows: its baseline ran the whole suite
            return (yield self._whole(proposal))
        first, self._baselined = not self._baselined, True
        # with narrowed files to turn to, a first baseline whose runner dies narrows at once
        retries = 0 if first and self.narrowed else BASELINE_RETRIES
        feedback = yield from self._again(self._whole(proposal, collect=first), retries)
        report = _report(feedback)
        if report is None:
            return feedback
        if first:
            report = yield from self._with_named(report)
        broken = self._diagnose(report)
        narrowed, self.narrowed = self.narrowed, ()
        if narrowed and (report.timed_out or report.signalled or broken):
            log.info(
                "baseline.suite_narrowed",
                files=list(narrowed),
                reason=report.reason or broken,
                after=round(report.duration, 3),
            )
            self.suite = narrowed
            feedback = yield from self._again(self._whole(proposal), BASELINE_RETRIES)
            report = _report(feedback)
            if report is None:
                return feedback
            broken = self._diagnose(report)
        cut = self._cut(report) if first else None
        if cut is not None:
            report, broken = cut, self._diagnose(cut)
        if not report.timed_out:
            report = report.model_copy(update={"env_error": broken})
        return Feedback(feedback.decision, Outcome.of_run(proposal.intent, report))

    def _whole(self, proposal: RunTests, collect: bool = False) -> RunTests:
        return proposal.model_copy(update={"tests": self.files(proposal.leave_out), "collect": () if collect else None})

    def _again(self, proposal: RunTests, retries: int) -> Runs:
        """The baseline's run, again while its runner dies of a signal (up to ``retries`` times,
        and while the session has twice the time it took left): a C extension may crash the
        interpreter now and then, and such a run says nothing of the tests."""
        feedback = yield proposal
        again = proposal.model_copy(update={"collect": None})
        for _ in range(retries):
            report = _report(feedback)
            if (
                report is None
                or not report.signalled
                or (self.seconds_left is not None and self.seconds_left() < 2 * report.duration)
            ):
                break
            log.info("baseline.again", reason=report.reason, after=round(report.duration, 3))
            feedback = yield again
        return feedback

    def _diagnose(self, report: TestReport) -> str | None:
        """Why the baseline says nothing about the project, if it does not: the buildpack's own
        diagnosis, or a failed setup (the project's install) after which no more tests pass than
        error. None for a run that timed out."""
        if report.timed_out:
            return None
        health = parts(self.buildpack).reading.health
        if health is not None:
            broken = health.diagnose(report, self._repo)
            if broken:
                return broken
        return broken_by_setup(self.setup_failure, report)

    @property
    def _repo(self) -> Path:
        assert self.workspace is not None, "a buildpack judges a report against its repository"
        return self.workspace.path

    def _with_named(self, baseline: TestReport) -> Generator[Proposal, Feedback, TestReport]:
        """The baseline with the files of the given tests its whole suite reported nothing of (a
        file outside the project's collection patterns, named by its path): they run on their
        own, taken into the whole suite from then on, and are folded in. The baseline as it is
        when there are none, or the runner cannot take them in."""
        reported = {test_id_file(t) for t in baseline.tests}
        files = sorted(
            f
            for f in {test_id_file(t) for t in baseline.unknown(self.given)} - reported
            if self.workspace is not None and (self.workspace.path / f).is_file()
        )
        if not files or baseline.timed_out or parts(self.buildpack).environment.collect is None:
            return baseline
        alone = _report(
            (
                yield RunTests(
                    phase=Phase.REPRODUCE,
                    tests=tuple(files),
                    collect=tuple(files),
                    rationale="the given tests' files the whole suite does not collect",
                )
            )
        )
        if alone is None:
            return baseline
        log.info("baseline.named_collected", files=files, reported=len(alone.tests))
        if alone.timed_out or not alone.tests:
            return baseline
        merged = baseline.model_copy(
            update={
                "tests": {**baseline.tests, **alone.tests},
                "durations": {**baseline.durations, **alone.durations},
                "log": f"{baseline.log}\n{alone.log}",
                "duration": baseline.duration + alone.duration,
                "exit_code": baseline.exit_code if baseline.tests and baseline.exit_code else alone.exit_code,
            }
        )
        crash = parts(self.buildpack).reading.crash
        if crash is not None:
            merged.crashed = crash.crashed(merged, self._repo)
        return merged

    def _cut(self, report: TestReport) -> TestReport | None:
        """A baseline of a suite named file by file that timed out, as the files it ran to the end
        (a runner that prints each file's end, whose per-test limit cannot stop a test stuck in C
        code); from then on the whole suite is those files. A file it was in, or never reached,
        says nothing at baseline, and so is not run again (a test file the session added
        included). None when the run did not time out, the suite is one file, the runner does
        not print a file's end, it finished no file of the suite, or a given test is in a file it
        did not finish."""
        suite = self.files()
        progress = parts(self.buildpack).reading.progress
        if not report.timed_out or len(suite) < 2 or progress is None:
            return None
        done = [f for f in progress.finished_files(report.log) if f in suite]
        kept = {t: s for t, s in report.tests.items() if test_id_file(t) in done and t not in report.unreached}
        names = {t.rpartition(":")[2] for t in kept}
        kept.update({t: s for t, s in report.tests.items() if test_id_file(t) == t and t in names})
        cut = report.model_copy(update={"tests": kept, "timed_out": False, "reason": "", "unreached": []})
        if not done or cut.unknown(self.given):  # a given test is in a file it did not finish
            return None
        log.info(
            "baseline.suite_cut",
            files=done,
            left=[f for f in suite if f not in done],
            reason=report.reason,
            after=round(report.duration, 3),
        )
        self.suite, self._dropped = tuple(done), tuple(f for f in suite if f not in done)
        crash = parts(self.buildpack).reading.crash
        if crash is not None:
            cut.crashed = crash.crashed(cut, self._repo)
        return cut
