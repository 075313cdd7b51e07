"""A try of several groups that fixes none puts next, as one try, the groups its best candidate
made a failing test of each pass, and screens that candidate there first: a fault fixed whatever
fails with it for another reason (a test of the platform's calendars beside the bug's)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from structlog.testing import capture_logs

from rfsn.models import FailureGroup, Finish, SessionStatus
from rfsn.planners.base import RepairContext
from rfsn.planners.code.candidates import Candidate
from rfsn.planners.meta import PhasePlanner, PlanOptions
from rfsn.planners.spending import Try, fixed_together
from tests.planners.test_meta import FIX_ADD, SOURCE, T_MUL, T_OK, F, P, World, candidate

ADDS = [f"tests/test_m.py::test_add_{n}" for n in range(3)]
LOG = "".join(
    f"FAILED {t} - AssertionError: {word} differs\n"
    for t, word in zip([*ADDS, T_MUL], ["range", "step", "bound", "calendar"], strict=True)
)


class FixAmongAllOnly:
    """``add``'s fix first in the try of every group (ranked first there), never in a try of fewer
    groups (ranked past what their shares hold); wrong candidates without end after it."""

    name = "all-only"

    def candidates(self, context: RepairContext) -> Iterator[Candidate]:
        if len(context.failing) == 4:
            yield FIX_ADD
        n = 0
        while True:
            yield candidate("a - b", f"a - b - {n}", f"wrong {n}")
            n += 1


def test_the_groups_a_candidate_of_the_try_of_all_fixed_a_test_of_are_tried_next_with_it_luxon_seed_37(
    tmp_path: Path,
) -> None:
    """luxon seed 37: the fix made a test of 7 of the 9 groups pass in the try of all, but two tests of
    ICU's calendars failed with it as without it; the groups alone ranked the line 33rd and past."""
    (tmp_path / "m.py").write_text(SOURCE)
    world = World({**dict.fromkeys([*ADDS, T_MUL], F), T_OK: P}, {"fix add": dict.fromkeys(ADDS, P)}, log=LOG)
    planner = PhasePlanner(
        FixAmongAllOnly(),  # type: ignore[arg-type]
        tmp_path,
        PlanOptions(language="python", workdir=str(tmp_path)),
        steps_left=lambda: 300 - len(world.proposals),
    )
    with capture_logs() as events:
        assert isinstance(world.run(planner, limit=300)[-1], Finish)
    verdict = planner.verdict()
    tries = [(e["cause"], e["tests"]) for e in events if e["event"] == "planner.group"]
    assert tries[:2] == [
        ("the 4 groups of no environment's shape together", 4),
        ("the 3 groups one candidate fixed a test of together", 3),
    ]
    assert verdict.status is SessionStatus.FIXED, verdict.message
    assert verdict.patch == FIX_ADD.diff()
    held = next(g for g in verdict.groups if g.cause == tries[1][0])
    assert held.outcome == "fixed" and held.evidence == ["one candidate made a failing test of each pass: one fault"]


def _try(*tests: str, shaped: bool = False) -> Try:
    return Try(FailureGroup(cause=tests[0], tests=list(tests), kind="target"), 1.0, shaped=shaped)


def test_the_most_groups_one_candidate_fixed_a_test_of_lead_with_every_candidate_that_did_so() -> None:
    a, b, c, env = _try("a1", "a2"), _try("b"), _try("c"), _try("e", shaped=True)
    one, two, three = (candidate("a - b", f"a - b - {n}", f"c{n}") for n in range(3))
    groups: list[FailureGroup] = [FailureGroup(cause="all", tests=["a1", "a2", "b", "c"], kind="target")]
    partial = [(one, frozenset({"b"})), (two, frozenset({"a1", "b", "e"})), (three, frozenset({"a2", "b"}))]
    lead, *rest = fixed_together([a, b, c, env], partial, groups)
    assert lead.holds == (("a1", "a2"), ("b",)) and lead.first == (two, three) and lead.weight == 2.0
    assert rest == [c, env] and groups[1] is lead.group
    alone, *others = fixed_together([a, b, c], [(one, frozenset({"b"}))], groups[:1])
    assert alone.group is b.group and alone.first == (one,) and others == [a, c]


def test_a_candidate_that_fixed_a_test_of_every_group_or_of_none_changes_no_try() -> None:
    a, b, env = _try("a"), _try("b"), _try("e", shaped=True)
    turns = [a, b, env]
    every = [(FIX_ADD, frozenset({"a", "b"}))]
    assert fixed_together(turns, every, []) == turns
    assert fixed_together(turns, [(FIX_ADD, frozenset({"e"}))], []) == turns
    assert fixed_together(turns, [], []) == turns
