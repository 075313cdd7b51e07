"""Groups whose localizations agree are one try, weighing as the sum of what it holds; groups
that do not agree weigh as one each."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from rfsn.models import Finish, Phase, Proposal, RunTests, SessionStatus
from rfsn.planners.base import Feedback, RepairContext
from rfsn.planners.localize.agreement import agreeing, pointed
from rfsn.planners.meta import PhasePlanner, PlanOptions
from tests.planners.test_meta import FIX_ADD, SOURCE, T_MUL, T_OK, F, P, World, candidate, ran, report

ADDS = [f"tests/test_m.py::test_add_{n}" for n in range(3)]
LOG = "".join(
    f"FAILED {t} - AssertionError: {word} differs\n"
    for t, word in zip([*ADDS, T_MUL], ["range", "step", "bound", "timing"], strict=True)
)


class CoveredWorld(World):
    """Each test covers the function it calls: ``add``'s tests lines 1-2, ``mul``'s 5-6."""

    def answer(self, proposal: Proposal) -> Feedback:
        if isinstance(proposal, RunTests) and proposal.phase is Phase.REPRODUCE:
            return ran(report(self.baseline, log=LOG))
        if isinstance(proposal, RunTests) and proposal.coverage:
            lines = {t: [5, 6] if t == T_MUL else [1, 2, 5, 6] if t == T_OK else [1, 2] for t in self.baseline}
            return ran(report(self.baseline, coverage={t: {"m.py": v} for t, v in lines.items()}))
        return super().answer(proposal)


class LateFixForAdd:
    """For every try holding an ``add`` test, the same 40 wrong candidates, then its fix."""

    name = "late"

    def candidates(self, context: RepairContext) -> Iterable[object]:
        if context.failing == [T_MUL]:
            return iter([candidate("a + b", "a + b + 0", "wrong mul")])
        return iter([*(candidate("a - b", f"a - b - {n}", f"wrong {n}") for n in range(40)), FIX_ADD])


def test_groups_whose_localizations_agree_are_one_try_weighing_what_they_hold_cron_bc59245_off_by_one(
    tmp_path: Path,
) -> None:
    """One fault failing tests with many messages is one try with the shares of all its groups
    (cron bc59245's off-by-one: 24 failures in 15 groups; the groups together ranked the seed 1st
    but weighed as one group, 28 s of 600, and the fix found before was lost)."""
    (tmp_path / "m.py").write_text(SOURCE)
    world = CoveredWorld({**dict.fromkeys([*ADDS, T_MUL], F), T_OK: P}, {"fix add": dict.fromkeys(ADDS, P)})
    planner = PhasePlanner(
        LateFixForAdd(),  # type: ignore[arg-type]
        tmp_path,
        PlanOptions(language="python", workdir=str(tmp_path)),
        steps_left=lambda: 330 - len(world.proposals),
    )
    with capture_logs() as events:
        assert isinstance(world.run(planner, limit=330)[-1], Finish)
    verdict = planner.verdict()
    tries = [(e["cause"], e["tests"], e["share_steps"]) for e in events if e["event"] == "planner.group"]
    assert tries[0][:2] == ("the 4 groups of no environment's shape together", 4)
    cause, tests, steps = tries[1]
    assert (cause, tests) == ("the 3 groups whose localizations agree together", 3)
    assert tries[0][2] == pytest.approx(328 / 5)  # two baseline runs in: one group's weight of 5
    assert steps > 2.5 * tries[0][2]  # 3 of the 4 weights still to come (the 3 and mul's group)
    assert verdict.status is SessionStatus.FIXED, verdict.message
    assert sorted(verdict.failing_before) == ADDS
    held = next(g for g in verdict.groups if g.cause == cause)
    assert held.outcome == "fixed" and held.evidence == ["their localizations agree: one fault"]
    assert [g.outcome for g in verdict.groups if g.tests == [T_MUL]] == ["left"]  # in the 4 together only


def test_groups_agree_by_the_function_holding_their_top_lines_and_a_flat_ranking_agrees_with_none() -> None:
    from rfsn.models import FailureGroup

    def g(name: str) -> FailureGroup:
        return FailureGroup(cause=name, tests=[name], kind="target")

    source = "def add(a, b):\n    c = a\n    return c - b\n\n\ndef mul(a, b):\n    return a + b\n"
    coverage = {
        "a1": {"m.py": [1, 2]},
        "a2": {"m.py": [1, 3]},
        "m": {"m.py": [6, 7]},
        "flat": {"m.py": list(range(1, 30))},
        "ok": {"m.py": [1, 2, 3, 6, 7]},
    }
    groups = [g("a1"), g("m"), g("a2"), g("flat"), g("unmeasured")]
    sets = agreeing([(x, pointed(x.tests, coverage, ["ok"], {"m.py": source}, "python")) for x in groups])
    assert [[x.cause for x in s] for s in sets] == [["a1", "a2"]]


PAIRED = [f"tests/test_m.py::test_cmp_{n}" for n in range(2)]
PARTIAL = candidate("a - b", "a - b - 0 * b", "partial")  # not a number added: no doubt (fitted.adjusted)


class SplitWorld(World):
    """``add``'s two tests fail alike and cover ``add``; ``mul``'s test covers both functions,
    as the passing test does: its localization points at neither."""

    def answer(self, proposal: Proposal) -> Feedback:
        if isinstance(proposal, RunTests) and proposal.phase is Phase.REPRODUCE:
            log = "".join(f"FAILED {t} - AssertionError: order differs\n" for t in PAIRED)
            return ran(report(self.baseline, log=log + f"FAILED {T_MUL} - AssertionError: sign differs\n"))
        if isinstance(proposal, RunTests) and proposal.coverage:
            lines = {t: [1, 2] if t in PAIRED else [1, 2, 5, 6] for t in self.baseline}
            return ran(report(self.baseline, coverage={t: {"m.py": v} for t, v in lines.items()}))
        return super().answer(proposal)


class ByGroup:
    name = "by-group"

    def candidates(self, context: RepairContext) -> Iterable[object]:
        if context.failing == [T_MUL]:
            return iter([PARTIAL])
        return iter([FIX_ADD] if sorted(context.failing) == PAIRED else [candidate("a + b", "a + b + 1", "wrong")])


def test_a_fix_of_one_group_leaving_groups_agreeing_with_it_failing_does_not_end_the_session_semver_f2c23f6(
    tmp_path: Path,
) -> None:
    """A plausible patch for one group is checked against the groups agreeing with it, those
    pointing at the function it edits (semver f2c23f6: a patch on the seed's line passing a
    2-test group ended the session while 19 of the 23 failures, of groups agreeing on
    ``compare``, still failed)."""
    (tmp_path / "m.py").write_text(SOURCE)
    world = SplitWorld(
        {**dict.fromkeys([*PAIRED, T_MUL], F), T_OK: P},
        {"partial": {T_MUL: P}, "fix add": {T_MUL: P, **dict.fromkeys(PAIRED, P)}},
    )
    planner = PhasePlanner(
        ByGroup(),  # type: ignore[arg-type]
        tmp_path,
        PlanOptions(language="python", workdir=str(tmp_path)),
        steps_left=lambda: 200 - len(world.proposals),
    )
    with capture_logs() as events:
        world.run(planner, limit=200)
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.FIXED, verdict.message
    assert "a + b" in verdict.patch and sorted(verdict.failing_before) == sorted([*PAIRED, T_MUL])
    left = next(e for e in events if e["event"] == "planner.fix_leaves_agreeing")
    assert (left["candidate"], left["failing"]) == ("partial", PAIRED)
    mul = next(g for g in verdict.groups if g.tests == [T_MUL])
    assert mul.outcome == "fixed" and mul.why == "passes with the patch made for another group"


def test_a_fix_of_one_group_is_kept_when_no_try_fixes_the_groups_agreeing_with_it(tmp_path: Path) -> None:
    class Partial(ByGroup):
        def candidates(self, context: RepairContext) -> Iterable[object]:
            return iter([PARTIAL] if context.failing == [T_MUL] else [candidate("a + b", "a + b + 1", "wrong")])

    (tmp_path / "m.py").write_text(SOURCE)
    world = SplitWorld({**dict.fromkeys([*PAIRED, T_MUL], F), T_OK: P}, {"partial": {T_MUL: P}})
    planner = PhasePlanner(
        Partial(),  # type: ignore[arg-type]
        tmp_path,
        PlanOptions(language="python", workdir=str(tmp_path)),
        steps_left=lambda: 200 - len(world.proposals),
    )
    world.run(planner, limit=200)
    verdict = planner.verdict()
    assert (verdict.status, verdict.message, verdict.failing_before) == (SessionStatus.FIXED, "partial", [T_MUL])
    mul = next(g for g in verdict.groups if g.tests == [T_MUL])
    assert (mul.outcome, mul.candidates) == ("fixed", 1)


#: test_mul's failure section: it ran no line of the project under coverage (its own file only),
#: and its traceback ends in ``add``
BLIND_LOG = LOG + (
    "=================================== FAILURES ===================================\n"
    "___________________________________ test_mul ___________________________________\n"
    "tests/test_m.py:9: in test_mul\n    assert mul(2, 3) == 6\nm.py:2: in add\n    return a - b\n"
    "E   AssertionError: timing differs\n"
)


class BlindWorld(CoveredWorld):
    """``add``'s tests cover ``add``; ``mul``'s test covers only its own file."""

    def answer(self, proposal: Proposal) -> Feedback:
        if isinstance(proposal, RunTests) and proposal.phase is Phase.REPRODUCE:
            return ran(report(self.baseline, log=BLIND_LOG))
        if isinstance(proposal, RunTests) and proposal.coverage:
            lines = {
                t: {"tests/test_m.py": [9]} if t == T_MUL else {"m.py": [1, 2, 5, 6] if t == T_OK else [1, 2]}
                for t in self.baseline
            }
            return ran(report(self.baseline, coverage=lines))
        return super().answer(proposal)


def test_a_group_whose_coverage_holds_no_project_line_points_where_its_stack_frames_do_cron_bc59245_operator(
    tmp_path: Path,
) -> None:
    """A group whose tests ran no line of the project points at the function of its first stack
    frame in the project's source, as such a group is localized, and agrees with the groups
    pointing there (cron bc59245's operator seed: a failing group whose coverage held no project
    line pointed nowhere)."""
    (tmp_path / "m.py").write_text(SOURCE)
    world = BlindWorld({**dict.fromkeys([*ADDS, T_MUL], F), T_OK: P}, {"fix add": dict.fromkeys([*ADDS, T_MUL], P)})
    planner = PhasePlanner(
        LateFixForAdd(),  # type: ignore[arg-type]
        tmp_path,
        PlanOptions(language="python", workdir=str(tmp_path)),
        steps_left=lambda: 330 - len(world.proposals),
    )
    with capture_logs() as events:
        world.run(planner, limit=330)
    (agree,) = [e for e in events if e["event"] == "planner.groups_agree"]
    assert agree["sets"] == [4] and agree["of"] == 4, agree
    assert pointed([T_MUL], {T_MUL: {"tests/test_m.py": [9]}}, [T_OK], {"m.py": SOURCE}, "python") == ""
    assert (
        pointed([T_MUL], {T_MUL: {"tests/test_m.py": [9]}}, [T_OK], {"m.py": SOURCE}, "python", frames=[("m.py", 2)])
        == "m.py:add@1"
    )
