"""The phase meta-planner: reproduce -> localize -> patch -> verify.

The plan is a generator: each ``yield`` hands a proposal to the controller
and receives its Feedback, so the phases read top to bottom. Patch
generation is delegated to a PatchStrategy (offline templates, or an LLM).
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from rfsn.buildpacks.python.pyhealth import project_modules
from rfsn.errors import ApplyError
from rfsn.llm.base import ChatModel
from rfsn.models import (
    Alternative,
    Edit,
    FailureGroup,
    Finish,
    Phase,
    Proposal,
    RunTests,
    SessionStatus,
    TestReport,
    TestStatus,
)
from rfsn.models.testfiles import is_test_code, test_id_file
from rfsn.observability.logging import bind, get_logger
from rfsn.observability.metrics import CANDIDATES
from rfsn.patches import unified_diff
from rfsn.planners.base import (
    Feedback,
    Lookup,
    PatchStrategy,
    RepairContext,
    Verdict,
    finds_code,
    reads_code,
)
from rfsn.planners.code.candidates import Candidate, combine
from rfsn.planners.code.sources import read_sources
from rfsn.planners.code.testids import left_out, located, same_tests
from rfsn.planners.localize import Location, rank, traceback_boosts, traceback_frames, written_values
from rfsn.planners.localize.agreement import agreeing, function_at, pointed
from rfsn.planners.localize.callees import callee_locations
from rfsn.planners.localize.control import with_control_dependence
from rfsn.planners.localize.definitions import with_callees, with_definitions
from rfsn.planners.localize.focus import focus_tests, is_flat
from rfsn.planners.localize.reach import with_reach
from rfsn.planners.localize.signatures import callee_definitions, ran_project
from rfsn.planners.localize.stacktrace import localize_from_output, rank_frames, stack_frames
from rfsn.planners.localize.tracebacks import output_of
from rfsn.planners.reproduce import issue
from rfsn.planners.reproduce.baseline import Baseline
from rfsn.planners.reproduce.evidence import ordered
from rfsn.planners.reproduce.restated import set_aside
from rfsn.planners.reproduce.targets import causes, group, unreported
from rfsn.planners.spending import Ledger, Share, Try, regrouped, settled, tries, weight
from rfsn.planners.verify.choice import Evidence, Ranked, rank_plausible
from rfsn.planners.verify.obsolete import MAX_OBSOLETE, accepted
from rfsn.planners.verify.screening import MAX_RECHECKED, Screen, ScreenResult, Tier, collected

Plan = Generator[Proposal, Feedback, None]
log = get_logger(__name__)

#: verify runs the targets a second time only when the budget left holds this many times their
#: run in screening (a run cut off by the budget is no verdict and loses a right answer)
VERIFY_MARGIN = 1.5
#: proposals verify makes at most: the patch applied, the targets run, the finish
VERIFY_STEPS = 3
RANKED_LOGGED = 100  # locations the localized event lists, best first (a benchmark reads a fault's rank)


@dataclass
class _Search:
    """One target group's patch search: its evidence, its strategy's candidates and what
    screening found so far, kept so that it can go on where its share cut it short."""

    group: FailureGroup
    locations: list[Location]
    coverage: dict[str, dict[str, list[int]]]
    context: RepairContext | None = None  # none: nothing to search
    screen: Screen | None = None
    candidates: Iterator[Candidate | Lookup] = field(default_factory=lambda: iter(()))
    plausible: list[Candidate] = field(default_factory=list)
    partial: list[tuple[Candidate, frozenset[str]]] = field(default_factory=list)
    screened: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    after_first: int | None = None  # candidates still screened after the first plausible one
    cut: bool = False  # its share was spent: it may go on


def _localized(by: str, locations: list[Location]) -> list[Location]:
    log.info("planner.localized", by=by, locations=len(locations),
             top=[f"{loc.file}:{loc.line}" for loc in locations[:5]],
             ranked=[f"{loc.file}:{loc.line}" for loc in locations[:RANKED_LOGGED]])
    return locations


class PhasePlanner:
    def __init__(self, strategy: PatchStrategy, workspace: Path, language: str, workdir: str, *,
                 targets: Sequence[str] = (), problem: str = "", formula: str = "ochiai",
                 max_plausible: int = 3, extra_after_plausible: int = 10, max_pairs: int = 10,
                 model: ChatModel | None = None, seconds_left: Callable[[], float] | None = None,
                 steps_left: Callable[[], int] | None = None, baseline: Baseline | None = None) -> None:
        """``seconds_left``, ``steps_left``: the session's wall seconds and steps left (none: no
        limit the plan weighs). ``baseline``: what the plan's runs of the whole suite run."""
        self.strategy, self.workspace, self.language, self.workdir = strategy, workspace, language, workdir
        self.targets, self.problem, self.formula = list(targets), problem, formula
        self.model, self.seconds_left, self.steps_left = model, seconds_left, steps_left
        self.max_plausible, self.extra, self.max_pairs = max_plausible, extra_after_plausible, max_pairs
        self.phase = Phase.REPRODUCE
        self.candidates_tried = 0
        self.best: Candidate | None = None
        #: the target tests that fail at the start, once the baseline ran
        self.failing_before: list[str] = []
        #: files the session wrote only to reproduce the problem: never part of the patch
        self.scaffolding: list[str] = []
        #: old tests the reproduction restates with new expectations (a fix may break them)
        self.restated: list[str] = []
        #: the reproduction's own tests that pass before any fix (a fix may break them)
        self.unproven: list[str] = []
        self._votes: dict[str, int] = {}
        self._plan = (baseline or Baseline()).conduct(self._run())
        self._started = False
        self._last: Proposal = Finish(reason="gave up: the plan has not started")
        self._feedback: Feedback | None = None
        self._verdict: Verdict | None = None
        self._coverage: dict[str, dict[str, list[int]]] = {}
        #: the localizations' measurements: the tests each ran (none: the suite) and what it measured
        self._measurements: list[tuple[frozenset[str] | None, dict[str, dict[str, list[int]]]]] = []
        #: baseline-passing tests that did not pass in the coverage run, with no candidate
        #: applied either: flaky (a hash seed, the load), or, in an issue-only session, stale
        #: (that run came after the reproduction was written): never a candidate's doing
        self._unsteady: list[str] = []
        self._screen: Screen | None = None
        #: a plausible candidate's whole-suite run in screening (by its diff): verify keeps it
        self._suites: dict[str, TestReport] = {}
        #: ...and its targets' run with no per-test limit, where they held
        self._alone: dict[str, TestReport] = {}
        self._pairs_tried = 0
        #: the targets by cause, in the order they are tried, then the environment's
        self._groups: list[FailureGroup] = []
        #: the targets each screened candidate (by its diff) left failing, in any group's try
        self._left_failing: dict[str, frozenset[str]] = {}
        self._ledger = Ledger()
        self._share: Share | None = None  # the share of the group being screened
        #: each target group tried alone and the function its localization points at ("": none)
        self._pointing: list[tuple[FailureGroup, str]] = []
        self._baseline: TestReport | None = None
        self._patching: _Search | None = None  # the search screened last (it holds what is plausible)
        #: the most seconds and steps a plausible candidate's screening took (none: no clock)
        self._held_cost: tuple[float, float] | None = None
        #: the strategies' searches the plan opened, closed with it (``close``)
        self._opened = contextlib.ExitStack()

    def next(self) -> Proposal:
        if not self._started:
            self._started = True
            self._last = next(self._plan)
            return self._last
        assert self._feedback is not None, "observe() must follow next()"
        feedback, self._feedback = self._feedback, None
        # once the plan ended on a Finish the gate rejected, that Finish is proposed again
        with contextlib.suppress(StopIteration):
            self._last = self._plan.send(feedback)
        return self._last

    def observe(self, feedback: Feedback) -> None:
        self._feedback = feedback

    def close(self) -> None:
        """End the plan and every search it opened, wherever they stand: their ``finally`` blocks
        (a strategy's ``template.budget``) run now, in the session that opened them."""
        self._plan.close()
        self._opened.close()

    def verdict(self) -> Verdict:
        if self._verdict is None:
            return Verdict(status=SessionStatus.NOT_FIXED, message="the planner did not finish",
                           candidates_tried=self.candidates_tried)
        return self._verdict

    def _enter(self, phase: Phase) -> None:
        self.phase = phase
        bind(phase=phase.value)
        log.info("planner.phase", phase=phase.value)

    def groups(self, ended: str = "") -> list[FailureGroup]:
        """The groups and what each spent, the one being tried closed as ``ended`` (the session
        stopped it: its budget, Ctrl-C)."""
        if self._ledger.group is not None:
            self._ledger.close("left", ended)
        return settled([g.model_copy(update={"outcome": "known", "why": "the environment's"})
                        if g.kind == "environment" else g.model_copy(deep=True) for g in self._groups])

    def _stop(self, status: SessionStatus, message: str, **fields: object) -> Plan:
        self._verdict = Verdict(status=status, message=message, candidates_tried=self.candidates_tried,
                                groups=self.groups(message), **fields)  # type: ignore[arg-type]
        reason = message if self.phase is Phase.VERIFY else f"gave up: {message}"
        yield Finish(phase=self.phase, reason=reason)

    def _run(self) -> Plan:
        self._enter(Phase.REPRODUCE)
        fb = yield RunTests(phase=Phase.REPRODUCE, rationale="baseline: which tests fail now")
        baseline = fb.outcome.report if fb.outcome else None
        if baseline is not None and baseline.env_error:
            yield from self._stop(SessionStatus.ENV_ERROR, baseline.env_error)
            return
        if baseline is None or baseline.timed_out or (not baseline.tests and baseline.exit_code):
            why = "timed out" if baseline and baseline.timed_out else "reported no tests"
            yield from self._stop(SessionStatus.ERROR, f"the baseline test run {why}")
            return
        baseline = unreported(baseline, self.targets)  # failed, when its file's error or the project's crash hid it
        self._baseline = baseline
        failing = baseline.failing
        hung = set(baseline.with_status(TestStatus.TIMEOUT))
        if hung and not self.targets and set(failing) - hung:  # a hang is a known failure, not the
            failing = [t for t in failing if t not in hung]    # target, when others fail otherwise
        targets = [t for t in baseline.resolve(self.targets) if t in failing] if self.targets else failing
        why = "no failing test: nothing to repair" if not self.targets else "the given tests do not fail"
        unknown = baseline.unknown(self.targets)
        if unknown and not targets:
            why = f"no such test: {unknown[0]} (the baseline ran {len(baseline.tests)} tests)"
        if not self.targets and self.problem.strip() and self.model is not None:
            # a problem statement names the bug: its reproduction is the target, whatever else
            # fails at baseline (those stay pre-existing failures, outside "must pass")
            reproduction = yield from issue.plan(self.model, self.problem, self.workspace, self.language,
                                                     baseline, self.scaffolding)
            if isinstance(reproduction, str):  # what failed before is not the problem described
                why, targets = f"the model's test does not reproduce the problem: {reproduction}", []
                log.info("planner.pre_existing_failures", tests=failing, reason=reproduction)
            else:
                log.info("planner.pre_existing_failures", tests=failing)
                baseline, targets = reproduction
                baseline, self.restated, self.unproven = set_aside(
                    baseline, targets, read_sources(self.workspace, self.language, tests=True))
        if targets and not self.targets and targets == failing:  # nobody named the bug
            self._groups = ordered(group(targets, causes(baseline.log, baseline.crashes, baseline.reasons),
                                         project_modules(self.workspace)),
                                   baseline.log, read_sources(self.workspace, self.language), self.workdir)
            log.info("planner.baseline_groups", groups=[(g.kind, g.cause[:80], len(g.tests)) for g in self._groups])
            targets = [t for g in self._groups if g.kind == "target" for t in g.tests]
            why = why if targets else f"every failing test fails for want of the environment: {self._groups[0].cause}"
        self.failing_before = targets
        if not targets:  # only the environment fails: it, not the project, is what is wrong
            environment = bool(self._groups) and all(g.kind == "environment" for g in self._groups)
            # a named test that does not exist is bad input (as in rfsn test); one that passes is a result
            status = SessionStatus.ERROR if unknown else SessionStatus.NOT_REPRODUCED
            yield from self._stop(SessionStatus.ENV_ERROR if environment else status, why)
            return
        if not self._groups:  # named, or reproduced: one group, for the report of what it spent
            self._groups = [FailureGroup(cause="the tests named" if self.targets else "the failing tests",
                                         tests=targets, kind="target")]
        turns, self._groups = tries(self._groups)
        searches: list[tuple[_Search, Try]] = []
        ended: _Search | None = None  # the search whose plausible patch ends the session
        for n, turn in enumerate(turns):  # one try at a time, each with its share; a fix of one is a fix
            share = Share.of([t.weight for t in turns[n:]], self.seconds_left, self.steps_left, turn.stands_for)
            self._ledger.begin(turn.group)
            self._enter(Phase.LOCALIZE)
            log.info("planner.group", group=n + 1, of=len(turns), cause=turn.group.cause[:80],
                     tests=len(turn.group.tests), evidence=turn.group.evidence, share_seconds=share.seconds,
                     share_steps=share.steps)
            searches.append(((yield from self._search(baseline, turn.group, share.measuring(), turn.stands_for)), turn))
            if n == 0 and turn.stands_for > 1:
                self._agreed(baseline, turns, share)
            if (yield from self._patch(searches[-1][0], share)) and self._settles(searches[-1][0]):
                ended = searches[-1][0]
                break
        cut = [(s, t) for s, t in searches if s.cut and not s.plausible and ended is None]
        while cut:  # what the tries that ran dry left goes to those their share cut short, in turn
            for n, (search, _) in enumerate(cut):
                share = Share.of([t.weight for _, t in cut[n:]], self.seconds_left, self.steps_left)
                self._ledger.begin(search.group)
                log.info("planner.group_resumed", cause=search.group.cause[:80], share_seconds=share.seconds,
                         share_steps=share.steps)
                if (yield from self._patch(search, share)) and self._settles(search):
                    ended = search
                    break
            cut = [(s, t) for s, t in cut if s.cut and not s.plausible and ended is None]
        # none settled: the first plausible patch, its try's account open again for verify
        found = ended or next((s for s, _ in searches if s.plausible), None)
        if found is not None and found is not ended:
            self._ledger.begin(found.group)
        if found is None:
            yield from self._stop(SessionStatus.NOT_FIXED, "; ".join(dict.fromkeys(s.group.why for s, _ in searches)),
                                  failing_before=self.failing_before,
                                  failing_after=self.failing_before if any(s.locations for s, _ in searches) else [])
            return
        targets = found.group.tests
        ranked = rank_plausible(found.plausible, self._evidence(baseline, targets, found.locations))
        self._enter(Phase.VERIFY)
        yield from self._verify(ranked, baseline, targets)

    def _agreed(self, baseline: TestReport, turns: list[Try], share: Share) -> None:
        """Once the groups together (``turns[0]``) are localized, the groups whose localizations
        agree are one try weighing as the sum of what it holds (``turns``, ``share`` in place)."""
        alone = [t.group for t in turns[1:] if t.stands_for == 1 and not t.group.shape]
        sources = read_sources(self.workspace, self.language)
        self._pointing = [(g, pointed(g.tests, self._coverage, baseline.passing, sources, self.language,
                                      self.formula, self._source_frames(baseline, g.tests, sources)))
                          for g in alone]
        sets = agreeing(self._pointing)
        log.info("planner.groups_agree", sets=[len(s) for s in sets], of=len(alone),
                 causes=[[g.cause[:40] for g in s] for s in sets])
        if sets and len(sets[0]) == len(alone):  # all agree: the groups together are that try
            turns[0].weight = sum(weight(g) for g in alone)
            turns[1:] = [t for t in turns[1:] if all(t.group is not g for g in alone)]
            share.reweigh([t.weight for t in turns])
            turns[0].group.evidence.append("their localizations agree: one fault")
        elif sets:
            turns[1:] = regrouped(turns[1:], sets)
            self._groups[1:1] = [t.group for t in turns[1:1 + len(sets)]]

    def _settles(self, search: _Search) -> bool:
        """Whether ``search``'s plausible patch may end the session: no test of a group agreeing
        with it (pointing at the function it edits, or where its group points) still fails in
        its suite run. Those that do are left failing by it for every later try."""
        best, own = search.plausible[0], {where for g, where in self._pointing if g is search.group}
        source = read_sources(self.workspace, self.language).get(best.path, "")
        at = {function_at(best.path, best.line, source, self.language), *own} - {""}
        suite = self._suites.get(best.diff())
        still = sorted(t for g, where in self._pointing if where in at and g is not search.group
                       for t in g.tests if suite is not None and t not in search.group.tests
                       and suite.tests.get(t) in (TestStatus.FAILED, TestStatus.ERROR))
        if not still:
            return True
        log.info("planner.fix_leaves_agreeing", candidate=best.description, failing=still[:10], of=len(still))
        self._left_failing[best.diff()] = self._left_failing.get(best.diff(), frozenset()) | set(still)
        self._ledger.close("left", f"a plausible patch ({best.description}) leaves {len(still)} failing "
                                   "tests of groups agreeing with it: the tries go on")
        return False

    def _search(self, baseline: TestReport, group: FailureGroup,
                measuring: float | None = None, stands_for: int = 1) -> Generator[Proposal, Feedback, _Search]:
        """``group``'s search, localized (its measurement within ``measuring`` seconds), its
        strategy's candidates ready (none where the fault could not be localized and the
        strategy does not read the code itself); ``stands_for``: the groups it holds."""
        targets = group.tests
        locations = yield from self._localize(baseline, targets, measuring)
        search = _Search(group, locations, self._coverage)
        if locations or finds_code(self.strategy):
            # a target named bare (sympy's ``test_x``) is shown to a strategy by the id naming its
            # file: a bare name is defined in many test files
            search.context = RepairContext(
                workspace=self.workspace, language=self.language, failing=located(targets, baseline.failing),
                passing=baseline.passing, locations=locations, problem=self.problem, log=baseline.log,
                files=read_sources(self.workspace, self.language), model=self.model)
            search.screen = Screen(baseline, targets, self._coverage, may_break=[*self.restated, *self.unproven],
                                   tell_broken=MAX_OBSOLETE if self.scaffolding else 0,
                                   flaky=[] if self.scaffolding else self._unsteady,
                                   stale=self._unsteady if self.scaffolding else [], groups=stands_for)
            search.candidates = iter(self.strategy.candidates(search.context))
            if isinstance(search.candidates, Generator):
                self._opened.callback(search.candidates.close)
        return search

    def _measuring_clock(self, measuring: float | None) -> Callable[[], float | None]:
        """Seconds left of ``measuring``, counted from now on the session's clock (none: no bound)."""
        if measuring is None or self.seconds_left is None:
            return lambda: measuring
        clock, start = self.seconds_left, self.seconds_left()
        return lambda: measuring - (start - clock())

    def _measured(self, subset: Sequence[str] | None) -> dict[str, dict[str, list[int]]] | None:
        """Per-test coverage an earlier localization measured for every test of ``subset`` (none:
        the suite), or None."""
        for tests, coverage in self._measurements:
            if tests is None or (subset is not None and tests.issuperset(subset)):
                return coverage
        return None

    def _localize(self, baseline: TestReport, targets: list[str],
                  measuring: float | None = None) -> Generator[Proposal, Feedback, list[Location]]:
        targets = located(targets, baseline.failing)
        focus = focus_tests(targets, baseline.passing, baseline.duration)
        # a model reading the repository takes the focused evidence as it is: sharpening it
        # would cost a whole-suite run (minutes on a large suite)
        wider = () if reads_code(self.strategy) else (None,)
        subsets = (focus, *wider) if focus else (None,)
        measured_by = self._measuring_clock(measuring)
        flat: list[Location] = []  # a flat ranking of the focus, kept should no time be left to widen it
        for subset in subsets:
            within = measured_by()
            coverage = self._measured(subset)
            if coverage is not None:  # an earlier group's localization ran these tests: the same run again
                log.info("planner.coverage_reused", tests=len(subset) if subset else "the suite")
            elif within is not None and within < 1:  # the measuring time is spent: rank from what was measured
                if flat:
                    return _localized("coverage", flat)
                break
            else:
                # the measuring time bounds the run itself too: one cut short leaves the ranking
                # to what was measured before it, or to the stack frames
                fb = yield RunTests(phase=Phase.LOCALIZE, coverage=True, tests=subset or (),
                                    leave_out=left_out(baseline, targets),
                                    timeout=None if within is None else max(1.0, within),
                                    measure_within=None if within is None else max(1.0, within),
                                    rationale="per-test line coverage for spectrum-based localization"
                                              + (" (failing tests and their files' tests first)" if subset else ""))
                measured = fb.outcome.report if fb.outcome and fb.outcome.report else None
                coverage = measured.coverage if measured else None
                self._unsteady += _unsteady(baseline, measured, [*targets, *self._unsteady],
                                            room=MAX_RECHECKED - len(self._unsteady))
                if measured and coverage is None:  # the runner measures none: the suite would not either
                    self._coverage = {}
                    break
                if coverage:
                    self._measurements.append((None if subset is None else frozenset(subset), coverage))
            self._coverage = coverage or {}
            if not coverage:
                continue
            if not any(ran_project(coverage.get(t, {})) for t in targets):  # the targets died before
                break  # running a line of the project (a panic ends a Go test binary, a call stopped
                # at its callee's signature): their stacks and errors say where
            failed = output_of(baseline.log, targets)
            boosts = traceback_boosts(traceback_frames(failed, root=self.workdir))
            sources, tested = (read_sources(self.workspace, self.language, tests=t) for t in (False, True))
            # targets whose coverage holds no line of the project (a test stopped before it ran
            # any) add their stack frames in its source, as targets with no coverage at all are
            # localized by them
            blind = [t for t in targets if not ran_project(coverage.get(t, {}))]
            frames = rank_frames(self._source_frames(baseline, blind, sources), exclude_tests=True) if blind else []
            for loc in [*callee_definitions(failed, sources), *written_values(failed, sources, tested, targets),
                        *frames]:
                boosts[(loc.file, loc.line)] = max(boosts.get((loc.file, loc.line), 0.0), loc.score)
            by_test = {t: {f: set(lines) for f, lines in files.items()} for t, files in coverage.items()}
            covered = [t for t in baseline.passing if t in by_test] if subset else baseline.passing
            if subset and not covered and subset is not subsets[-1]:  # no passing test to tell the
                continue  # fault's lines from those every test runs (Go's ids name no file to focus on)
            ranked = with_reach(rank(by_test, targets, covered, self.formula, boosts), sources,
                                tested, targets, keep=boosts)
            # a flat ranking still orders what coverage saw when no wider run will sharpen it
            if (subset is None or not is_flat(ranked)
                    or (subset is subsets[-1] and any(loc.score > 0 for loc in ranked))):
                return _localized("coverage", with_definitions(with_control_dependence(ranked, sources), sources))
            if any(loc.score > 0 for loc in ranked):
                flat = with_definitions(with_control_dependence(ranked, sources), sources)
        files = read_sources(self.workspace, self.language)
        return _localized("stack frames", with_definitions(with_callees(with_control_dependence(
            self._frames(baseline, targets), files), files), files))

    def _output(self, baseline: TestReport, targets: Sequence[str]) -> str:
        """The targets' tracebacks, not the other failures', and first the stacks of their crashes."""
        stacks = [c.stack for c in baseline.crashes if c.test in targets]
        return "\n".join([*stacks, output_of(baseline.log, targets)])

    def _source_frames(self, baseline: TestReport, targets: list[str],
                       sources: Mapping[str, str]) -> list[tuple[str, int]]:
        """The targets' stack frames in the project's source, where none of them ran a line of
        it in the coverage measured (else none: coverage says where they point)."""
        if any(ran_project(self._coverage.get(t, {})) for t in targets):
            return []
        return [(path, line) for path, line in stack_frames(self._output(baseline, targets), self.workdir, sources)
                if path in sources and not is_test_code(path, line, sources)]

    def _frames(self, baseline: TestReport, targets: list[str]) -> list[Location]:
        """Where the targets' output says they failed: their stack frames, the functions they
        call, the definitions their errors name and the values they quote, summed per line."""
        files = read_sources(self.workspace, self.language)
        tests = read_sources(self.workspace, self.language, tests=True)
        evidence: dict[tuple[str, int], float] = {}
        output = self._output(baseline, targets)
        for found in (localize_from_output(output, files, targets, root=self.workdir),
                      callee_locations(output, files, tests, root=self.workdir),
                      callee_definitions(output, files), written_values(output, files, tests, targets)):
            for loc in found:
                evidence[(loc.file, loc.line)] = evidence.get((loc.file, loc.line), 0.0) + loc.score
        merged = sorted(evidence.items(), key=lambda item: (-item[1], item[0]))
        return [Location(path, line, score) for (path, line), score in merged]

    def _patch(self, search: _Search, share: Share) -> Generator[Proposal, Feedback, bool]:
        """Screen ``search``'s candidates until enough are plausible, the strategy runs dry or
        ``share`` is spent (``search.cut``: it may go on later); whether any was plausible. Its
        group's account is closed unless one was (verify closes it)."""
        self._enter(Phase.PATCH)
        search.cut = False
        context, screen = search.context, search.screen
        if context is None or screen is None:
            self._ledger.close("left", "could not localize the fault")
            return False
        self._screen, self._votes, self._coverage, self._share = screen, context.votes, search.coverage, share
        self._patching = search
        plausible, partial, screened = search.plausible, search.partial, search.screened
        while True:
            if not plausible and share.spent(self._ledger.last):
                log.info("planner.share_spent", why=share.why, candidates=self._ledger.candidates)
                search.cut = True
                break
            if plausible and not self._room_for_one_more(plausible):
                break
            candidate = next(search.candidates, None)
            if candidate is None:
                break
            if isinstance(candidate, Lookup):  # the strategy reads the repository first
                candidate.answered((yield candidate.proposal))
                continue
            named = candidate.obsolete
            if named:
                candidate = _obsolete_checked(candidate, context.broken.get(candidate.diff(), ()))
            if (candidate.diff(), candidate.obsolete) in screened:
                continue  # the same patch with the same tests set aside
            if self._left_failing.get(candidate.diff(), frozenset()) & set(search.group.tests):
                search.group.skipped += 1  # another try's screening left this group's tests failing
                continue
            screened.add((candidate.diff(), candidate.obsolete))
            result = yield from self._try(screen, candidate)
            if result.inconclusive and not result.plausible and share.spent():  # its share cut its run:
                screened.discard((candidate.diff(), candidate.obsolete))  # screened again when the try goes on
                search.candidates = itertools.chain([candidate], search.candidates)
            self._broken(context, candidate, result)
            if named and not candidate.obsolete and self.scaffolding and result.broke and result.targets_held:
                # a patch first screened now, sent with tests called obsolete: they count for
                # those it was seen to break (a set not screened yet: the plain run set none aside)
                again = _obsolete_checked(candidate.model_copy(update={"obsolete": named}), result.broke)
                if again.obsolete:
                    screened.add((again.diff(), again.obsolete))
                    candidate, result = again, (yield from self._try(screen, again))
                    self._broken(context, candidate, result)
            if not result.plausible:  # a model strategy may answer it with one more round
                context.failures[candidate.diff()] = result.output or (
                    f"the gate refused it ({result.rejected})" if result.rejected else "it failed")
            if result.plausible:
                plausible.append(candidate)
                context.failures.pop(candidate.diff(), None)  # held, with tests called obsolete
            elif result.fixed and not plausible:
                pair = yield from self._pair(screen, partial, candidate, result.fixed, frozenset(search.group.tests))
                partial.append((candidate, result.fixed))
                if pair is not None:
                    plausible.append(pair)
            if plausible:
                search.after_first = self.extra if search.after_first is None else search.after_first - 1
                if search.after_first < 0 or len(plausible) >= self.max_plausible:
                    break
        if not plausible:
            self._ledger.close("left", share.why if search.cut else
                               f"no plausible patch among {self._ledger.candidates} candidates")
        return bool(plausible)

    def _left(self) -> tuple[float, float]:
        """The session's seconds and steps left (infinite where the plan weighs no limit)."""
        return (self.seconds_left() if self.seconds_left is not None else math.inf,
                self.steps_left() if self.steps_left is not None else math.inf)

    def _room_for_one_more(self, plausible: list[Candidate]) -> bool:
        """Whether the budget left holds one more candidate's screening (as long as a plausible
        one's took) and verifying the plausible patch after it: one in hand is never lost to it."""
        if self._held_cost is None:
            return True
        took, took_steps = self._held_cost
        alone = max((self._alone[c.diff()].duration for c in plausible if c.diff() in self._alone), default=None)
        seconds = took + (took if alone is None else VERIFY_MARGIN * alone)
        (left, steps_left), steps = self._left(), took_steps + VERIFY_STEPS
        if left >= seconds and steps_left >= steps:
            return True
        log.info("planner.screening_stopped", plausible=len(plausible), left=round(left, 1),
                 needs=round(seconds, 1), steps_left=steps_left, needs_steps=steps)
        return False

    def unverified(self, ended: str) -> Verdict | None:
        """The best plausible patch screening found, with its evidence, as the verdict of a
        session whose budget ended before verify confirmed it (none once the plan gave its own
        verdict, or when no candidate was plausible)."""
        search, baseline = self._patching, self._baseline
        if self._verdict is not None or search is None or not search.plausible or baseline is None:
            return None
        targets = search.group.tests
        ranked = rank_plausible(search.plausible, self._evidence(baseline, targets, search.locations))
        self.best = best = ranked[0].candidate
        tiers = "the targets, then the whole suite" if best.diff() in self._suites else "its tiers"
        cut = f"verify was cut by the budget ({ended}): the patch passed screening ({tiers}) and was not run again"
        log.info("planner.unverified", candidate=best.description, ended=ended)
        return Verdict(status=SessionStatus.BUDGET_EXHAUSTED, patch=best.diff(),
                       message=f"{ended}; verify was cut: the plausible patch is returned unverified: "
                               f"{best.description}",
                       failing_before=targets, candidates_tried=self.candidates_tried,
                       concerns=[*ranked[0].concerns, cut], groups=self.groups(ended),
                       alternatives=[Alternative(description=r.candidate.description, patch=r.candidate.diff(),
                                                 concerns=r.concerns) for r in ranked[1:]])

    def _broken(self, context: RepairContext, candidate: Candidate, result: ScreenResult) -> None:
        """Issue-only: the tests a patch seen to make the reproduction pass broke, kept by its diff;
        the model may call them obsolete (``planners.verify.obsolete``)."""
        if self.scaffolding and not result.plausible and result.broke and result.targets_held:
            known = context.broken.get(candidate.diff(), ())
            context.broken[candidate.diff()] = tuple(dict.fromkeys((*known, *result.broke)))

    def _pair(self, screen: Screen, partial: list[tuple[Candidate, frozenset[str]]],
              candidate: Candidate, fixed: frozenset[str],
              targets: frozenset[str]) -> Generator[Proposal, Feedback, Candidate | None]:
        """Multi-location bugs: this partial fix with an earlier one that fixes the rest."""
        for other, other_fixed in partial:
            if self._pairs_tried >= self.max_pairs or other_fixed | fixed != targets:
                continue
            pair = combine(other, candidate)
            if pair is None:
                continue
            self._pairs_tried += 1
            result = yield from self._try(screen, pair)
            if result.plausible:
                return pair
        return None

    def _try(self, screen: Screen, candidate: Candidate) -> Generator[Proposal, Feedback, ScreenResult]:
        """Apply, screen in tiers, revert. The workspace is left as it was. Screened again when
        tests it seemed to break fail without it too (``_stale``, once a session)."""
        self.candidates_tried += 1
        strategy = type(self.strategy).__name__
        self._ledger.screening(f"{candidate.path}:{candidate.line}")
        before = self._left()
        result = yield from self._screened(screen, candidate)
        while not result.plausible and (yield from self._stale(screen, result)):
            result = yield from self._screened(screen, candidate)
        self._ledger.screened()
        if result.plausible:
            after = self._left()
            took = (before[0] - after[0], before[1] - after[1])
            held = self._held_cost or (0.0, 0.0)
            self._held_cost = (max(held[0], took[0]), max(held[1], took[1]))
        self._left_failing[candidate.diff()] = self._left_failing.get(candidate.diff(), frozenset()) | result.failed
        if result.plausible:
            log.info("planner.plausible", candidate=candidate.description)
        CANDIDATES.labels(strategy, "rejected" if result.rejected else "plausible" if result.plausible else
                          "partial" if result.fixed else "failed").inc()
        return result

    def _screened(self, screen: Screen, candidate: Candidate) -> Generator[Proposal, Feedback, ScreenResult]:
        fb = yield Edit(phase=Phase.PATCH, patch=candidate.diff(), rationale=candidate.description)
        if not fb.ok:
            return ScreenResult(rejected=fb.decision.rule or "failed to apply")
        result, report = ScreenResult(), None
        held, failed = False, frozenset[str]()
        alone: TestReport | None = None  # the targets' run with no per-test limit
        for tier in screen.tiers(candidate):
            if tier.last and held:  # the whole suite runs them too, where the limit may stop them
                tier = replace(tier, timeout=tier.timeout + (alone.duration if alone else 0.0),
                               max_failures=None if tier.max_failures is None
                               else tier.max_failures + len(screen.targets))
            report, result = yield from self._screen_run(screen, candidate, tier, held)
            again = screen.retry(tier, result)
            while again is not None:
                if self._share is not None and self._share.spent():  # a rerun takes no other group's time
                    log.info("planner.screen_retry_skipped", candidate=candidate.description, why=self._share.why)
                    break
                log.info("planner.screen_retry", candidate=candidate.description, tier=tier.name,
                         timeout=round(again.timeout, 1))
                report, result = yield from self._screen_run(screen, candidate, again, held)
                screen.retried(result)
                again = screen.retry(again, result)
            if not tier.case_limit and report is not None:
                alone = report
            if result.ran_nothing:
                log.info("planner.tier_passed_over", tier=tier.name, exit_code=report and report.exit_code,
                         output=(report.log if report else "")[-300:])
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
        fb = yield Edit(phase=Phase.PATCH, rationale="revert the candidate",
                        patch=_reverse(candidate))
        if not fb.ok:
            raise ApplyError(f"could not revert a candidate: {fb.decision.reason}")
        if result.plausible and report is not None and report.structured:
            self._suites[candidate.diff()] = report
            if held and alone is not None:
                self._alone[candidate.diff()] = alone
        return result

    def _stale(self, screen: Screen, result: ScreenResult) -> Generator[Proposal, Feedback, bool]:
        """Whether tests a candidate broke fail with no candidate applied too, now that the
        reproduction's files are there: the baseline ran before them (a test listing its
        directory). The whole suite runs so once a session; the tests set aside there
        (``Screen.rebaseline``) are screened again with the candidate when it broke any."""
        if not self.scaffolding or not result.broke or screen.rebaselined:
            return False
        fb = yield RunTests(phase=Phase.PATCH, timeout=screen.timeout, leave_out=screen.leave_out,
                            rationale="the whole suite with no candidate applied, the reproduction in place")
        stale = screen.rebaseline(fb.outcome.report if fb.outcome else None)
        if stale:
            log.info("planner.stale_baseline", tests=stale, scaffolding=self.scaffolding)
        return bool(set(stale) & set(result.broke))

    def _recheck(self, screen: Screen, candidate: Candidate, tier: Tier, alone: Tier,
                 report: TestReport | None, result: ScreenResult, held: bool = False
                 ) -> Generator[Proposal, Feedback, tuple[TestReport | None, ScreenResult]]:
        """The tests ``candidate`` broke in ``tier``, run alone: if they pass there, they are
        flaky, and ``tier`` is judged again without them: its run as it is, when that run went
        to its end (a whole suite may take many minutes), else run again."""
        fb = yield RunTests(phase=Phase.PATCH, tests=tuple(alone.tests), timeout=alone.timeout,
                            case_limit=alone.case_limit, rationale=f"recheck {candidate.template}: {alone.name}")
        flaky = screen.passed_alone(fb.outcome.report if fb.outcome else None, alone.tests)
        if not flaky:
            return report, result
        log.info("planner.flaky", candidate=candidate.description, tests=flaky)
        again = replace(tier, max_failures=None if tier.max_failures is None else tier.max_failures + len(flaky))
        if report is not None and screen.ran_to_end(tier, report):
            return report, screen.judge(again, report, candidate.obsolete, held)
        return (yield from self._screen_run(screen, candidate, again, held))

    def _screen_run(self, screen: Screen, candidate: Candidate, tier: Tier,
                    held: bool = False) -> Generator[Proposal, Feedback, tuple[TestReport | None, ScreenResult]]:
        # a run that can only reject the candidate ends with its try's share; a candidate that
        # fixed its targets is judged to the end of its run
        timeout = tier.timeout if held or self._share is None else self._share.bound(tier.timeout)
        fb = yield RunTests(phase=Phase.PATCH, tests=tuple(tier.tests), timeout=timeout,
                            max_failures=tier.max_failures, case_limit=tier.case_limit, leave_out=tier.leave_out,
                            rationale=f"screen {candidate.template}: {tier.name}")
        report = fb.outcome.report if fb.outcome else None
        return report, screen.judge(tier, report, candidate.obsolete, held)

    def _evidence(self, baseline: TestReport, targets: list[str],
                  locations: list[Location]) -> Evidence:
        """What the choice among plausible patches weighs: the failing tests' own sources."""
        files = {test_id_file(t) for t in targets}
        failing = {path: text for path, text in read_sources(self.workspace, self.language,
                                                             tests=True).items() if path in files}
        return Evidence(votes=self._votes, locations=locations, coverage=self._coverage,
                        passing=baseline.passing, test_sources=failing)

    def _verify(self, ranked: list[Ranked], baseline: TestReport, targets: list[str]) -> Plan:
        best = ranked[0].candidate
        fb = yield Edit(phase=Phase.VERIFY, patch=best.diff(), rationale=f"apply {best.description}")
        if not fb.ok:
            reason = fb.decision.reason if not fb.decision.accepted else fb.outcome and fb.outcome.detail
            yield from self._stop(SessionStatus.NOT_FIXED, f"the chosen patch could not be applied again: "
                                  f"{reason}", failing_before=targets, failing_after=targets)
            return
        # screening already ran the whole suite with it, as the baseline ran (never the warm
        # runner): that run stands, and the targets run once more (a second sample of the fix),
        # unless the budget left cannot hold their run: then screening's run of them stands too.
        # A command judged by its exit status alone runs again.
        suite, alone = self._suites.get(best.diff()), self._alone.get(best.diff())
        left = self.seconds_left() if self.seconds_left is not None else math.inf
        once = []
        if suite and alone and left < VERIFY_MARGIN * alone.duration:
            log.info("planner.verified_once", candidate=best.description, took=round(alone.duration),
                     left=round(left))
            report: TestReport | None = alone
            once = [f"the targets ran once with the patch ({alone.duration:.0f} s, with no per-test limit): "
                    f"the {max(0.0, left):.0f} s left of the session's budget could not hold a second run"]
        else:
            fb = yield RunTests(phase=Phase.VERIFY, tests=tuple(targets) if suite else (), case_limit=not suite,
                                leave_out=self._screen.leave_out if self._screen else (),
                                rationale="confirm the targets again" if suite else "confirm on the whole suite")
            report = fb.outcome.report if fb.outcome else None
        if suite and report is not None and not report.timed_out and not report.tests:
            log.info("planner.verify_passed_over", exit_code=report.exit_code, output=report.log[-300:])
            report = suite  # the runner refused the targets' ids (as screening passes such a tier over)
        statuses = collected(report, same_tests(report.tests, baseline.tests), targets, baseline) \
            if report else {}
        still = [t for t in targets if statuses.get(t) != TestStatus.PASSED]
        flaky, stale = (self._screen.flaky, self._screen.stale) if self._screen else ([], [])
        broken = [] if suite else [t for t in baseline.passing
                                   if statuses.get(t) != TestStatus.PASSED and t not in flaky]
        self.best = best
        if still or broken or report is None or report.timed_out:
            yield from self._stop(SessionStatus.NOT_FIXED, "the patch did not hold when verified",
                                  failing_before=targets, failing_after=sorted({*still, *broken}))
            return
        report = suite or report
        concerns = [*ranked[0].concerns, *once, *(f"{t} no longer passes: the reproduction restates it with new "
                                           "expectations" for t in self.restated
                                           if report.tests.get(t) != TestStatus.PASSED),
                    *(f"{t} no longer passes: the reproduction's own test, which passed before any fix"
                      for t in self.unproven if report.tests.get(t) != TestStatus.PASSED),
                    *(f"{t} failed in a run with the patch and passed alone: flaky" for t in flaky
                      if t not in self._unsteady),
                    *(f"{t} does not pass, nor did it with no patch applied (in the coverage run, after "
                      "the baseline): flaky" for t in self._unsteady
                      if not self.scaffolding and report.tests.get(t) != TestStatus.PASSED),
                    *(f"{t} does not pass with the reproduction's file in place, with or without the patch"
                      for t in stale if report.tests.get(t) != TestStatus.PASSED)]
        if concerns:
            log.info("planner.concerns", candidate=best.description, concerns=concerns)
        self._ledger.close("fixed", "")
        for other in self._groups:  # one fault may fail tests of several causes
            if other.kind == "target" and other.outcome != "fixed" and all(
                    report.tests.get(t) == TestStatus.PASSED for t in other.tests):
                other.outcome, other.why = "fixed", "passes with the patch made for another group"
        fixed = list(dict.fromkeys(t for g in self._groups if g.outcome == "fixed" for t in g.tests))
        yield from self._stop(SessionStatus.FIXED, best.description, patch=best.diff(),
                              failing_before=fixed or targets, failing_after=[], concerns=concerns,
                              alternatives=[Alternative(description=r.candidate.description,
                                                        patch=r.candidate.diff(), concerns=r.concerns)
                                            for r in ranked[1:]])


def _unsteady(baseline: TestReport, run: TestReport | None, known: Sequence[str], room: int) -> list[str]:
    """The baseline-passing tests (``known`` apart) that ``run``, made with no candidate applied
    like the baseline, reported not passing; none when they are more than ``room``: no flakes
    but a run gone wrong (the coverage tracer broke it)."""
    if run is None or run.timed_out:
        return []
    statuses = same_tests(run.tests, baseline.tests)
    found = [t for t in baseline.passing if t not in known and statuses.get(t, TestStatus.PASSED) != TestStatus.PASSED]
    if found:
        log.info("planner.unsteady", tests=found, set_aside=len(found) <= room)
    return found if len(found) <= room else []


def _obsolete_checked(candidate: Candidate, broken: Sequence[str]) -> Candidate:
    """``candidate`` with only the tests it may call obsolete: those it broke in screening
    (``planners.verify.obsolete.accepted``)."""
    kept = accepted(candidate.obsolete, broken)
    log.info("planner.obsolete", candidate=candidate.description, named=list(candidate.obsolete),
             accepted=list(kept))
    return candidate.model_copy(update={"obsolete": kept})


def _reverse(candidate: Candidate) -> str:
    return "".join(unified_diff(c.path, c.patched, c.original) for c in candidate.changes())
