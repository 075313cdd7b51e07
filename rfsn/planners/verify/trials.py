"""Each candidate's screening as proposals: applied, run tier by tier (rerun where a run was
inconclusive, its broken tests rechecked alone), reverted; and what the plan keeps of it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from rfsn.errors import ApplyError
from rfsn.models import Edit, Phase, RunTests, TestReport
from rfsn.observability.logging import get_logger
from rfsn.observability.metrics import CANDIDATES
from rfsn.patches import unified_diff
from rfsn.planners.base import Plan
from rfsn.planners.code.candidates import Candidate
from rfsn.planners.spending import Ledger, Share
from rfsn.planners.verify.screening import RETRY_FACTOR, Screen
from rfsn.planners.verify.tiers import ScreenResult, Tier

log = get_logger(__name__)

#: verify runs the targets a second time only when the budget left holds this many times their
#: run in screening (a run cut off by the budget is no verdict and loses a right answer)
VERIFY_MARGIN = 1.5
#: proposals verify makes at most: the patch applied, the targets run, the finish
VERIFY_STEPS = 3
Run = tuple[TestReport | None, ScreenResult]


def reverse(candidate: Candidate) -> str:
    return "".join(unified_diff(c.path, c.patched, c.original) for c in candidate.changes())


class Trials:
    """The screenings of one plan, each with the share of the group it serves (``share``)."""

    def __init__(
        self,
        ledger: Ledger,
        strategy: str,
        scaffolding: list[str],
        seconds_left: Callable[[], float] | None,
        steps_left: Callable[[], int] | None,
    ) -> None:
        self.ledger, self.strategy, self.scaffolding = ledger, strategy, scaffolding
        self.seconds_left, self.steps_left = seconds_left, steps_left
        self.tried = 0
        self.share: Share | None = None  # the share of the group being screened
        #: a plausible candidate's whole-suite run in screening (by its diff): verify keeps it
        self.suites: dict[str, TestReport] = {}
        #: ...and its targets' run with no per-test limit, where they held
        self.alone: dict[str, TestReport] = {}
        #: the targets each screened candidate (by its diff) left failing, in any group's try
        self.left_failing: dict[str, frozenset[str]] = {}
        #: candidates (by diff) whose runs were cut off at their limit and at a rerun's longer one:
        #: a suite run would hang the same way, so no other try screens them again
        self.hung: set[str] = set()
        #: ...and those (by diff) whose reruns their try's share cut short: the last limit they were
        #: cut off at, where a later try's screening of them goes on (one ladder a session, not one a try)
        self.cut: dict[str, Tier] = {}
        #: the most seconds and steps a plausible candidate's screening took (none: no clock)
        self.held_cost: tuple[float, float] | None = None
        #: the sets of tests a screening run reported: the runner can address them, so a later run
        #: of one that reports no test was refused the candidate's tree (a broken build), not its ids
        self.addressed: set[frozenset[str]] = set()

    def left(self) -> tuple[float, float]:
        """The session's seconds and steps left (infinite where the plan weighs no limit)."""
        return (
            self.seconds_left() if self.seconds_left is not None else math.inf,
            self.steps_left() if self.steps_left is not None else math.inf,
        )

    def room_for_one_more(self, plausible: list[Candidate]) -> bool:
        """Whether the budget left holds one more candidate's screening (as long as a plausible
        one's took) and verifying the plausible patch after it: one in hand is never lost to it."""
        if self.held_cost is None:
            return True
        took, took_steps = self.held_cost
        alone = max((self.alone[c.diff()].duration for c in plausible if c.diff() in self.alone), default=None)
        seconds = took + (took if alone is None else VERIFY_MARGIN * alone)
        (left, steps_left), steps = self.left(), took_steps + VERIFY_STEPS
        if left >= seconds and steps_left >= steps:
            return True
        log.info(
            "planner.screening_stopped",
            plausible=len(plausible),
            left=round(left, 1),
            needs=round(seconds, 1),
            steps_left=steps_left,
            needs_steps=steps,
        )
        return False

    def left_failing_of(self, diff: str) -> frozenset[str]:
        return self.left_failing.get(diff, frozenset())

    def cannot_fix(self, diff: str, tests: list[str]) -> bool:
        """Whether a screening already showed that candidate cannot fix a group of ``tests``: it
        left one of them failing, or it hung at every limit."""
        return diff in self.hung or bool(self.left_failing_of(diff) & set(tests))

    def run(self, screen: Screen, candidate: Candidate) -> Plan[ScreenResult]:
        """Apply, screen in tiers, revert. The workspace is left as it was. Screened again when
        tests it seemed to break fail without it too (``_stale``, once a session)."""
        self.tried += 1
        self.ledger.screening(f"{candidate.path}:{candidate.line}")
        before = self.left()
        result = yield from self._screened(screen, candidate)
        while not result.plausible and (yield from self._stale(screen, result)):
            result = yield from self._screened(screen, candidate)
        self.ledger.screened()
        if result.plausible:
            after = self.left()
            took = (before[0] - after[0], before[1] - after[1])
            held = self.held_cost or (0.0, 0.0)
            self.held_cost = (max(held[0], took[0]), max(held[1], took[1]))
        self.left_failing[candidate.diff()] = self.left_failing_of(candidate.diff()) | result.failed
        outcome = (
            "rejected"
            if result.rejected
            else "plausible"
            if result.plausible
            else "partial"
            if result.fixed
            else "failed"
        )
        if result.plausible:
            log.info("planner.plausible", candidate=candidate.description)
        # each screened candidate in the order screened, with the score it was ranked by: a session's
        # ranking can be read back from its events
        log.info(
            "planner.screened",
            candidate=candidate.description,
            template=candidate.template,
            at=f"{candidate.path}:{candidate.line}",
            score=round(candidate.score, 6),
            outcome=outcome,
        )
        CANDIDATES.labels(self.strategy, outcome).inc()
        return result

    def _screened(self, screen: Screen, candidate: Candidate) -> Plan[ScreenResult]:
        fb = yield Edit(phase=Phase.PATCH, patch=candidate.diff(), rationale=candidate.description)
        if not fb.ok:
            return ScreenResult(rejected=fb.decision.rule or "failed to apply")
        result, report = ScreenResult(), None
        held, failed = False, frozenset[str]()
        alone: TestReport | None = None  # the targets' run with no per-test limit
        for tier in screen.tiers(candidate):
            if tier.last and held:  # the whole suite runs them too, where the limit may stop them
                tier = replace(
                    tier,
                    timeout=tier.timeout + (alone.duration if alone else 0.0),
                    max_failures=None if tier.max_failures is None else tier.max_failures + len(screen.targets),
                )
            report, result = yield from self._tier(screen, candidate, tier, held)
            if not tier.case_limit and report is not None:
                alone = report
            if report is not None and report.tests:
                self.addressed.add(frozenset(tier.tests))
            if result.ran_nothing and frozenset(tier.tests) not in self.addressed:
                log.info(
                    "planner.tier_passed_over",
                    tier=tier.name,
                    exit_code=report and report.exit_code,
                    output=(report.log if report else "")[-300:],
                )
                continue
            # the covering tier runs no target: one held in an earlier tier counts there
            recheck = screen.recheck(tier, result, held and not tier.last)
            if recheck is not None:  # a flake, or broken by it? the tests that broke, alone
                report, result = yield from self._recheck(screen, candidate, tier, recheck, report, result, held)
            held, failed = held or set(screen.targets) <= result.fixed, failed | result.failed
            if not result.passed_tier:
                result.output = report.log if report else "the test run did not happen"
                break
        result.targets_held, result.failed = held, failed
        fb = yield Edit(phase=Phase.PATCH, rationale="revert the candidate", patch=reverse(candidate))
        if not fb.ok:
            raise ApplyError(f"could not revert a candidate: {fb.decision.reason}")
        if result.plausible and report is not None and report.structured:
            self.suites[candidate.diff()] = report
            if held and alone is not None:
                self.alone[candidate.diff()] = alone
        return result

    def _tier(self, screen: Screen, candidate: Candidate, tier: Tier, held: bool) -> Plan[Run]:
        """One tier's run, run again while it was inconclusive (within the share of its group); a
        tier of selected tests an earlier try cut off goes on from the limit it was cut off at."""
        cut = self.cut.get(candidate.diff())
        if cut is not None and cut.name == tier.name:
            del self.cut[candidate.diff()]
            tier = replace(tier, timeout=max(tier.timeout, cut.timeout * RETRY_FACTOR), retries=cut.retries + 1)
        report, result = yield from self._screen_run(screen, candidate, tier, held)
        again = screen.retry(tier, result)
        while again is not None:
            if self.share is not None and (self.share.spent() or not self.share.holds_rerun(again.timeout)):
                log.info(
                    "planner.screen_retry_skipped",
                    candidate=candidate.description,
                    why=self.share.why or f"a rerun of {again.timeout:.0f} s: over half the share left",
                )
                break
            log.info(
                "planner.screen_retry", candidate=candidate.description, tier=tier.name, timeout=round(again.timeout, 1)
            )
            report, result = yield from self._screen_run(screen, candidate, again, held)
            screen.retried(result)
            tier, again = again, screen.retry(again, result)
        # cut off at a longer limit too, and not by the share (a try that goes on runs it again)
        shared = self.share is not None and self.share.spent()
        if result.inconclusive and tier.retries and not shared:
            self.hung.add(candidate.diff())
        elif result.inconclusive and not tier.last:
            self.cut[candidate.diff()] = tier
        return report, result

    def _stale(self, screen: Screen, result: ScreenResult) -> Plan[bool]:
        """Whether tests a candidate broke fail with no candidate applied too, now that the
        reproduction's files are there: the baseline ran before them (a test listing its
        directory). The whole suite runs so once a session; the tests set aside there
        (``Screen.rebaseline``) are screened again with the candidate when it broke any."""
        if not self.scaffolding or not result.broke or screen.rebaselined:
            return False
        fb = yield RunTests(
            phase=Phase.PATCH,
            timeout=screen.timeout,
            leave_out=screen.leave_out,
            rationale="the whole suite with no candidate applied, the reproduction in place",
        )
        stale = screen.rebaseline(fb.outcome.report if fb.outcome else None)
        if stale:
            log.info("planner.stale_baseline", tests=stale, scaffolding=self.scaffolding)
        return bool(set(stale) & set(result.broke))

    def _recheck(
        self,
        screen: Screen,
        candidate: Candidate,
        tier: Tier,
        alone: Tier,
        report: TestReport | None,
        result: ScreenResult,
        held: bool = False,
    ) -> Plan[Run]:
        """The tests ``candidate`` broke in ``tier``, run alone: if they pass there, they are
        flaky, and ``tier`` is judged again without them: its run as it is, when that run went
        to its end (a whole suite may take many minutes), else run again."""
        fb = yield RunTests(
            phase=Phase.PATCH,
            tests=tuple(alone.tests),
            timeout=alone.timeout,
            cold_start=alone.cold_start,
            case_limit=alone.case_limit,
            rationale=f"recheck {candidate.template}: {alone.name}",
        )
        flaky = screen.passed_alone(fb.outcome.report if fb.outcome else None, alone.tests)
        if not flaky:
            return report, result
        log.info("planner.flaky", candidate=candidate.description, tests=flaky)
        again = replace(tier, max_failures=None if tier.max_failures is None else tier.max_failures + len(flaky))
        if report is not None and screen.ran_to_end(tier, report):
            return report, screen.judge(again, report, candidate.obsolete, held)
        return (yield from self._screen_run(screen, candidate, again, held))

    def _screen_run(self, screen: Screen, candidate: Candidate, tier: Tier, held: bool = False) -> Plan[Run]:
        # a run that can only reject the candidate ends with its try's share; a candidate that
        # fixed its targets is judged to the end of its run
        timeout = tier.timeout if held or self.share is None else self.share.bound(tier.timeout)
        fb = yield RunTests(
            phase=Phase.PATCH,
            tests=tuple(tier.tests),
            timeout=timeout,
            cold_start=tier.cold_start,
            max_failures=tier.max_failures,
            case_limit=tier.case_limit,
            leave_out=tier.leave_out,
            rationale=f"screen {candidate.template}: {tier.name}",
        )
        report = fb.outcome.report if fb.outcome else None
        screen.ran(tier, report)
        return report, screen.judge(tier, report, candidate.obsolete, held)
