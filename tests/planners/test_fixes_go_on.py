"""Once one group's patch settles the session, the tries of the groups it leaves failing (of no
environment's shape) go on, and the fixes found are verified together as the session's patch."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rfsn.models import Edit, FailureGroup, SessionStatus, TestReport
from rfsn.planners.base import RepairContext, Verdict
from rfsn.planners.code.candidates import Candidate
from rfsn.planners.meta import PhasePlanner, PlanOptions
from rfsn.planners.spending import Try, going_on
from rfsn.planners.verify.choice import Ranked, together
from tests.planners.test_group_shares import LOG
from tests.planners.test_meta import FIX_ADD, FIX_MUL, SOURCE, T_ADD, T_MUL, T_OK, WRONG, F, P, World, candidate

BOTH = f"{FIX_ADD.description}; and {FIX_MUL.description}"


class EachItsOwn:
    """Each group alone gets its fix; the groups together a wrong candidate."""

    name = "each"

    def candidates(self, context: RepairContext) -> Iterable[Candidate]:
        if T_ADD in context.failing and T_MUL in context.failing:
            return iter([candidate("a - b", "a * b", "wrong add")])
        return iter([FIX_ADD if T_ADD in context.failing else FIX_MUL])


def finished(world: World, tmp_path: Path) -> tuple[Verdict, World]:
    (tmp_path / "m.py").write_text(SOURCE)
    planner = PhasePlanner(
        EachItsOwn(),  # type: ignore[arg-type]
        tmp_path,
        PlanOptions(language="python", workdir="/testbed"),
        steps_left=lambda: 200 - len(world.proposals),
    )
    world.run(planner, limit=200)
    return planner.verdict(), world


def test_the_groups_a_fix_leaves_failing_are_tried_and_the_fixes_verified_together_pyparsing_seed_27(
    tmp_path: Path,
) -> None:
    """pyparsing's seed 27: a patch for a group that failed before the seed settled the session,
    and the seed's own groups, tried only with the others, were never tried alone."""
    fixes = {FIX_ADD.description: {T_ADD: P}, FIX_MUL.description: {T_MUL: P}, BOTH: {T_ADD: P, T_MUL: P}}
    verdict, world = finished(World({T_ADD: F, T_MUL: F, T_OK: P}, fixes, log=LOG), tmp_path)
    assert verdict.status is SessionStatus.FIXED and verdict.message == BOTH
    assert "a + b" in verdict.patch and "a * b" in verdict.patch
    assert sorted(verdict.failing_before) == [T_ADD, T_MUL]
    _, add, mul = verdict.groups
    assert (add.outcome, add.why, mul.outcome) == ("fixed", "", "fixed")
    assert mul.why == f"its patch is part of the session's: {BOTH}"
    assert [p.rationale for p in world.proposals if isinstance(p, Edit)][-1] == f"apply {BOTH}"


def test_fixes_that_do_not_hold_together_leave_the_first_alone(tmp_path: Path) -> None:
    fixes = {FIX_ADD.description: {T_ADD: P}, FIX_MUL.description: {T_MUL: P}}  # together: nothing passes
    verdict, world = finished(World({T_ADD: F, T_MUL: F, T_OK: P}, fixes, log=LOG), tmp_path)
    assert verdict.status is SessionStatus.FIXED and verdict.message == FIX_ADD.description
    assert verdict.patch == FIX_ADD.diff()
    applied = [p.rationale for p in world.proposals if isinstance(p, Edit)][-3:]
    assert applied == [f"apply {BOTH}", "revert the joined patches", f"apply {FIX_ADD.description}"]
    mul = verdict.groups[2]
    assert mul.outcome == "left" and mul.why.endswith(
        "not in the session's patch: with the first group's it did not hold when verified"
    )


def test_only_groups_of_no_environments_shape_the_fix_leaves_failing_go_on() -> None:
    shaped = FailureGroup(cause="OSError: Network is unreachable", tests=["t::net"], kind="target", shape="the network")
    passing = FailureGroup(cause="assert 1 == 2", tests=["t::a"], kind="target")
    failing = FailureGroup(cause="assert 3 == 4", tests=["t::b", "t::c"], kind="target")
    turns = [Try(shaped, 0.5, shaped=True), *(Try(g, 1.0) for g in (passing, failing))]
    suite = TestReport(tests={"t::net": F, "t::a": P, "t::b": P, "t::c": F})
    assert [t.group for t in going_on(turns, suite)] == [failing]
    assert [t.group for t in going_on(turns, None)] == [passing, failing]  # no run of the suite: all


class EndlessForMul(EachItsOwn):
    def candidates(self, context: RepairContext) -> Iterable[Candidate]:
        if T_MUL in context.failing and T_ADD not in context.failing:
            return (candidate("a + b", f"a + b + {n}", f"wrong mul {n}") for n in range(10_000))
        return super().candidates(context)


def test_the_tries_that_go_on_leave_the_budget_verify_needs_pyparsing_seed_27(tmp_path: Path) -> None:
    """The last try that went on took all that was left, and the session ended with no patch."""
    world = World({T_ADD: F, T_MUL: F, T_OK: P}, {FIX_ADD.description: {T_ADD: P}}, log=LOG)
    (tmp_path / "m.py").write_text(SOURCE)
    planner = PhasePlanner(
        EndlessForMul(),  # type: ignore[arg-type]
        tmp_path,
        PlanOptions(language="python", workdir="/testbed"),
        steps_left=lambda: 120 - len(world.proposals),
    )
    world.run(planner, limit=120)
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.FIXED and verdict.patch == FIX_ADD.diff()
    mul = verdict.groups[2]
    assert mul.outcome == "left" and mul.why.startswith("its share of the budget spent (") and mul.candidates > 10


def test_a_fix_whose_edits_overlap_an_earlier_ones_is_left_out_of_the_joined_patch() -> None:
    joined, kept = together([Ranked(FIX_ADD, ["a"]), Ranked(WRONG, ["b"]), Ranked(FIX_MUL, ["c"])])
    assert kept == [0, 2] and joined is not None and joined.concerns == ["a", "c"]
    assert joined.candidate.description == BOTH
    assert together([Ranked(FIX_ADD, []), Ranked(WRONG, [])]) == (None, [0])
