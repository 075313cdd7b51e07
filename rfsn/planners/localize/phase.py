"""The localize phase of the plan: where the targets' fault is, from per-test coverage (a focused
run first, the whole suite when the focus is flat) and the targets' output (their stack frames,
the functions they call, the definitions their errors name, the values they quote)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from rfsn.buildpacks.testfiles import is_test_code
from rfsn.models import Phase, RunTests, TestReport, TestStatus
from rfsn.observability.logging import get_logger
from rfsn.planners.base import Plan
from rfsn.planners.code.location import Location
from rfsn.planners.code.sources import read_sources
from rfsn.planners.code.testids import left_out, located, same_tests
from rfsn.planners.localize import rank, traceback_boosts, traceback_frames, written_values
from rfsn.planners.localize.callees import callee_locations
from rfsn.planners.localize.control import with_control_dependence
from rfsn.planners.localize.data import with_data_dependence
from rfsn.planners.localize.definitions import with_callees, with_definitions
from rfsn.planners.localize.focus import focus_tests, is_flat
from rfsn.planners.localize.reach import with_reach
from rfsn.planners.localize.signatures import callee_definitions, ran_project
from rfsn.planners.localize.stacktrace import localize_from_output, rank_frames, stack_frames
from rfsn.planners.localize.tracebacks import output_of

log = get_logger(__name__)

RANKED_LOGGED = 100  # locations the localized event lists, best first (a benchmark reads a fault's rank)
Coverage = dict[str, dict[str, list[int]]]


def _localized(by: str, locations: list[Location]) -> list[Location]:
    log.info(
        "planner.localized",
        by=by,
        locations=len(locations),
        top=[f"{loc.file}:{loc.line}" for loc in locations[:5]],
        ranked=[f"{loc.file}:{loc.line}" for loc in locations[:RANKED_LOGGED]],
    )
    return locations


def _dependent(
    ranked: list[Location],
    sources: Mapping[str, str],
    then: Callable[[list[Location], Mapping[str, str]], list[Location]] = lambda loc, _: loc,
) -> list[Location]:
    """``ranked`` with what its top lines depend on: the conditions governing them, the writers of
    what they read (``then``: a further step, as callees), and the import-time definitions."""
    return with_definitions(
        then(with_data_dependence(with_control_dependence(ranked, sources), sources), sources), sources
    )


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


class Localizer:
    """The localizations of one plan, sharing what each measured: a later group's focus the
    coverage of an earlier run held is not measured again."""

    def __init__(
        self,
        workspace: Path,
        language: str,
        workdir: str,
        formula: str,
        *,
        reads_code: bool,
        seconds_left: Callable[[], float] | None,
        max_unsteady: int,
    ) -> None:
        """``reads_code``: the strategy reads the code (the focused evidence stands as it is);
        ``max_unsteady``: the most unsteady tests set aside before a run counts as gone wrong."""
        self.workspace, self.language, self.workdir, self.formula = workspace, language, workdir, formula
        self.reads_code, self.seconds_left, self.max_unsteady = reads_code, seconds_left, max_unsteady
        #: the coverage the plan reads now (the last localization's, or the search screened last)
        self.coverage: Coverage = {}
        #: the localizations' measurements: the tests each ran (none: the suite) and what it measured
        self.measurements: list[tuple[frozenset[str] | None, Coverage]] = []
        #: baseline-passing tests that did not pass in the coverage run, with no candidate
        #: applied either: flaky (a hash seed, the load), or, in an issue-only session, stale
        #: (that run came after the reproduction was written): never a candidate's doing
        self.unsteady: list[str] = []

    def _measuring_clock(self, measuring: float | None) -> Callable[[], float | None]:
        """Seconds left of ``measuring``, counted from now on the session's clock (none: no bound)."""
        if measuring is None or self.seconds_left is None:
            return lambda: measuring
        clock, start = self.seconds_left, self.seconds_left()
        return lambda: measuring - (start - clock())

    def _measured(self, subset: Sequence[str] | None) -> Coverage | None:
        """Per-test coverage an earlier localization measured for every test of ``subset`` (none:
        the suite), or None."""
        for tests, coverage in self.measurements:
            if tests is None or (subset is not None and tests.issuperset(subset)):
                return coverage
        return None

    def localize(
        self, baseline: TestReport, targets: list[str], measuring: float | None = None
    ) -> Plan[list[Location]]:
        """Where ``targets`` fail, best first (their coverage measured within ``measuring`` seconds)."""
        targets = located(targets, baseline.failing)
        focus = focus_tests(targets, baseline.passing, baseline.duration)
        # a model reading the repository takes the focused evidence as it is: sharpening it
        # would cost a whole-suite run
        wider = () if self.reads_code else (None,)
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
                measured = yield from self._measure(baseline, targets, subset, within)
                coverage = measured.coverage if measured else None
                if measured and coverage is None:  # the runner measures none: the suite would not either
                    self.coverage = {}
                    break
            self.coverage = coverage or {}
            if not coverage:
                continue
            if not any(ran_project(coverage.get(t, {})) for t in targets):  # the targets died before
                break  # running a line of the project (a panic ends a Go test binary, a call stopped
                # at its callee's signature): their stacks and errors say where
            found = self._ranked(baseline, targets, coverage, subset, subset is subsets[-1])
            if found is None:  # no passing test to tell the fault's lines from those every test
                continue  # runs (Go's ids name no file to focus on)
            ranked, sources = found
            # a flat ranking still orders what coverage saw when no wider run will sharpen it
            if (
                subset is None
                or not is_flat(ranked)
                or (subset is subsets[-1] and any(loc.score > 0 for loc in ranked))
            ):
                return _localized("coverage", _dependent(ranked, sources))
            if any(loc.score > 0 for loc in ranked):
                flat = _dependent(ranked, sources)
        files = read_sources(self.workspace, self.language)
        return _localized("stack frames", _dependent(self.frames(baseline, targets), files, with_callees))

    def _measure(
        self, baseline: TestReport, targets: list[str], subset: tuple[str, ...] | None, within: float | None
    ) -> Plan[TestReport | None]:
        """The coverage run of ``subset`` (none: the suite). The measuring time bounds the run
        itself too: one cut short leaves the ranking to what was measured before it, or to the
        stack frames."""
        fb = yield RunTests(
            phase=Phase.LOCALIZE,
            coverage=True,
            tests=subset or (),
            leave_out=left_out(baseline, targets),
            timeout=None if within is None else max(1.0, within),
            measure_within=None if within is None else max(1.0, within),
            rationale="per-test line coverage for spectrum-based localization"
            + (" (failing tests and their files' tests first)" if subset else ""),
        )
        measured = fb.outcome.report if fb.outcome and fb.outcome.report else None
        self.unsteady += _unsteady(
            baseline, measured, [*targets, *self.unsteady], room=self.max_unsteady - len(self.unsteady)
        )
        if measured and measured.coverage:
            self.measurements.append((None if subset is None else frozenset(subset), measured.coverage))
        return measured

    def _ranked(
        self, baseline: TestReport, targets: list[str], coverage: Coverage, subset: Sequence[str] | None, last: bool
    ) -> tuple[list[Location], dict[str, str]] | None:
        """The lines ``coverage`` ranks, with the targets' output as evidence, and the sources read;
        none when a focused run (not the ``last``) covered no passing test."""
        failed = output_of(baseline.log, targets)
        boosts = traceback_boosts(traceback_frames(failed, root=self.workdir))
        sources, tested = (read_sources(self.workspace, self.language, tests=t) for t in (False, True))
        # targets whose coverage holds no line of the project (a test stopped before it ran
        # any) add their stack frames in its source, as targets with no coverage at all are
        # localized by them
        blind = [t for t in targets if not ran_project(coverage.get(t, {}))]
        frames = rank_frames(self.source_frames(baseline, blind, sources), exclude_tests=True) if blind else []
        for loc in [*callee_definitions(failed, sources), *written_values(failed, sources, tested, targets), *frames]:
            boosts[(loc.file, loc.line)] = max(boosts.get((loc.file, loc.line), 0.0), loc.score)
        by_test = {t: {f: set(lines) for f, lines in files.items()} for t, files in coverage.items()}
        covered = [t for t in baseline.passing if t in by_test] if subset else baseline.passing
        if subset and not covered and not last:
            return None
        return with_reach(
            rank(by_test, targets, covered, self.formula, boosts), sources, tested, targets, keep=boosts
        ), sources

    def _output(self, baseline: TestReport, targets: Sequence[str]) -> str:
        """The targets' tracebacks, not the other failures', and first the stacks of their crashes."""
        stacks = [c.stack for c in baseline.crashes if c.test in targets]
        return "\n".join([*stacks, output_of(baseline.log, targets)])

    def source_frames(
        self, baseline: TestReport, targets: list[str], sources: Mapping[str, str]
    ) -> list[tuple[str, int]]:
        """The targets' stack frames in the project's source, where none of them ran a line of
        it in the coverage measured (else none: coverage says where they point)."""
        if any(ran_project(self.coverage.get(t, {})) for t in targets):
            return []
        return [
            (path, line)
            for path, line in stack_frames(self._output(baseline, targets), self.workdir, sources)
            if path in sources and not is_test_code(path, line, sources)
        ]

    def frames(self, baseline: TestReport, targets: list[str]) -> list[Location]:
        """Where the targets' output says they failed: their stack frames, the functions they
        call, the definitions their errors name and the values they quote, summed per line."""
        files = read_sources(self.workspace, self.language)
        tests = read_sources(self.workspace, self.language, tests=True)
        evidence: dict[tuple[str, int], float] = {}
        output = self._output(baseline, targets)
        for found in (
            localize_from_output(output, files, targets, root=self.workdir),
            callee_locations(output, files, tests, root=self.workdir),
            callee_definitions(output, files),
            written_values(output, files, tests, targets),
        ):
            for loc in found:
                evidence[(loc.file, loc.line)] = evidence.get((loc.file, loc.line), 0.0) + loc.score
        merged = sorted(evidence.items(), key=lambda item: (-item[1], item[0]))
        return [Location(path, line, score) for (path, line), score in merged]
