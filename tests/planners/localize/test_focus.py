"""Large suites: cover the failing tests and their files' tests first, the whole suite only if flat."""

from __future__ import annotations

from pathlib import Path

from rfsn.models import Phase, Proposal, RunTests, TestReport
from rfsn.models import TestStatus as Status
from rfsn.planners.base import Feedback
from rfsn.planners.code.location import Location
from rfsn.planners.code.testids import located
from rfsn.planners.localize.focus import FLAT_TIES, SLOW_SUITE, SMALL_SUITE, focus_tests, is_flat
from tests.planners.test_meta import FIX_ADD, World, planner_for, ran, report

FAILING = "tests/test_m.py::test_add"
NEIGHBOUR = "tests/test_m.py::test_ok"
OTHERS = [f"tests/test_other.py::test_{i}" for i in range(SMALL_SUITE)]


def test_a_small_suite_is_covered_whole() -> None:
    assert focus_tests([FAILING], [NEIGHBOUR]) is None


def test_a_small_suite_that_is_slow_is_focused_too() -> None:
    """sympy-16281: 172 tests took 459 s at baseline, and their coverage run outlasted 900 s."""
    others = [f"tests/test_other.py::test_{i}" for i in range(10)]
    assert focus_tests([FAILING], [NEIGHBOUR, *others], seconds=20.0) is None
    assert focus_tests([FAILING], [NEIGHBOUR, *others], seconds=SLOW_SUITE) == (FAILING, NEIGHBOUR)


def test_a_large_suite_is_focused_on_the_failing_tests_files() -> None:
    assert focus_tests([FAILING], [NEIGHBOUR, *OTHERS]) == (FAILING, NEIGHBOUR)


def test_javascript_ids_are_focused_on_their_files_too() -> None:
    failing, neighbour = "test/m.test.js > add > works", "test/m.test.js > mul"
    others = [f"test/other.test.js > case {i}" for i in range(SMALL_SUITE)]
    assert focus_tests([failing], [neighbour, *others]) == (failing, neighbour)


def test_a_focus_no_smaller_than_the_suite_is_the_suite() -> None:
    same_file = [f"tests/test_m.py::test_{i}" for i in range(SMALL_SUITE)]
    assert focus_tests([FAILING], same_file) is None


def test_flatness() -> None:
    assert is_flat([])
    assert is_flat([Location("m.py", 1, 0.0)])
    assert is_flat([Location("m.py", n, 0.5) for n in range(FLAT_TIES + 1)])
    assert not is_flat([Location("m.py", 1, 1.0), *(Location("m.py", n, 0.5) for n in range(2, 40))])


class CoverageWorld(World):
    """Coverage only for the tests asked for; ``lines`` decides what the failing test runs."""

    def __init__(self, lines: list[int]) -> None:
        baseline = {FAILING: Status.FAILED, NEIGHBOUR: Status.PASSED, **{t: Status.PASSED for t in OTHERS}}
        super().__init__(baseline, {"fix add": {FAILING: Status.PASSED}})
        self.lines = lines

    def answer(self, proposal: Proposal) -> Feedback:
        if isinstance(proposal, RunTests) and proposal.coverage:
            asked = proposal.tests or tuple(self.baseline)
            cov = {t: {"m.py": self.lines if t == FAILING else [5, 6]} for t in asked}
            statuses = {t: s for t, s in self.baseline.items() if t in asked}
            return ran(TestReport.model_validate({**report(statuses).model_dump(), "coverage": cov}))
        return super().answer(proposal)


def coverage_runs(proposals: list[Proposal]) -> list[tuple[str, ...]]:
    return [p.tests for p in proposals if isinstance(p, RunTests) and p.coverage and p.phase is Phase.LOCALIZE]


def test_a_sharp_focused_ranking_skips_the_whole_suite(tmp_path: Path) -> None:
    world = CoverageWorld(lines=[1, 2])
    world.run(planner_for(tmp_path, [FIX_ADD]), limit=50)
    assert coverage_runs(world.proposals) == [(FAILING, NEIGHBOUR)]


def test_a_flat_focused_ranking_covers_the_whole_suite(tmp_path: Path) -> None:
    world = CoverageWorld(lines=list(range(1, FLAT_TIES + 10)))
    world.run(planner_for(tmp_path, [FIX_ADD]), limit=50)
    assert coverage_runs(world.proposals) == [(FAILING, NEIGHBOUR), ()]


def test_pq_a_focus_with_no_passing_test_covers_the_whole_suite(tmp_path: Path) -> None:
    """pq v1.10.9: Go's test ids name no file, so the focus held the failing tests alone and
    their ranking had no passing test to tell the fault's lines from those every test runs."""
    world = CoverageWorld(lines=[1, 2])
    del world.baseline[NEIGHBOUR]
    world.run(planner_for(tmp_path, [FIX_ADD]), limit=50)
    assert coverage_runs(world.proposals) == [(FAILING,), ()]


class NoCoverageWorld(World):
    """A runner that measures no coverage: its reports never carry any."""

    def answer(self, proposal: Proposal) -> Feedback:
        if isinstance(proposal, RunTests) and proposal.coverage:
            asked = proposal.tests or tuple(self.baseline)
            return ran(report({t: s for t, s in self.baseline.items() if t in asked}))
        return super().answer(proposal)


def test_a_runner_that_measures_no_coverage_is_not_asked_again_on_the_whole_suite(tmp_path: Path) -> None:
    """A harness runner (sphinx's tox) reports no coverage: a whole-suite coverage run after the
    focused one would cost the whole suite (minutes) for nothing."""
    world = NoCoverageWorld(
        {FAILING: Status.FAILED, NEIGHBOUR: Status.PASSED, **{t: Status.PASSED for t in OTHERS}},
        {"fix add": {FAILING: Status.PASSED}},
    )
    world.run(planner_for(tmp_path, [FIX_ADD]), limit=50)
    assert coverage_runs(world.proposals) == [(FAILING, NEIGHBOUR)]


def test_a_strategy_that_reads_the_code_takes_a_flat_focused_ranking_as_it_is(tmp_path: Path) -> None:
    """A model reads the repository itself: a whole-suite coverage run to sharpen the evidence
    would cost the whole suite (up to 11 minutes on pytest's own) for a supplement."""
    world = CoverageWorld(lines=list(range(1, FLAT_TIES + 10)))
    planner = planner_for(tmp_path, [FIX_ADD])
    planner.strategy.reads_code = True  # type: ignore[attr-defined]
    world.run(planner, limit=50)
    assert coverage_runs(world.proposals) == [(FAILING, NEIGHBOUR)]
    # and the model is shown that ranking (the output has no frame to fall back on)
    context = planner.strategy.context  # type: ignore[attr-defined]
    assert context is not None and {loc.line for loc in context.locations} >= set(range(1, FLAT_TIES + 10)) - {5, 6}


class BareNameWorld(World):
    """sympy's runner, as the harness's parser reads it: each test both by its bare name and as
    ``path.py:name``, and coverage (contexts of the test functions) for the second only."""

    FILE = "sym/tests/test_m.py"

    def __init__(self) -> None:
        qualified = {
            f"{self.FILE}:test_add": Status.FAILED,
            f"{self.FILE}:test_ok": Status.PASSED,
            **{f"sym/tests/test_other.py:test_{i}": Status.PASSED for i in range(SMALL_SUITE)},
        }
        baseline = {**qualified, **{t.rsplit(":", 1)[1]: s for t, s in qualified.items()}}
        super().__init__(baseline, {"fix add": {f"{self.FILE}:test_add": Status.PASSED, "test_add": Status.PASSED}})

    def answer(self, proposal: Proposal) -> Feedback:
        if isinstance(proposal, RunTests) and proposal.coverage:
            asked = proposal.tests or tuple(self.baseline)
            cov = {t: {"m.py": [1, 2] if t.endswith(":test_add") else [5, 6]} for t in asked if ":" in t}
            statuses = {t: s for t, s in self.baseline.items() if t in asked}
            return ran(TestReport.model_validate({**report(statuses).model_dump(), "coverage": cov}))
        return super().answer(proposal)


def test_a_target_named_bare_is_localized_by_the_coverage_of_its_id_with_a_file(tmp_path: Path) -> None:
    """A dataset names sympy's failing test ``test_add``; the coverage is ``path.py:test_add``'s.
    The target stands for that id: its file's tests are covered first, and its lines rank first
    (before, the bare name had no coverage and nothing was ranked)."""
    world = BareNameWorld()
    planner = planner_for(tmp_path, [FIX_ADD], targets=["test_add"])
    world.run(planner, limit=50)
    assert coverage_runs(world.proposals) == [(f"{world.FILE}:test_add", f"{world.FILE}:test_ok")]
    context = planner.strategy.context  # type: ignore[attr-defined]
    assert context is not None and {(loc.file, loc.line) for loc in context.locations[:2]} == {("m.py", 1), ("m.py", 2)}
    # the strategy is told the id with its file too: many test files define a test_add
    assert context.failing == [f"{world.FILE}:test_add"]


def test_located_keeps_ids_that_name_a_file_and_names_that_no_failing_id_has() -> None:
    failing = ["tests/test_a.py::test_b", "x/test_d.py::test_c", "y/test_e.py:test_c", "test_c"]
    assert located(["tests/test_a.py::test_b", "test_c", "test_gone"], failing) == [
        "tests/test_a.py::test_b",
        "x/test_d.py::test_c",
        "y/test_e.py:test_c",
        "test_gone",
    ]
