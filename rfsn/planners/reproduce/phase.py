"""The reproduce phase of the plan: the baseline run, and the targets it leaves: the tests named,
the failing ones by cause (the environment's apart), or the model's reproduction of the problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rfsn.fsutil import project_modules
from rfsn.llm.base import ChatModel
from rfsn.models import FailureGroup, Phase, RunTests, SessionStatus, TestReport, TestStatus
from rfsn.observability.logging import get_logger
from rfsn.planners.base import Plan
from rfsn.planners.code.sources import read_sources
from rfsn.planners.code.testids import same_tests
from rfsn.planners.reproduce import issue
from rfsn.planners.reproduce.evidence import ordered
from rfsn.planners.reproduce.restated import set_aside
from rfsn.planners.reproduce.targets import causes, group, unreported

log = get_logger(__name__)


@dataclass
class Reproducer:
    """What the reproduce phase found: the targets (``named``, or found), their groups, the
    baseline the other phases read, and the tests the reproduction may leave failing."""

    workspace: Path
    language: str
    workdir: str
    named: list[str]
    problem: str
    model: ChatModel | None
    #: files the session wrote only to reproduce the problem: never part of the patch
    scaffolding: list[str]
    #: the baseline run as it came (the reproduction's tests not in it)
    first: TestReport | None = None
    #: the baseline the other phases read (with the reproduction's tests, when the model wrote them)
    baseline: TestReport | None = None
    targets: list[str] = field(default_factory=list)
    #: the targets by cause, in the order they are tried, then the environment's
    groups: list[FailureGroup] = field(default_factory=list)
    #: old tests the reproduction restates with new expectations (a fix may break them)
    restated: list[str] = field(default_factory=list)
    #: the reproduction's own tests that pass before any fix (a fix may break them)
    unproven: list[str] = field(default_factory=list)

    def reproduce(self) -> Plan[tuple[SessionStatus, str] | None]:
        """Run the baseline and find the targets; the status and message to stop with when
        there is nothing to repair."""
        fb = yield RunTests(phase=Phase.REPRODUCE, rationale="baseline: which tests fail now")
        baseline = fb.outcome.report if fb.outcome else None
        if baseline is not None and baseline.env_error:
            return SessionStatus.ENV_ERROR, baseline.env_error
        if baseline is None or baseline.timed_out or (not baseline.tests and baseline.exit_code):
            why = "timed out" if baseline and baseline.timed_out else "reported no tests"
            return SessionStatus.ERROR, f"the baseline test run {why}"
        baseline = unreported(baseline, self.named)  # failed, when its file's error or the project's crash hid it
        self.first = self.baseline = baseline
        failing = baseline.failing
        hung = set(baseline.with_status(TestStatus.TIMEOUT))
        if hung and not self.named and set(failing) - hung:  # a hang is a known failure, not the
            failing = [t for t in failing if t not in hung]  # target, when others fail otherwise
        targets = [t for t in baseline.resolve(self.named) if t in failing] if self.named else failing
        why = "no failing test: nothing to repair" if not self.named else "the given tests do not fail"
        unknown = baseline.unknown(self.named)
        if unknown and not targets:
            why = f"no such test: {unknown[0]} (the baseline ran {len(baseline.tests)} tests)"
        if not self.named and self.problem.strip() and self.model is not None:
            baseline, targets, why = yield from self._reproduction(self.model, baseline, failing, why)
        self.baseline = baseline
        if targets and not self.named and targets == failing:  # nobody named the bug
            targets, why = self._grouped(baseline, targets, why)
            if targets and not (targets := (yield from self._again(baseline, targets))):
                return SessionStatus.NOT_REPRODUCED, "every failing test passed when run again: flaky"
        self.targets = targets
        if not targets:  # only the environment fails: it, not the project, is what is wrong
            environment = bool(self.groups) and all(g.kind == "environment" for g in self.groups)
            # a named test that does not exist is bad input (as in rfsn test); one that passes is a result
            status = SessionStatus.ERROR if unknown else SessionStatus.NOT_REPRODUCED
            return SessionStatus.ENV_ERROR if environment else status, why
        if not self.groups:  # named, or reproduced: one group, for the report of what it spent
            self.groups = [
                FailureGroup(
                    cause="the tests named" if self.named else "the failing tests", tests=targets, kind="target"
                )
            ]
        return None

    def _reproduction(
        self, model: ChatModel, baseline: TestReport, failing: list[str], why: str
    ) -> Plan[tuple[TestReport, list[str], str]]:
        """A problem statement names the bug: its reproduction is the target, whatever else fails
        at baseline (those stay pre-existing failures, outside "must pass"). The baseline with the
        reproduction's tests, the targets (none: what failed before is not the problem described)
        and why there are none."""
        written = yield from issue.plan(model, self.problem, self.workspace, self.language, baseline, self.scaffolding)
        if isinstance(written, str):
            log.info("planner.pre_existing_failures", tests=failing, reason=written)
            return baseline, [], f"the model's test does not reproduce the problem: {written}"
        log.info("planner.pre_existing_failures", tests=failing)
        baseline, targets = written
        baseline, self.restated, self.unproven = set_aside(
            baseline, targets, read_sources(self.workspace, self.language, tests=True)
        )
        return baseline, targets, why

    def _again(self, baseline: TestReport, targets: list[str]) -> Plan[list[str]]:
        """Of the ``targets`` found at baseline, those that fail when run once more: one that passes
        is flaky (a test of the network that passed by chance would draw a fix of its own) and
        leaves its group for a known one of its own, saying why. Where every target passed run
        alone, the whole suite runs once more and decides (a test that fails only after others
        ran still fails there); a command judged by its exit status has no test ids: it runs whole."""
        alone = baseline.structured
        passed = yield from self._passing(baseline, targets, alone)
        if alone and passed.issuperset(targets):
            passed &= yield from self._passing(baseline, targets, alone=False)
        flaky = [t for t in targets if t in passed]
        if flaky:
            log.info("planner.baseline_flaky", tests=flaky)
            for g in self.groups:
                g.tests = [t for t in g.tests if t not in passed]
            self.groups = [g for g in self.groups if g.tests] + [
                FailureGroup(
                    cause="passed when run again",
                    tests=flaky,
                    kind="environment",
                    outcome="known",
                    why="failed at baseline and passed when run again: flaky, not a target",
                )
            ]
        return [t for t in targets if t not in passed]

    @staticmethod
    def _passing(baseline: TestReport, targets: list[str], alone: bool) -> Plan[set[str]]:
        """The ``targets`` that pass in one more run of them ``alone``, or of the whole suite."""
        fb = yield RunTests(
            phase=Phase.REPRODUCE,
            tests=tuple(targets) if alone else (),
            rationale="the failing tests once more"
            + ("" if alone else ", in the whole suite")
            + ": one that passes is flaky, not a target",
        )
        again = fb.outcome.report if fb.outcome else None
        if again is None or again.timed_out or again.env_error:
            return set()
        statuses = same_tests(again.tests, baseline.tests)
        return {t for t in targets if statuses.get(t) is TestStatus.PASSED}

    def _grouped(self, baseline: TestReport, failing: list[str], why: str) -> tuple[list[str], str]:
        """The failing tests by cause, ordered by their evidence: the targets are the groups'
        of no environment's cause."""
        self.groups = ordered(
            group(failing, causes(baseline.log, baseline.crashes, baseline.reasons), project_modules(self.workspace)),
            baseline.log,
            read_sources(self.workspace, self.language),
            self.workdir,
        )
        log.info("planner.baseline_groups", groups=[(g.kind, g.cause[:80], len(g.tests)) for g in self.groups])
        targets = [t for g in self.groups if g.kind == "target" for t in g.tests]
        return targets, why if targets else (
            f"every failing test fails for want of the environment: {self.groups[0].cause}"
        )
