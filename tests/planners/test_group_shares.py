"""No target group takes the whole budget before the others are tried: each has a share of what
is left when it starts, and the report says what each spent, where, and how it ended. (A real
project's one-test group took all 2,000 steps while the bug's group was never tried.)"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from rfsn.models import Finish, Phase, Proposal, RunTests, SessionStatus
from rfsn.models import TestStatus as Status
from rfsn.planners.base import Feedback, RepairContext, Verdict
from rfsn.planners.code.candidates import Candidate
from rfsn.planners.meta import PhasePlanner, PlanOptions
from rfsn.planners.spending import Ledger, Share
from tests.planners.test_meta import (
    FIX_ADD,
    FIX_MUL,
    T_ADD,
    T_MUL,
    T_OK,
    F,
    P,
    World,
    candidate,
    ran,
    report,
)

LOG = (
    "FAILED tests/test_m.py::test_add - AssertionError: assert -1 == 3\n"
    "FAILED tests/test_m.py::test_mul - AssertionError: assert 4 != 4\n"
)


class EndlessForAdd:
    """Wrong candidates without end for ``test_add``'s group; the fix for ``test_mul``'s; for the
    two together, one that fixes neither (one that fixed a test of one would put it next)."""

    name = "endless"

    def candidates(self, context: RepairContext) -> Iterable[Candidate]:
        if context.failing == [T_MUL]:
            return iter([FIX_MUL])
        if T_MUL in context.failing:
            return iter([candidate("a + b", "a + b + 0", "wrong mul")])
        return (candidate("a - b", f"a - b - {n}", f"wrong {n}") for n in _count())


def _count() -> Iterator[int]:
    n = 0
    while True:
        yield n
        n += 1


def finished(strategy: object, fixes: dict[str, dict[str, Status]], steps: int, tmp_path: Path) -> Verdict:
    """The verdict of a planner run to its end in ``World`` within ``steps`` steps."""
    world = World({T_ADD: F, T_MUL: F, T_OK: P}, fixes, log=LOG)
    planner = PhasePlanner(
        strategy,  # type: ignore[arg-type]
        tmp_path,
        PlanOptions(language="python", workdir="/testbed"),
        steps_left=lambda: steps - len(world.proposals),
    )
    assert isinstance(world.run(planner, limit=steps)[-1], Finish)
    return planner.verdict()


def test_the_first_group_stops_at_its_share_and_the_next_is_fixed(tmp_path: Path) -> None:
    with capture_logs() as events:
        verdict = finished(EndlessForAdd(), {"fix mul": {T_MUL: P}}, steps=300, tmp_path=tmp_path)
    shares = [e["share_steps"] for e in events if e["event"] == "planner.group"]
    assert shares[0] == pytest.approx(298 / 3) and shares[2] is None  # 2 groups together: 1 of 3; the last: all
    assert verdict.status is SessionStatus.FIXED and verdict.failing_before == [T_MUL]
    together, add, mul = verdict.groups  # the two groups together first: one fault may fail both
    assert (together.tests, together.outcome, together.candidates) == ([T_ADD, T_MUL], "left", 1)
    assert (add.tests, add.outcome, mul.tests, mul.outcome) == ([T_ADD], "left", [T_MUL], "fixed")
    assert add.why.startswith("its share of the budget spent (") and add.why.endswith(" steps)")
    assert add.candidates > 30 and add.locations[0].location == "m.py:2"
    assert add.locations[0].candidates == add.candidates and add.seconds >= add.locations[0].seconds >= 0
    assert (mul.candidates, [s.location for s in mul.locations]) == (1, ["m.py:6"])


def test_a_group_stopped_by_the_session_says_so_and_what_it_spent(tmp_path: Path) -> None:
    world = World({T_ADD: F, T_MUL: F, T_OK: P}, {}, log=LOG)
    planner = PhasePlanner(EndlessForAdd(), tmp_path, PlanOptions(language="python", workdir="/testbed"))  # type: ignore[arg-type]
    for _ in range(40):  # the session's budget ends mid-group: the controller stops asking
        planner.observe(world.answer(planner.next()))
    together, add, mul = planner.groups("the session's step budget spent (40 steps)")
    assert (add.outcome, add.why, add.candidates > 5) == ("left", "the session's step budget spent (40 steps)", True)
    assert together.candidates + add.candidates == planner.candidates_tried  # the one it was screening counts
    assert (mul.outcome, mul.candidates, mul.seconds) == ("left", 0, 0.0)  # in the groups together only
    assert mul.why == (
        'tried only with others, in "the 2 groups of no environment\'s shape together" '
        "(no plausible patch among 1 candidates); not alone: the session's budget ended before its turn"
    )


def test_a_share_is_its_weight_in_what_is_left_and_the_last_has_it_all() -> None:
    left = {"seconds": 600.0, "steps": 2000}
    share = Share.of([1, 1], lambda: left["seconds"], lambda: left["steps"])
    assert (share.seconds, share.steps) == (300.0, 1000)
    left["seconds"] = 301.0
    assert not share.spent()
    left["seconds"] = 300.0
    assert share.spent() and share.why == "its share of the budget spent (300 of 300 s)"
    left["seconds"] = 500.0  # the first ran dry early: the next inherits what it left
    assert Share.of([1, 1], lambda: left["seconds"], None).seconds == 250.0
    assert Share.of([2, 1, 1, 1], lambda: left["seconds"], None).seconds == 200.0  # twice the weight of each other
    last = Share.of([1], lambda: left["seconds"], lambda: left["steps"])
    left.update(seconds=0.0, steps=0)
    assert last.seconds is None and not last.spent()


def test_a_rerun_takes_at_most_half_of_what_is_left_of_a_split_share_cachetools_seed_3() -> None:
    """A cut-off run's rerun at four times its limit is made only while it takes at most half of
    what is left of its try's share (cachetools' seed 3: a looping candidate's reruns of 27 and
    110 s took most of each of four shares of 149 s); the last try, with all that is left, reruns
    as long as its retries allow."""
    clock = {"left": 400.0}
    share = Share.of([1.0, 1.0], lambda: clock["left"], None)
    clock["left"] -= 100.0  # 100 s left of its 200
    assert share.holds_rerun(50.0) and not share.holds_rerun(51.0) and not share.spent()
    assert Share.of([1.0], lambda: clock["left"], None).holds_rerun(10_000.0)


def test_a_try_takes_no_candidate_its_share_cannot_hold_after_its_first_pq_2a217b9() -> None:
    """Each try's last candidate ran past its share (20-25 s a candidate under load, every share
    over by 7-21 s), and the session's end came before the environment-shaped groups' turn (pq
    2a217b9): a try stops when what is left of its share cannot hold a candidate as long as its
    last."""
    left = {"seconds": 600.0}
    share = Share.of([1, 1], lambda: left["seconds"], None)
    left["seconds"] = 600.0 - 270.0
    assert not share.spent(20.0)
    assert share.spent(31.0) and share.why == "its share of the budget spent (270 of 300 s; a candidate takes 31 s)"
    fresh = Share.of([1, 1], lambda: 600.0, None)
    assert not fresh.spent(400.0)  # nothing used yet: its first candidate, whatever the last try's took
    from rfsn.models import FailureGroup

    now = [0.0]
    ledger = Ledger(clock=lambda: now[0])
    ledger.begin(FailureGroup(cause="c", tests=["t"], kind="target"))
    ledger.screening("a.py:1")
    now[0] = 25.0
    ledger.screened()
    assert ledger.last == 25.0
    ledger.begin(FailureGroup(cause="d", tests=["u"], kind="target"))
    assert ledger.last == 0.0  # a try of its own: its own candidates' time


def test_no_try_takes_the_budget_before_the_others_are_tried_pq_2a217b9_cron_bc59245() -> None:
    """The groups tried together weigh as one group, not as all they hold; a group with signs
    of a code fault weighs twice one without, environment-shaped groups are tried together, last,
    at half (pq: 7 groups together took 7/8 of the budget, the seed's group 33 s, 27 network
    groups never tried; cron: 5/6, the seed's group 44 s, 3 groups never tried)."""
    from rfsn.models import FailureGroup
    from rfsn.planners.spending import tries

    def g(name: str, evidence: bool = False, shape: str = "") -> FailureGroup:
        return FailureGroup(
            cause=name,
            tests=[f"t_{name}"],
            kind="target",
            shape=shape,
            evidence=["it asserts on the project's values (f)"] if evidence else [],
        )

    env = FailureGroup(cause="No module named 'x'", tests=["t_env"], kind="environment")
    groups = [
        g("quote", evidence=True),
        g("scan"),
        g("conns"),
        g("net1", shape="the network"),
        g("net2", shape="the network"),
        env,
    ]
    turns, report = tries(groups)
    assert [(t.group.cause, t.weight, t.stands_for) for t in turns] == [
        ("the 3 groups of no environment's shape together", 2.0, 3),
        ("quote", 2.0, 1),
        ("scan", 1.0, 1),
        ("conns", 1.0, 1),
        ("the 2 environment-shaped groups together", 0.5, 2),
    ]
    assert [r.cause for r in report] == [*(t.group.cause for t in turns), "net1", "net2", env.cause]
    left = {"seconds": 650.0}
    shares = []
    for n in range(len(turns)):  # each spends its whole share: every try has its turn
        share = Share.of([t.weight for t in turns[n:]], lambda: left["seconds"], None, turns[n].stands_for)
        shares.append(share.seconds if share.seconds is not None else left["seconds"])
        left["seconds"] -= shares[-1]
    assert shares == pytest.approx([200.0, 200.0, 100.0, 100.0, 50.0])
    assert Share.of([2.0, 2.0, 1.0], lambda: 600.0, None, 3).measuring() == 300.0  # serves 3: up to half of all


def test_every_group_says_whether_it_was_tried_and_why_it_ended() -> None:
    from rfsn.models import FailureGroup
    from rfsn.planners.spending import settled

    pool = FailureGroup(
        cause="the 2 environment-shaped groups together",
        tests=["a", "b"],
        kind="target",
        outcome="left",
        why="the session's time budget spent (600s)",
        seconds=40.0,
    )
    a = FailureGroup(cause="net", tests=["a"], kind="target", shape="the network")
    c = FailureGroup(cause="c", tests=["c"], kind="target")
    tried, alone, never = settled([pool, a, c])
    assert (alone.outcome, alone.why) == (
        "left",
        'tried only with others, in "the 2 environment-shaped groups together" '
        "(the session's time budget spent (600s)); not alone: the session's budget ended before its turn",
    )
    assert (never.outcome, never.why) == ("not_tried", "not tried: the session's budget ended before its turn")
    assert tried == pool
    fixed = c.model_copy(update={"outcome": "fixed"})
    assert settled([fixed, a])[1].why == "not tried: another group was fixed first"


def test_the_ledger_counts_candidates_and_seconds_by_location() -> None:
    from rfsn.models import FailureGroup

    now = [0.0]
    ledger, group = Ledger(clock=lambda: now[0]), FailureGroup(cause="c", tests=["t"], kind="target")
    ledger.begin(group)
    for location, seconds in (("a.py:3", 1.0), ("b.py:9", 2.5), ("a.py:3", 1.25)):
        ledger.screening(location)
        now[0] += seconds
        ledger.screened()
    ledger.screening("b.py:9")  # the session stops in its screening: it counts, and its seconds (most first)
    now[0] = 7.0
    ledger.close("left", "the session's step budget spent (40 steps)")
    assert (group.outcome, group.candidates, group.seconds) == ("left", 4, 7.0)
    assert [(s.location, s.candidates, s.seconds) for s in group.locations] == [
        ("b.py:9", 2, 4.75),
        ("a.py:3", 2, 2.25),
    ]


class LateFixForAdd:
    """``test_add``'s fix after 80 wrong candidates; one wrong candidate for ``test_mul``."""

    name = "late"

    def candidates(self, context: RepairContext) -> Iterable[Candidate]:
        if T_MUL in context.failing:
            return iter([candidate("a + b", "a + b + 0", "wrong mul")])
        return iter([*(candidate("a - b", f"a - b - {n}", f"wrong {n}") for n in range(80)), FIX_ADD])


def test_a_group_its_share_cut_short_goes_on_with_what_the_others_left(tmp_path: Path) -> None:
    verdict = finished(LateFixForAdd(), {"fix add": {T_ADD: P}}, steps=300, tmp_path=tmp_path)
    together, add, mul = verdict.groups
    assert (verdict.status, verdict.failing_before) == (SessionStatus.FIXED, [T_ADD]), verdict.message
    assert (together.outcome, add.outcome, add.candidates, mul.outcome, mul.candidates, mul.skipped) == (
        "left",
        "fixed",
        81,
        "left",
        0,
        1,
    )  # the groups together screened mul's one candidate
    assert mul.why == "no plausible patch among 0 candidates"
    assert [(s.location, s.candidates) for s in add.locations] == [("m.py:2", 81)]


def test_each_groups_localization_measures_within_half_its_share_luxon_b6b9d03(tmp_path: Path) -> None:
    """A localization's per-test measurement is bounded by its group's share (luxon b6b9d03:
    jest's per-file coverage runs went on for 8 minutes, past the session's budget)."""

    class Unmeasured(World):  # each run measures nothing: each group's localization runs its own
        def answer(self, proposal: Proposal) -> Feedback:
            if isinstance(proposal, RunTests) and proposal.coverage:
                return ran(report(self.baseline, coverage={}))
            return super().answer(proposal)

    world = Unmeasured({T_ADD: F, T_MUL: F, T_OK: P}, {"fix mul": {T_MUL: P}}, log=LOG)
    planner = PhasePlanner(
        EndlessForAdd(),  # type: ignore[arg-type]
        tmp_path,
        PlanOptions(language="python", workdir="/testbed"),
        seconds_left=lambda: 600.0,
        steps_left=lambda: 300 - len(world.proposals),
    )
    world.run(planner, limit=300)
    measured = [p.measure_within for p in world.proposals if isinstance(p, RunTests) and p.coverage]
    assert measured[0] == pytest.approx(600 * 2 / 3 / 2)  # the two groups together: a third, for both groups
    assert measured[-1] == 300.0  # the last: half of all that is left


def test_a_localization_whose_measuring_time_is_spent_ranks_from_the_focus_luxon_b6b9d03(tmp_path: Path) -> None:
    """The measuring time bounds the whole localization, not each of its runs (luxon b6b9d03: the
    focused run and then the suite's each had the bound, 450 s of a 530 s share): with none left
    after a flat focused ranking, the ranking is the focus's and the suite is not measured."""
    from rfsn.planners.localize.focus import FLAT_TIES, SLOW_SUITE
    from tests.planners.test_meta import SOURCE, FakeStrategy, World

    other = "tests/test_o.py::test_other"
    clock = {"left": 600.0}

    class SlowWorld(World):
        def answer(self, proposal: Proposal) -> Feedback:
            if isinstance(proposal, RunTests) and proposal.phase is Phase.REPRODUCE:
                return ran(report(self.baseline).model_copy(update={"duration": SLOW_SUITE + 1}))
            if isinstance(proposal, RunTests) and proposal.coverage:
                clock["left"] -= 400  # a measurement that took 400 s; every test runs every line
                return ran(report(self.baseline, coverage={t: {"big.py": lines} for t in self.baseline}))
            return super().answer(proposal)

    lines = list(range(1, FLAT_TIES + 3))
    (tmp_path / "m.py").write_text(SOURCE)
    (tmp_path / "big.py").write_text("".join(f"def f{n}(x):\n    return x\n" for n in lines))
    world = SlowWorld({T_ADD: F, T_OK: P, other: P}, {"fix add": {T_ADD: P}})
    planner = PhasePlanner(
        FakeStrategy([FIX_ADD]),  # type: ignore[arg-type]
        tmp_path,
        PlanOptions(language="python", workdir=str(tmp_path)),
        seconds_left=lambda: clock["left"],
    )
    with capture_logs() as events:
        world.until_patch(planner)
    measured = [p for p in world.proposals if isinstance(p, RunTests) and p.coverage]
    assert [(p.tests, p.measure_within) for p in measured] == [((T_ADD, T_OK), 300.0)]
    assert [e["by"] for e in events if e["event"] == "planner.localized"] == ["coverage"]


def test_a_localization_whose_measuring_time_is_spent_on_a_focus_that_measured_nothing_stops(tmp_path: Path) -> None:
    """With no measuring time left and nothing measured by the focused run, the suite is not
    measured either: its run would start with a bound below a second, and Python's plan would
    then cut the step that turns it into coverage, after the whole suite ran (found in review)."""
    from rfsn.planners.localize.focus import SLOW_SUITE
    from tests.planners.test_meta import SOURCE, FakeStrategy, World

    other = "tests/test_o.py::test_other"
    clock = {"left": 600.0}

    class SpentWorld(World):
        def answer(self, proposal: Proposal) -> Feedback:
            if isinstance(proposal, RunTests) and proposal.phase is Phase.REPRODUCE:
                return ran(report(self.baseline).model_copy(update={"duration": SLOW_SUITE + 1}))
            if isinstance(proposal, RunTests) and proposal.coverage:
                clock["left"] -= 400  # a measurement that took 400 s and measured nothing
                return ran(report(self.baseline, coverage={}))
            return super().answer(proposal)

    (tmp_path / "m.py").write_text(SOURCE)
    world = SpentWorld({T_ADD: F, T_OK: P, other: P}, {"fix add": {T_ADD: P}})
    planner = PhasePlanner(
        FakeStrategy([FIX_ADD]),
        tmp_path,
        PlanOptions(language="python", workdir=str(tmp_path)),
        seconds_left=lambda: clock["left"],
    )
    world.until_patch(planner)
    measured = [p for p in world.proposals if isinstance(p, RunTests) and p.coverage]
    assert [(p.tests, p.measure_within) for p in measured] == [((T_ADD, T_OK), 300.0)]


class SameOrderForAdd:
    """For every try holding ``test_add``, the same 80 wrong candidates and then its fix (as
    templates ranked alike by the groups' localizations make them); one wrong one for ``test_mul``
    alone."""

    name = "same"

    def candidates(self, context: RepairContext) -> Iterable[Candidate]:
        if context.failing == [T_MUL]:
            return iter([candidate("a + b", "a + b + 0", "wrong mul")])
        return iter([*(candidate("a - b", f"a - b - {n}", f"wrong {n}") for n in range(80)), FIX_ADD])


def test_a_candidate_that_left_a_groups_tests_failing_is_not_screened_again_for_it_go_humanize_comma(
    tmp_path: Path,
) -> None:
    """A candidate whose screening left a group's tests failing cannot fix that group: a later try
    of the group passes it over (go-humanize's wrong-variable seed, fixed at the 154th candidate
    in one group, was lost once its failures fell in four groups: each group alone started again
    from its own first candidate)."""
    verdict = finished(SameOrderForAdd(), {"fix add": {T_ADD: P}}, steps=300, tmp_path=tmp_path)
    together, add, mul = verdict.groups
    assert (verdict.status, verdict.failing_before) == (SessionStatus.FIXED, [T_ADD]), verdict.message
    assert together.candidates > 20 and add.skipped > 20 and mul.skipped == 0
    assert add.candidates + add.skipped == 81  # each of the 81 screened once, by either try
    from rfsn.controller.report import where_it_went

    assert f"({add.skipped} more not screened again: they left its tests failing or hung)" in where_it_went(verdict)[1]


def test_a_try_standing_for_several_groups_first_runs_a_test_of_each_cachetools_seed_3(tmp_path: Path) -> None:
    """The groups tried together run one test of each group first, all of them: every group knows
    a candidate that failed it, not only the first in the suite's order, whose tests a stop at as
    many failures as groups held (cachetools' 73 failing tests in 3 groups: the groups' tries
    screened again most of what the groups together had). Then all the targets, to the first
    failure. One group's many targets stop at the first; a run cut off says nothing."""
    from rfsn.planners.verify.screening import PAIRABLE_TARGETS, Screen
    from rfsn.planners.verify.tiers import Tier

    targets = [f"tests/test_m.py::test_{n}" for n in range(PAIRABLE_TARGETS + 2)]
    baseline = report(dict.fromkeys(targets, F))
    assert next(Screen(baseline, targets).tiers(FIX_ADD)).max_failures == 1
    groups = [targets[:3], targets[3:5], targets[5:]]
    screen = Screen(baseline, list(reversed(targets)), groups=groups)
    firsts, failing = list(screen.tiers(FIX_ADD))[:2]
    assert (firsts.tests, firsts.max_failures) == ([targets[0], targets[3], targets[5]], None)
    assert (failing.tests, failing.max_failures) == (targets, 1)
    second_only = screen.judge(firsts, report({targets[0]: P, targets[3]: F, targets[5]: P}))
    assert (second_only.passed_tier, second_only.failed, second_only.fixed) == (
        False,
        {targets[3]},
        {targets[0], targets[5]},
    )
    assert screen.judge(firsts, report(dict.fromkeys(firsts.tests, P))).passed_tier
    cut = report({targets[0]: F}, timed_out=True)
    assert Screen(baseline, targets).judge(Tier("failing tests", targets, timeout=1.0), cut).failed == frozenset()
    assert Screen(baseline, targets[:PAIRABLE_TARGETS], groups=[targets[:2], targets[2:4]]).firsts() == []


class StoppingWorld(World):
    """A baseline of five tests failing for one cause and one for another, whose runs stop at
    ``max_failures`` as a runner does: the tests after the stop are not reported."""

    tests = [f"tests/test_m.py::test_{n}" for n in range(6)]

    def answer(self, proposal: Proposal) -> Feedback:
        if isinstance(proposal, RunTests) and proposal.phase is Phase.REPRODUCE:
            log = "".join(
                f"FAILED {t} - AssertionError: {'one' if n < 5 else 'two'}\n" for n, t in enumerate(self.tests)
            )
            return ran(report(self.baseline, log=log))
        feedback = super().answer(proposal)
        if (
            not isinstance(proposal, RunTests)
            or proposal.max_failures is None
            or feedback.outcome is None
            or feedback.outcome.report is None
        ):
            return feedback
        seen: dict[str, Status] = {}
        for test, status in feedback.outcome.report.tests.items():
            if sum(s is F for s in seen.values()) >= proposal.max_failures:
                break
            seen[test] = status
        return ran(report(seen))


class SameWrongEverywhere:
    """The same wrong candidates, without end, for every try."""

    name = "same-wrong"

    def candidates(self, context: RepairContext) -> Iterable[Candidate]:
        return (candidate("a - b", f"a - b - {n}", f"wrong {n}") for n in _count())


def test_a_later_groups_try_passes_over_what_the_groups_together_screened_cachetools_seed_3(tmp_path: Path) -> None:
    """Every candidate the groups together screened failed the second group's test too: that
    group's own try passes them over and goes on past them (cachetools' seed 3: each group's try
    screened again the groups together's first 166 candidates, and 2,000 steps ran out before
    any reached the faulty line)."""
    world = StoppingWorld({**dict.fromkeys(StoppingWorld.tests, F), T_OK: P}, {})
    planner = PhasePlanner(
        SameWrongEverywhere(),
        tmp_path,
        PlanOptions(language="python", workdir="/testbed"),
        steps_left=lambda: 120 - len(world.proposals),
    )
    for _ in range(120):
        proposal = planner.next()
        world.proposals.append(proposal)
        planner.observe(world.answer(proposal))
    screened = [
        (p.tests, p.max_failures) for p in world.proposals if isinstance(p, RunTests) and p.phase is Phase.PATCH
    ]
    together, _, two = planner.groups("the session's step budget spent (120 steps)")
    firsts = (StoppingWorld.tests[0], StoppingWorld.tests[5])
    assert screened[0] == (firsts, None) and (tuple(StoppingWorld.tests[:5]), 1) in screened
    assert together.candidates > 5 and two.skipped >= together.candidates


def test_a_groups_localization_ranks_from_the_coverage_an_earlier_one_measured_of_its_tests(tmp_path: Path) -> None:
    """Each group's localization needs per-test coverage of tests an earlier localization already
    measured (the groups together ran the suite): it ranks from that, without a run (go-humanize's
    four groups each ran a coverage run of 5 to 25 s out of shares of 5 to 38 s, under load)."""
    with capture_logs() as events:
        verdict = finished(EndlessForAdd(), {"fix mul": {T_MUL: P}}, steps=300, tmp_path=tmp_path)
    assert verdict.status is SessionStatus.FIXED
    localized = [e["by"] for e in events if e["event"] == "planner.localized"]
    reused = [e for e in events if e["event"] == "planner.coverage_reused"]
    assert (localized, len(reused)) == (["coverage"] * 3, 2)
    assert verdict.groups[1].locations[0].location == "m.py:2"


LOOPING = candidate("a - b", "a - b - 0", "wrong 0")


def looping_session(
    tmp_path: Path,
    fixes: dict[str, dict[str, Status]],
    for_mul: list[Candidate],
    per_run: float | None = None,
    per_step: float = 0.0,
) -> tuple[PhasePlanner, list[RunTests]]:
    """A session whose strategy offers ``LOOPING`` to every try (``for_mul`` to ``test_mul``'s
    alone), each of LOOPING's runs cut off by its limit with nothing reported: on a clock
    of 600 s that each such run takes ``per_run`` of and every other step ``per_step``, or (none)
    on 100 steps. Its planner and the looping candidate's runs."""
    from rfsn.models import TestReport

    clock = {"left": 600.0}

    class Looping(World):
        def answer(self, proposal: Proposal) -> Feedback:
            if isinstance(proposal, RunTests) and proposal.phase is Phase.PATCH and self.applied == "wrong 0":
                clock["left"] -= per_run or 0.0
                return ran(
                    TestReport(
                        tests=dict.fromkeys(proposal.tests, Status.ERROR),
                        exit_code=124,
                        timed_out=True,
                        duration=proposal.timeout or 0.0,
                        unreached=list(proposal.tests),
                    )
                )
            clock["left"] -= per_step
            return super().answer(proposal)

    class LoopsFirst:
        name = "loops"

        def candidates(self, context: RepairContext) -> Iterable[Candidate]:
            return iter(for_mul if context.failing == [T_MUL] else [LOOPING])

    world = Looping({T_ADD: F, T_MUL: F, T_OK: P}, fixes, log=LOG)
    planner = PhasePlanner(
        LoopsFirst(),
        tmp_path,
        PlanOptions(language="python", workdir="/testbed"),
        **(  # type: ignore[arg-type]
            {"seconds_left": lambda: clock["left"]}
            if per_run is not None
            else {"steps_left": lambda: 100 - len(world.proposals)}
        ),
    )
    world.run(planner, limit=100)
    return planner, [p for p in world.proposals if isinstance(p, RunTests) and p.rationale.startswith("screen wrong 0")]


def test_an_inconclusive_run_is_not_run_again_past_its_groups_share_go_humanize_comma(tmp_path: Path) -> None:
    """A rerun of a screening run cut off with nothing against the candidate takes four times the
    limit: once the group's share is spent it is not made, and the next group is tried
    (go-humanize: a looping candidate's run and its two reruns took 160 s past the groups'
    joint share, and the four single groups were never tried)."""
    # a run cut off by its limit, under load, takes 450 s: once in each try, no rerun
    planner, runs = looping_session(tmp_path, {"fix mul": {T_MUL: P}}, [FIX_MUL], per_run=450, per_step=1)
    assert len(runs) == 2 and planner.verdict().status is SessionStatus.FIXED


def test_a_candidate_cut_off_at_every_limit_is_not_screened_again_by_another_try_cachetools_seed_3(
    tmp_path: Path,
) -> None:
    """A candidate whose run was cut off at its limit and at the longer limits of its reruns
    hangs: a later try passes it over, as the suite would hang the same way (cachetools' seed 3:
    one looping candidate took 6 + 27 + 110 s in each of four groups' tries, most of each share)."""
    from rfsn.controller.report import where_it_went

    planner, runs = looping_session(tmp_path, {"fix mul": {T_MUL: P}}, [LOOPING, FIX_MUL])
    verdict = planner.verdict()
    assert len(runs) == 3 and [r.timeout for r in runs] == sorted(r.timeout for r in runs)  # the first try's ladder
    assert verdict.status is SessionStatus.FIXED and [g.skipped for g in verdict.groups] == [0, 1, 1]
    assert "(1 more not screened again: they left its tests failing or hung)" in where_it_went(verdict)[1]


def test_a_candidate_whose_reruns_the_share_cut_short_is_screened_again_by_the_next_try_from_its_last_limit(
    tmp_path: Path,
) -> None:
    """Cut off at longer limits until its try's share was spent, a candidate is not known to hang
    (the share, not the candidate, may have ended it): the next try screens it again, from the
    limit it was cut off at. It took a new ladder in each try (3 + 12 s three times, then 48 s):
    one looping candidate cost the session three ladders."""
    _, runs = looping_session(tmp_path, {}, [LOOPING], per_run=100, per_step=0.01)
    # two runs in the first try (its share spent by the rerun), one in the next: hung from then on
    assert [r.timeout for r in runs] == [3.0, 12.0, 48.0], [r.timeout for r in runs]


class LateFixForMul:
    """Wrong candidates without end for every try holding ``test_add``; ``test_mul``'s fix alone
    after 30 wrong ones."""

    name = "late-mul"

    def candidates(self, context: RepairContext) -> Iterable[Candidate]:
        if context.failing == [T_MUL]:
            return iter([*(candidate("a + b", f"a + b + {n}", f"wrong mul {n}") for n in range(30)), FIX_MUL])
        return (candidate("a - b", f"a - b - {n}", f"wrong {n}") for n in _count())


def test_the_group_tried_last_has_a_groups_share_not_what_the_groups_together_left_cron_bc59245(tmp_path: Path) -> None:
    """The groups together take one try's share, so the last group's share holds its fix (cron
    bc59245: the groups together took 5/6 and the seed's group had 44 s)."""
    verdict = finished(LateFixForMul(), {"fix mul": {T_MUL: P}}, steps=330, tmp_path=tmp_path)
    together, _, mul = verdict.groups
    assert (verdict.status, verdict.failing_before) == (SessionStatus.FIXED, [T_MUL]), verdict.message
    assert (mul.outcome, mul.candidates) == ("fixed", 31) and together.candidates < 40
