"""Validating a candidate in tiers: failing tests (``Screen.firsts``), covering tests (else the
targets' files' tests), the suite. Plausible = every target passes and no baseline-passing test fails.

A tier stops the screening at the first that does not hold, runs its tests in the baseline's order, stops
at the first test that breaks where the buildpack can (``max_failures``; all the targets run when at most
``PAIRABLE_TARGETS``: which ones a candidate fixes pairs partial fixes) and has a limit: ``PER_TEST_FACTOR``
x its tests' baseline durations + ``RUN_SLACK`` + the start-up of the runs before (``startup.StartUps``).
Never counted against a candidate: a baseline-passing test that passes run again alone
(``MAX_RECHECKED`` at most) or fails in the coverage run (flaky), or fails in one suite run with no
candidate applied (``stale``: a test that counts the files a reproduction added); they are set aside for
the session. A run cut off before a test that counts against the candidate reported, or killed by a
signal, is inconclusive and runs again at ``RETRY_FACTOR`` times the limit (``MAX_LOST_RETRIES``,
``as_slowest``); a tier before the last reporting no test is passed over (not once a run reported them: a
broken build). A file that collected nothing at baseline stays out of suite runs unless it holds a target.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Sequence
from dataclasses import replace

from rfsn.models import TestReport, TestStatus
from rfsn.models.testfiles import test_id_file
from rfsn.planners.code.candidates import Candidate
from rfsn.planners.code.testids import left_out, same_tests
from rfsn.planners.verify.startup import StartUps
from rfsn.planners.verify.tiers import ScreenResult, Tier, collected

#: screened tests may take this many times their baseline durations, plus one slack (seconds)
#: per run (a slack per test made a looping candidate of a five-test tier cost five seconds)
PER_TEST_FACTOR = 10.0
RUN_SLACK = 1.0
#: up to this many failing tests, a candidate's first tier runs them all (partial fixes are paired)
PAIRABLE_TARGETS = 4
#: an inconclusive run is repeated with this many times its limit...
RETRY_FACTOR = 4.0
#: ...while fewer than this many of the repeats were inconclusive as well; a tier is repeated once, the
#: failing tests' (whose limit comes from how long they took while failing) up to twice
MAX_LOST_RETRIES = 3
MAX_TARGET_RETRIES = 2
#: a candidate that fixes every target and breaks at most this many tests gets them run again,
#: alone: those that pass are flaky (load, order), not broken by it
MAX_RECHECKED = 3


class Screen:
    def __init__(
        self,
        baseline: TestReport,
        targets: list[str],
        coverage: dict[str, dict[str, list[int]]] | None = None,
        may_break: list[str] | None = None,
        tell_broken: int = 0,
        flaky: list[str] | None = None,
        stale: list[str] | None = None,
        groups: Sequence[Sequence[str]] = (),
    ) -> None:
        """``may_break``: tests set aside from the baseline that a fix may break (old tests the
        reproduction restates): the whole suite does not stop at them. ``tell_broken``: a run
        that breaks tests goes on until this many more broke, so that a model told of them may
        call them all obsolete at once (``planners.verify.obsolete``). ``flaky``, ``stale``: tests
        known to be so from the start. ``groups``: the tests of each target group the targets stand
        for; with several, a candidate first runs one test of each (``firsts``), so that every
        group knows a candidate that failed it and its own try passes it over, then all the
        targets to the first failure. A failure's traceback can cost more than its test."""
        self.baseline, self.targets = baseline, targets
        self.may_break = may_break or []
        self.tell_broken = tell_broken
        self.coverage = coverage or {}
        #: mutants may loop: a screening run gets a few times the baseline's duration
        self.timeout = max(3.0, 3 * baseline.duration + 2)
        self.lost_retries = 0
        #: tests that failed in a run and passed alone, with the same candidate applied, or were
        #: known flaky from the start
        self.flaky: list[str] = list(flaky or [])
        #: baseline-passing tests that fail with no candidate applied, once the reproduction's
        #: files are there (a test that lists its directory): the baseline ran before them
        self.stale: list[str] = list(stale or [])
        self.rebaselined = False  # the whole suite ran with no candidate applied (once a session)
        self.leave_out = left_out(baseline, targets)
        self.groups = [list(g) for g in groups]
        self._firsts: list[str] | None = None
        self.startup = StartUps(max(0.0, baseline.duration - sum(baseline.durations.values())))

    def firsts(self) -> list[str]:
        """The first target of each group in the suite's order, when a try stands for several
        groups and its targets are too many to run them all (else none). Made once a screen:
        every candidate's screening asks."""
        if self._firsts is None:
            self._firsts = []
            if len(self.groups) > 1 and len(self.targets) > PAIRABLE_TARGETS:
                place = {t: at for at, t in enumerate(self.in_suite_order(self.targets))}
                picked = {
                    min((t for t in g if t in place), key=place.__getitem__)
                    for g in self.groups
                    if any(t in place for t in g)
                }
                self._firsts = sorted(picked, key=place.__getitem__)
        return self._firsts

    def retry(self, tier: Tier, result: ScreenResult) -> Tier | None:
        """The tier again with a longer limit, when its run was inconclusive and retries still pay."""
        if (
            not result.inconclusive
            or self.lost_retries >= MAX_LOST_RETRIES
            or tier.retries >= (1 if tier.case_limit else MAX_TARGET_RETRIES)
            or (tier.retries and tier.timeout >= self.as_slowest(tier.tests))
        ):
            return None
        return replace(tier, timeout=tier.timeout * RETRY_FACTOR, retries=tier.retries + 1)

    def as_slowest(self, tests: list[str]) -> float:
        """Seconds for running ``tests`` were each as slow as the slowest test the baseline passed:
        past its first rerun, a run cut off at that limit is hung, not slowed by its fix (a fixed
        test rarely outlasts the suite's slowest ten times over); none known: no bound."""
        slowest = max((self.baseline.durations.get(t, math.inf) for t in self.baseline.passing), default=math.inf)
        return self.startup.forked() + PER_TEST_FACTOR * slowest * len(tests) + RUN_SLACK

    def retried(self, result: ScreenResult) -> None:
        if result.inconclusive:
            self.lost_retries += 1

    def recheck(self, tier: Tier, result: ScreenResult, held: bool = False) -> Tier | None:
        """The tests a candidate that fixes every target (in this tier's run, or ``held``: an
        earlier one's) broke, alone; None when there are none or too many to be flakes."""
        if (
            result.passed_tier
            or not result.broke
            or len(result.broke) > MAX_RECHECKED
            or not (held or set(self.targets) <= result.fixed)
        ):
            return None
        # with no per-test limit: under load a test near it at baseline is stopped by it alone too;
        # the tier's own limit, from its baseline durations, bounds it
        return self._selected("the tests that broke, alone", list(result.broke), case_limit=False)

    def ran_to_end(self, tier: Tier, report: TestReport) -> bool:
        """Whether ``report``'s run of ``tier`` went to its end: not cut off or crashed, not stopped
        at a failure, and every test it was to run is in it (a failure pytest counts twice for
        ``--maxfail``, a call's and its teardown's, is one id in the report)."""
        stopped = report.stops_at is not None and len(report.failing) >= report.stops_at
        expected = (
            [t for t in self.baseline.passing if test_id_file(t) not in tier.leave_out] if tier.last else tier.tests
        )
        seen = same_tests(report.tests, self.baseline.tests)  # a parameter made from the clock: the same test
        return not (report.reason or report.crashed or stopped) and all(t in seen for t in expected)

    def passed_alone(self, report: TestReport | None, tests: list[str]) -> list[str]:
        """Of ``tests``, those that passed in their run alone: flaky from now on."""
        statuses = same_tests(report.tests, self.baseline.tests) if report and not report.timed_out else {}
        if not all(statuses.get(t) == TestStatus.PASSED for t in tests):
            return []
        self.flaky += [t for t in tests if t not in self.flaky]
        return tests

    def rebaseline(self, report: TestReport | None) -> list[str]:
        """The baseline-passing tests (targets and tests set aside apart) that the whole suite,
        run with no candidate applied, reported not passing: no candidate's doing. Set aside
        from now on. A test the run did not report is not one of them (a run the problem cut
        short leaves the tests after it unreported)."""
        self.rebaselined = True
        statuses = same_tests(report.tests, self.baseline.tests) if report and not report.timed_out else {}
        aside = {*self.targets, *self.may_break, *self.flaky, *self.stale}
        found = [
            t
            for t in self.baseline.passing
            if t not in aside and t in statuses and statuses[t] is not TestStatus.PASSED
        ]
        self.stale += found
        return found

    def covering(self, candidate: Candidate) -> list[str]:
        """Baseline-passing tests that ran the edited lines (those set aside, and those the
        candidate may break, apart: the tier stops at the first failure)."""
        edited = {(change.path, candidate.line) for change in candidate.changes()}
        aside = {*self.flaky, *self.stale, *candidate.obsolete}
        return self.in_suite_order(
            [
                t
                for t in self.baseline.passing
                if t not in aside and any(line in self.coverage.get(t, {}).get(path, ()) for path, line in edited)
            ]
        )

    def near_targets(self, candidate: Candidate) -> list[str]:
        """Baseline-passing tests of the targets' files (those set aside apart), in suite order."""
        files, aside = {test_id_file(t) for t in self.targets}, {*self.flaky, *self.stale, *candidate.obsolete}
        return self.in_suite_order([t for t in self.baseline.passing if t not in aside and test_id_file(t) in files])

    def in_suite_order(self, tests: Collection[str]) -> list[str]:
        """``tests`` in the order the baseline ran them (those it did not, last, by name): tests
        sharing state pass or fail by their order, and a screening must not change it."""
        place = {test: at for at, test in enumerate(self.baseline.tests)}
        return sorted(tests, key=lambda t: (place.get(t, len(place)), t))

    def limit(self, tests: list[str]) -> float:
        """Seconds for running ``tests``: from their baseline durations, capped by the suite's."""
        known = self.baseline.durations
        if not tests or any(t not in known for t in tests):
            return self.timeout
        own = PER_TEST_FACTOR * sum(known[t] for t in tests) + RUN_SLACK
        return min(self.timeout, self.startup.forked() + own)

    def _selected(self, name: str, tests: list[str], max_failures: int | None = None, case_limit: bool = True) -> Tier:
        """A tier of selected tests: its limit from their baseline durations, plus the cold start-up
        for a run the warm runner does not fork."""
        timeout, cold_start = self.limit(tests), self.startup.cold_start()
        return Tier(
            name, tests, timeout=timeout, cold_start=cold_start, max_failures=max_failures, case_limit=case_limit
        )

    def ran(self, tier: Tier, report: TestReport | None) -> None:
        """The start-up of a run of selected tests learned (not the whole suite's: never forked)."""
        if tier.tests:
            self.startup.ran(report)

    def tiers(self, candidate: Candidate) -> Iterator[Tier]:
        if not self.baseline.structured:  # a command judged by its exit status: one run decides
            yield Tier("the test command's exit status", [], last=True, timeout=self.timeout)
            return
        targets, firsts = self.in_suite_order(self.targets), self.firsts()
        if firsts:
            yield self._selected("a failing test of each group", firsts, case_limit=False)
        pairable = len(targets) <= PAIRABLE_TARGETS
        yield self._selected("failing tests", targets, max_failures=None if pairable else 1, case_limit=False)
        covering, near, half = self.covering(candidate), self.near_targets(candidate), len(self.baseline.tests) // 2
        if covering and len(covering) < half:
            yield self._selected("tests covering the edit", covering, max_failures=1 + self.tell_broken)
        elif near and len(near) < half:  # covering tests unknown or too many: the targets' neighbours
            yield self._selected("the targets' test files", near, max_failures=1 + self.tell_broken)
        failing_anyway = (
            len(set(self.baseline.failing) - set(self.targets))
            + len(self.may_break)
            + len(self.flaky)
            + len(self.stale)
            + len(candidate.obsolete)
        )
        yield Tier(
            "whole suite",
            [],
            last=True,
            timeout=self.timeout,
            max_failures=failing_anyway + 1 + self.tell_broken,
            leave_out=self.leave_out,
        )

    def judge(
        self, tier: Tier, report: TestReport | None, excused: Collection[str] = (), held: bool = False
    ) -> ScreenResult:
        """``excused``: tests the candidate may break (those its proposer called obsolete).
        ``held``: every target passed in an earlier tier of the candidate (with no per-test
        limit): one the per-test limit stops here still counts as fixed."""
        seen = (
            collected(report, same_tests(report.tests, self.baseline.tests), self.targets, self.baseline)
            if report
            else {}
        )
        statuses = seen if report and not report.timed_out else {}
        done = (TestStatus.PASSED, TestStatus.TIMEOUT) if held else (TestStatus.PASSED,)
        fixed = frozenset(t for t in self.targets if statuses.get(t) in done)
        aside = {*self.flaky, *self.stale, *excused}
        expected = [
            t for t in (self.baseline.passing if tier.last else tier.tests) if t not in aside and t not in self.targets
        ]
        broken = [t for t in expected if statuses.get(t) != TestStatus.PASSED]
        must_fix = self.targets if tier.last else [t for t in tier.tests if t in self.targets]
        holds = bool(statuses) and not broken and all(t in fixed for t in must_fix)
        # cut off by its limit with nothing against the candidate among what it reported (no
        # target or test expected to pass reported otherwise; the rest never reached): under load
        # a run outlasts a limit set from its baseline's time, and a right candidate must not be
        # refused for it; one that loops in a test it never reached costs a longer rerun, within
        # the retry caps
        unreached = set(report.unreached) if report else set()
        against = [t for t in (*self.targets, *expected) if t in seen and t not in unreached and seen[t] not in done]
        silent = report is not None and (report.signalled or (report.timed_out and not against))
        refused = report is not None and not report.timed_out and not report.tests and not tier.last
        failed = (
            frozenset()
            if silent
            else frozenset(
                t
                for t in self.targets
                if t not in unreached and statuses.get(t) in (TestStatus.FAILED, TestStatus.ERROR)
            )
        )
        return ScreenResult(
            fixed=fixed,
            passed_tier=holds,
            plausible=holds and tier.last,
            inconclusive=silent,
            ran_nothing=refused,
            failed=failed,
            broke=tuple(t for t in broken if t in statuses),
        )
