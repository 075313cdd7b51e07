"""The verify phase of the plan: the chosen patch applied again, its targets run once more (the
whole suite's run in screening stands), and the verdict with the concerns a reviewer should read."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rfsn.models import Alternative, Edit, FailureGroup, Phase, RunTests, SessionStatus, TestReport, TestStatus
from rfsn.models.testfiles import test_id_file
from rfsn.observability.logging import get_logger
from rfsn.planners.base import Plan
from rfsn.planners.code.candidates import Candidate
from rfsn.planners.code.location import Location
from rfsn.planners.code.sources import read_sources
from rfsn.planners.code.testids import same_tests
from rfsn.planners.verify.choice import Evidence, Ranked, together
from rfsn.planners.verify.screening import Screen
from rfsn.planners.verify.tiers import collected
from rfsn.planners.verify.trials import VERIFY_MARGIN, Trials, reverse

log = get_logger(__name__)


@dataclass
class Ending:
    """How the plan ends: a status, its message and the verdict's other fields."""

    status: SessionStatus
    message: str
    fields: dict[str, Any] = field(default_factory=dict)


def alternatives(ranked: list[Ranked]) -> list[Alternative]:
    return [
        Alternative(description=r.candidate.description, patch=r.candidate.diff(), concerns=r.concerns)
        for r in ranked[1:]
    ]


@dataclass
class Verifier:
    """Verify of one plan, reading what screening kept (``trials``) and the tests the plan knows
    may not pass (the reproduction's, the unsteady ones)."""

    trials: Trials
    workspace: Path
    language: str
    seconds_left: Callable[[], float] | None
    scaffolding: list[str]
    restated: list[str]
    unproven: list[str]
    unsteady: list[str]
    best: Candidate | None = None

    def evidence(
        self,
        baseline: TestReport,
        targets: list[str],
        locations: list[Location],
        votes: dict[str, int],
        coverage: dict[str, dict[str, list[int]]],
        retyped: dict[str, list[str]],
        unevaluated: dict[str, list[str]],
    ) -> Evidence:
        """What the choice among plausible patches weighs: the failing tests' own sources, the
        types the probes saw change (``retyped``), the expressions no passing test evaluated."""
        files = {test_id_file(t) for t in targets}
        failing = {
            path: text
            for path, text in read_sources(self.workspace, self.language, tests=True).items()
            if path in files
        }
        return Evidence(
            votes=votes,
            locations=locations,
            coverage=coverage,
            passing=baseline.passing,
            test_sources=failing,
            retyped=retyped,
            unevaluated=unevaluated,
        )

    def verify(
        self,
        ranked: list[Ranked],
        baseline: TestReport,
        targets: list[str],
        screen: Screen | None,
        groups: list[FailureGroup],
    ) -> Plan[Ending]:
        """The best of ``ranked`` applied and its targets run again; ``groups`` its tests also fix
        are marked fixed."""
        best = ranked[0].candidate
        fb = yield Edit(phase=Phase.VERIFY, patch=best.diff(), rationale=f"apply {best.description}")
        if not fb.ok:
            reason = fb.decision.reason if not fb.decision.accepted else fb.outcome and fb.outcome.detail
            return Ending(
                SessionStatus.NOT_FIXED,
                f"the chosen patch could not be applied again: {reason}",
                {"failing_before": targets, "failing_after": targets},
            )
        suite = self.trials.suites.get(best.diff())
        report, once = yield from self._targets_run(best, targets, screen)
        if suite and report is not None and not report.timed_out and not report.tests:
            log.info("planner.verify_passed_over", exit_code=report.exit_code, output=report.log[-300:])
            report = suite  # the runner refused the targets' ids (as screening passes such a tier over)
        statuses = collected(report, same_tests(report.tests, baseline.tests), targets, baseline) if report else {}
        still = [t for t in targets if statuses.get(t) != TestStatus.PASSED]
        flaky, stale = (screen.flaky, screen.stale) if screen else ([], [])
        broken = (
            [] if suite else [t for t in baseline.passing if statuses.get(t) != TestStatus.PASSED and t not in flaky]
        )
        self.best = best
        if still or broken or report is None or report.timed_out:
            return Ending(
                SessionStatus.NOT_FIXED,
                "the patch did not hold when verified",
                {"failing_before": targets, "failing_after": sorted({*still, *broken})},
            )
        report = suite or report
        concerns = [*ranked[0].concerns, *once, *self._concerns(report, flaky, stale)]
        if concerns:
            log.info("planner.concerns", candidate=best.description, concerns=concerns)
        self.trials.ledger.close("fixed", "")
        return held(ranked, report, targets, groups, concerns)

    def verify_fixes(
        self,
        ranked: list[list[Ranked]],
        fixed: list[FailureGroup],
        baseline: TestReport,
        screen: Screen | None,
        groups: list[FailureGroup],
    ) -> Plan[Ending]:
        """The best patches of the ``fixed`` groups (``ranked``, each group's) verified together on
        the whole suite; where there is one, or they do not hold together, the first's alone."""
        joined, kept = together([r[0] for r in ranked])
        if joined is not None:
            tests = list(dict.fromkeys(t for n in kept for t in fixed[n].tests))
            ending = yield from self.verify([joined, *ranked[0]], baseline, tests, screen, groups)
            if ending.status in (SessionStatus.FIXED, SessionStatus.PLAUSIBLE):
                for n in kept[1:]:
                    fixed[n].outcome = "fixed"
                    fixed[n].why = f"its patch is part of the session's: {joined.candidate.description}"
                return ending
            log.info("planner.fixes_apart", candidate=joined.candidate.description, message=ending.message)
            for n in kept[1:]:
                fixed[n].why += "; not in the session's patch: with the first group's it did not hold when verified"
            if self.best is joined.candidate:
                yield Edit(phase=Phase.VERIFY, patch=reverse(joined.candidate), rationale="revert the joined patches")
        return (yield from self.verify(ranked[0], baseline, fixed[0].tests, screen, groups))

    def _targets_run(
        self, best: Candidate, targets: list[str], screen: Screen | None
    ) -> Plan[tuple[TestReport | None, list[str]]]:
        """The targets' run with the patch, and the concern of a run not made. Screening already
        ran the whole suite with it, as the baseline ran (never the warm runner): that run stands,
        and the targets run once more (a second sample of the fix, through the warm runner as
        screening's runs of them), unless the budget left cannot hold their run: then screening's
        run of them stands too. A command judged by its exit status alone runs again."""
        suite, alone = self.trials.suites.get(best.diff()), self.trials.alone.get(best.diff())
        left = self.seconds_left() if self.seconds_left is not None else math.inf
        if suite and alone and left < VERIFY_MARGIN * alone.duration:
            log.info("planner.verified_once", candidate=best.description, took=round(alone.duration), left=round(left))
            return alone, [
                f"the targets ran once with the patch ({alone.duration:.0f} s, with no per-test "
                f"limit): the {max(0.0, left):.0f} s left of the session's budget could not hold "
                "a second run"
            ]
        fb = yield RunTests(
            phase=Phase.VERIFY,
            tests=tuple(targets) if suite else (),
            case_limit=not suite,
            leave_out=screen.leave_out if screen else (),
            rationale="confirm the targets again" if suite else "confirm on the whole suite",
        )
        return (fb.outcome.report if fb.outcome else None), []

    def _concerns(self, report: TestReport, flaky: list[str], stale: list[str]) -> list[str]:
        """What a reviewer of the patch should know of the tests that do not pass with it."""

        def failing(tests: list[str]) -> list[str]:
            return [t for t in tests if report.tests.get(t) != TestStatus.PASSED]

        return [
            *(
                f"{t} no longer passes: the reproduction restates it with new expectations"
                for t in failing(self.restated)
            ),
            *(
                f"{t} no longer passes: the reproduction's own test, which passed before any fix"
                for t in failing(self.unproven)
            ),
            *(f"{t} failed in a run with the patch and passed alone: flaky" for t in flaky if t not in self.unsteady),
            *(
                f"{t} does not pass, nor did it with no patch applied (in the coverage run, after the baseline): flaky"
                for t in (failing(self.unsteady) if not self.scaffolding else [])
            ),
            *(
                f"{t} does not pass with the reproduction's file in place, with or without the patch"
                for t in failing(stale)
            ),
        ]


def held(
    ranked: list[Ranked], report: TestReport, targets: list[str], groups: list[FailureGroup], concerns: list[str]
) -> Ending:
    """The ending of a patch (the best of ``ranked``) that held when verified: ``fixed``, or
    ``plausible`` when every plausible patch has a doubt (`choice.doubts`); the target ``groups``
    its run (``report``) also passes are marked fixed (one fault may fail tests of several causes)."""
    best = ranked[0].candidate
    for other in groups:
        if (
            other.kind == "target"
            and other.outcome != "fixed"
            and all(report.tests.get(t) == TestStatus.PASSED for t in other.tests)
        ):
            other.outcome, other.why = "fixed", "passes with the patch made for another group"
    fixed = list(dict.fromkeys(t for g in groups if g.outcome == "fixed" for t in g.tests))
    doubts = ranked[0].doubts  # every plausible patch has a doubt (`choice.doubts`): returned, not claimed
    status, said = (
        (SessionStatus.PLAUSIBLE, f"{best.description}: plausible, not claimed fixed: {doubts[0]}")
        if doubts
        else (SessionStatus.FIXED, best.description)
    )
    return Ending(
        status,
        said,
        {
            "patch": best.diff(),
            "failing_before": fixed or targets,
            "failing_after": [],
            "concerns": concerns,
            "alternatives": alternatives(ranked),
            "template": best.template,
            "checks": list(best.checks),
        },
    )
