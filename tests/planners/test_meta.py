"""PhasePlanner driven by hand: crafted Feedback in, the next proposal out.

A small simulated world answers each proposal: edits are accepted unless the
test says the gate rejects them, and a test run reports the statuses of
whichever candidate is applied at the time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pytest

from rfsn.errors import ApplyError, RfsnError
from rfsn.models import (
    Edit,
    Finish,
    GateDecision,
    Outcome,
    Phase,
    Proposal,
    RunTests,
    SessionStatus,
    TestReport,
)
from rfsn.models import (
    TestStatus as Status,
)
from rfsn.patches import unified_diff
from rfsn.planners.base import Feedback, RepairContext
from rfsn.planners.code.candidates import Candidate, Splice, apply_splices
from rfsn.planners.meta import PhasePlanner, PlanOptions
from rfsn.planners.verify.screening import RETRY_FACTOR
from rfsn.runner import SUITE_ID

P, F = Status.PASSED, Status.FAILED
SOURCE = "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a + b\n"
T_ADD, T_MUL, T_OK = "tests/test_m.py::test_add", "tests/test_m.py::test_mul", "tests/test_m.py::test_ok"
ACCEPTED = GateDecision(accepted=True, reason="accepted")
REVERT = "revert the candidate"


def candidate(old: str, new: str, description: str, score: float = 1.0, source: str = SOURCE) -> Candidate:
    start = source.index(old)
    splice = Splice(start, start + len(old), new)
    return Candidate(
        path="m.py",
        line=source[:start].count("\n") + 1,
        template=description,
        description=description,
        score=score,
        original=source,
        patched=apply_splices(source, (splice,)),
        splices=(splice,),
    )


FIX_ADD = candidate("a - b", "a + b", "fix add")
FIX_MUL = candidate("a + b", "a * b", "fix mul")
WRONG = candidate("a - b", "a * b", "wrong add")
BROKEN = candidate("return a - b", "return 0", "breaks test_ok")


class FakeStrategy:
    """A PatchStrategy yielding fixed candidates; it keeps the context it was given."""

    name = "fake"

    def __init__(self, candidates: Iterable[Candidate]) -> None:
        self._candidates = list(candidates)
        self.context: RepairContext | None = None

    def candidates(self, context: RepairContext) -> Iterable[Candidate]:
        self.context = context
        return iter(self._candidates)


def report(statuses: Mapping[str, Status], **fields: object) -> TestReport:
    return TestReport(
        tests=dict(statuses), exit_code=int(any(s is not P for s in statuses.values())), duration=0.1, **fields
    )  # type: ignore[arg-type]


def ran(test_report: TestReport | None) -> Feedback:
    return Feedback(ACCEPTED, Outcome(intent="run_tests", ok=True, report=test_report))


class World:
    """Answers the planner: which candidate is applied decides what the tests report."""

    def __init__(
        self,
        baseline: Mapping[str, Status],
        fixes: Mapping[str, Mapping[str, Status]],
        rejected: Iterable[str] = (),
        verify: Mapping[str, Status] | None = None,
        log: str = "",
    ) -> None:
        """``log``: the baseline's output (why each test failed)."""
        self.baseline, self.fixes, self.rejected = dict(baseline), fixes, set(rejected)
        self.verify, self.log = verify, log
        self.applied: str | None = None
        self.proposals: list[Proposal] = []

    def answer(self, proposal: Proposal) -> Feedback:
        if isinstance(proposal, Edit):
            description = proposal.rationale.removeprefix("apply ")
            if description in self.rejected:
                return Feedback(GateDecision(accepted=False, rule="syntax_error", reason="bad syntax"))
            self.applied = None if proposal.rationale == REVERT else description
            return Feedback(ACCEPTED, Outcome(intent="edit", ok=True, detail="applied"))
        if isinstance(proposal, RunTests):
            if proposal.phase is Phase.REPRODUCE and self.log:
                return ran(report(self.baseline, log=self.log))
            if proposal.coverage:  # every test runs both functions
                cov = {t: {"m.py": [1, 2, 5, 6]} for t in self.baseline}
                return ran(report(self.baseline, coverage=cov))
            now = dict(self.baseline)
            now.update(self.fixes.get(self.applied or "", {}))
            if proposal.phase is Phase.VERIFY and self.verify is not None:
                now = dict(self.verify)
            if proposal.tests:
                now = {t: s for t, s in now.items() if t in proposal.tests}
            return ran(report(now))
        return Feedback(ACCEPTED, Outcome(intent=proposal.intent, ok=True))

    def run(self, planner: PhasePlanner, limit: int = 200) -> list[Proposal]:
        for _ in range(limit):
            proposal = planner.next()
            self.proposals.append(proposal)
            if isinstance(proposal, Finish):
                return self.proposals
            planner.observe(self.answer(proposal))
        raise AssertionError("the planner did not finish")

    def until_patch(self, planner: PhasePlanner, limit: int = 20) -> Proposal:
        """Answers the planner until it proposes its first patch-phase step (returned, unanswered)."""
        proposal = planner.next()
        while proposal.phase is not Phase.PATCH and len(self.proposals) < limit:
            self.proposals.append(proposal)
            planner.observe(self.answer(proposal))
            proposal = planner.next()
        return proposal


def planner_for(tmp_path: Path, candidates: Iterable[Candidate], targets: Iterable[str] = ()) -> PhasePlanner:
    (tmp_path / "m.py").write_text(SOURCE)
    return PhasePlanner(
        FakeStrategy(candidates),
        tmp_path,
        PlanOptions(language="python", workdir=str(tmp_path), targets=tuple(list(targets))),
    )


def edits(proposals: list[Proposal]) -> list[str]:
    return [p.rationale for p in proposals if isinstance(p, Edit)]


def test_close_ends_a_search_the_plan_left_open(tmp_path: Path) -> None:
    """A plan that stops taking candidates (enough are plausible, as here, or the budget ran out)
    leaves its strategy's search open; ``close`` ends it, so its ``finally`` runs then."""
    ended: list[str] = []

    class Endless(FakeStrategy):
        def candidates(self, context: RepairContext) -> Iterator[Candidate]:
            try:
                yield from self._candidates
            finally:
                ended.append("search")

    (tmp_path / "m.py").write_text(SOURCE)
    planner = PhasePlanner(
        Endless([FIX_ADD, WRONG]), tmp_path, PlanOptions(language="python", workdir=str(tmp_path), max_plausible=1)
    )
    World({T_ADD: F, T_OK: P}, {"fix add": {T_ADD: P}}).run(planner)
    assert planner.verdict().status is SessionStatus.FIXED and ended == []
    planner.close()
    assert ended == ["search"]


def test_no_failing_test_finishes_not_reproduced(tmp_path: Path) -> None:
    planner = planner_for(tmp_path, [FIX_ADD])
    proposals = World({T_ADD: P, T_OK: P}, {}).run(planner)
    assert [p.intent for p in proposals] == ["run_tests", "finish"]
    assert proposals[-1].reason.startswith("gave up")  # type: ignore[union-attr]
    assert planner.verdict().status is SessionStatus.NOT_REPRODUCED


def test_given_targets_that_already_pass_are_not_reproduced(tmp_path: Path) -> None:
    planner = planner_for(tmp_path, [FIX_ADD], targets=[T_OK])
    World({T_ADD: F, T_OK: P}, {}).run(planner)
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.NOT_REPRODUCED
    assert verdict.message == "the given tests do not fail"


@pytest.mark.parametrize(
    "baseline",
    [
        None,  # the run was rejected or did not run
        TestReport(exit_code=4, log="ERROR: usage"),  # the runner failed: no tests at all
        TestReport(tests={T_ADD: F}, exit_code=124, timed_out=True),
    ],
    ids=["no-report", "runner-error", "timeout"],
)
def test_a_baseline_that_did_not_run_is_an_error(tmp_path: Path, baseline: TestReport | None) -> None:
    planner = planner_for(tmp_path, [FIX_ADD])
    assert isinstance(planner.next(), RunTests)
    planner.observe(ran(baseline))
    finish = planner.next()
    assert isinstance(finish, Finish) and finish.reason.startswith("gave up")
    assert planner.verdict().status is SessionStatus.ERROR


@pytest.mark.parametrize("crash", [False, True], ids=["timed-out-silent", "runner-died-of-a-signal"])
def test_a_fix_whose_run_said_nothing_is_screened_again(tmp_path: Path, crash: bool) -> None:
    """Under load the build of a right candidate can outlast its limit, and an extension that
    crashes now and then can kill its run: it gets a longer rerun."""
    planner = planner_for(tmp_path, [FIX_ADD])
    world = World({T_ADD: F, T_OK: P}, {"fix add": {T_ADD: P}})
    slow = {"left": 1}
    answer = world.answer

    def loaded(proposal: Proposal) -> Feedback:
        if isinstance(proposal, RunTests) and world.applied == "fix add" and slow["left"]:
            slow["left"] -= 1
            if crash:
                return ran(TestReport(exit_code=139, log="Fatal Python error: Segmentation fault"))
            return ran(
                TestReport(
                    tests=dict.fromkeys(proposal.tests, Status.ERROR),
                    exit_code=124,
                    timed_out=True,
                    duration=proposal.timeout or 0.0,
                    unreached=list(proposal.tests),
                )
            )
        return answer(proposal)

    world.answer = loaded  # type: ignore[method-assign]
    proposals = world.run(planner)
    screens = [p for p in proposals if isinstance(p, RunTests) and p.phase is Phase.PATCH]
    assert screens[1].tests == screens[0].tests and screens[1].timeout > screens[0].timeout  # type: ignore[operator]
    assert planner.verdict().status is SessionStatus.FIXED


@pytest.mark.parametrize("left", [None, 1000.0, 50.0])
def test_a_fix_whose_target_is_slow_once_it_passes_is_carried_through(tmp_path: Path, left: float | None) -> None:
    """sympy-13437: the target failed at once before the fix and takes minutes with it. Its
    baseline duration says nothing of that: the failing-tests tier runs it with no per-test limit,
    retried with a longer limit (twice at most) while it reports nothing; the whole suite gets the
    time the targets took on top of its limit, and a target the per-test limit stops there,
    having passed alone, is fixed; the verifying run of the targets has no per-test limit either.
    When the session's budget left cannot hold that run again (842 s, 208 s left), screening's
    run of the targets stands for verify's, and the verdict says the targets ran once."""
    (tmp_path / "m.py").write_text(SOURCE)
    planner = PhasePlanner(
        FakeStrategy([FIX_ADD]),
        tmp_path,
        PlanOptions(language="python", workdir=str(tmp_path)),
        seconds_left=None if left is None else lambda: left,
    )
    world = World({T_ADD: F, T_OK: P}, {"fix add": {T_ADD: P}})
    answer = world.answer
    needs = 40.0  # seconds the target takes once fixed: past the limit of its tier, retried once

    def slow(proposal: Proposal) -> Feedback:
        if not isinstance(proposal, RunTests):
            return answer(proposal)
        if (world.applied == "fix add" and T_ADD in proposal.tests) or proposal.phase is Phase.VERIFY:
            if proposal.case_limit:
                raise AssertionError("the targets alone ran under the per-test limit")
            if (proposal.timeout or 900.0) < needs:
                return ran(
                    TestReport(
                        tests=dict.fromkeys(proposal.tests, Status.ERROR),
                        exit_code=124,
                        timed_out=True,
                        duration=proposal.timeout or 0.0,
                        unreached=list(proposal.tests),
                    )
                )
            return ran(TestReport(tests={T_ADD: P}, duration=needs))
        if world.applied == "fix add" and not proposal.tests:
            assert proposal.case_limit and (proposal.timeout or 0.0) > needs
            return ran(TestReport(tests={T_ADD: Status.TIMEOUT, T_OK: P}, duration=needs))
        return answer(proposal)

    world.answer = slow  # type: ignore[method-assign]
    proposals = world.run(planner)
    screens = [p for p in proposals if isinstance(p, RunTests) and p.phase is Phase.PATCH]
    assert [p.tests for p in screens] == [(T_ADD,), (T_ADD,), (T_ADD,), ()]
    limits = [p.timeout or 0.0 for p in screens[:3]]
    assert limits[1] == limits[0] * RETRY_FACTOR and limits[2] == limits[1] * RETRY_FACTOR
    verdict = planner.verdict()
    verified = [p.tests for p in proposals if isinstance(p, RunTests) and p.phase is Phase.VERIFY]
    once = [c for c in verdict.concerns if "the targets ran once" in c]
    assert verdict.status is SessionStatus.FIXED and verdict.patch == FIX_ADD.diff()
    assert (verified, len(once)) == (([], 1) if left == 50.0 else ([(T_ADD,)], 0))


def test_a_tier_the_runner_refused_is_passed_over_and_the_whole_suite_decides(tmp_path: Path) -> None:
    planner = planner_for(tmp_path, [FIX_ADD])
    world = World({T_ADD: F, T_OK: P}, {"fix add": {T_ADD: P}})
    answer = world.answer

    def refusing(proposal: Proposal) -> Feedback:
        if isinstance(proposal, RunTests) and proposal.phase is Phase.PATCH and proposal.tests:
            return ran(TestReport(exit_code=4, log="ERROR: not found"))
        return answer(proposal)

    world.answer = refusing  # type: ignore[method-assign]
    proposals = world.run(planner)
    screens = [p for p in proposals if isinstance(p, RunTests) and p.phase is Phase.PATCH]
    assert screens[-1].tests == () and planner.verdict().status is SessionStatus.FIXED


def test_a_candidate_that_breaks_the_build_is_rejected_without_the_whole_suite_ringbuf(tmp_path: Path) -> None:
    """Tests a run of the runner reported it can address: a later run of them that reports no test
    was refused the candidate's tree (a build it broke), and the whole suite would say the same."""
    unbuildable = candidate("return a + b", "return a +", "breaks the build")
    planner = planner_for(tmp_path, [WRONG, unbuildable, FIX_ADD])
    world = World({T_ADD: F, T_OK: P}, {"fix add": {T_ADD: P}})
    answer = world.answer

    def build(proposal: Proposal) -> Feedback:
        if isinstance(proposal, RunTests) and world.applied == "breaks the build":
            return ran(TestReport(exit_code=101, log="error[E0425]: cannot find value"))
        return answer(proposal)

    world.answer = build  # type: ignore[method-assign]
    proposals = world.run(planner)
    rationales = [p.rationale for p in proposals if p.phase is Phase.PATCH]
    broken = rationales[rationales.index("breaks the build") + 1 :]
    assert broken[:2] == ["screen breaks the build: failing tests", REVERT], broken
    assert planner.verdict().status is SessionStatus.FIXED


@pytest.mark.parametrize("refused", [False, True], ids=["failing-tier-ran", "failing-tier-refused"])
def test_tests_a_patch_broke_go_back_to_the_model_only_when_it_was_seen_to_fix_the_targets(
    tmp_path: Path, refused: bool
) -> None:
    """In an issue-only session the model hears "that patch made the reproduction pass, but it
    broke these" (``planners.verify.obsolete``): not when the runner refused the failing-tests tier and
    the covering tier broke a test before any run showed the targets pass."""
    strategy = FakeStrategy([BROKEN])
    planner = PhasePlanner(strategy, tmp_path, PlanOptions(language="python", workdir=str(tmp_path)))
    (tmp_path / "m.py").write_text(SOURCE)
    planner.scaffolding = ["tests/test_repro.py"]
    world = World(
        {T_ADD: F, T_MUL: F, "tests/test_m.py::test_x": F, T_OK: P},
        {"breaks test_ok": {T_ADD: P, T_MUL: P, "tests/test_m.py::test_x": P, T_OK: F}},
    )
    answer = world.answer

    def refusing(proposal: Proposal) -> Feedback:
        if refused and isinstance(proposal, RunTests) and len(proposal.tests) == 3:
            return ran(TestReport(exit_code=4, log="ERROR: not found"))
        return answer(proposal)

    world.answer = refusing  # type: ignore[method-assign]
    proposals = world.run(planner)
    screens = [p.tests for p in proposals if isinstance(p, RunTests) and p.phase is Phase.PATCH]
    assert (T_OK,) in screens  # the covering tier broke it
    assert strategy.context is not None
    assert strategy.context.broken == ({} if refused else {BROKEN.diff(): (T_OK,)})


@pytest.mark.parametrize("unsteady", [1, 4], ids=["one-flake", "a-run-gone-wrong"])
def test_a_test_that_failed_in_the_coverage_run_with_no_candidate_is_flaky_from_the_start(
    tmp_path: Path, unsteady: int
) -> None:
    """sympy draws its hash seed at random: a test passed in the baseline, failed in the coverage
    run (no candidate applied either) and fails again in the fix's run. It was never the fix's
    doing: set aside, and named among the concerns (before: no plausible patch). More such
    tests than a few are a coverage run gone wrong, and nothing is set aside."""
    others = [f"tests/test_m.py::test_other_{n}" for n in range(6)]
    failing_then = dict.fromkeys(others[:unsteady], F)
    planner = planner_for(tmp_path, [FIX_ADD])
    world = World({T_ADD: F, T_OK: P, **dict.fromkeys(others, P)}, {"fix add": {T_ADD: P, **failing_then}})
    answer = world.answer

    def seeded(proposal: Proposal) -> Feedback:
        feedback = answer(proposal)
        if isinstance(proposal, RunTests) and proposal.coverage and feedback.outcome and feedback.outcome.report:
            measured = feedback.outcome.report
            return ran(measured.model_copy(update={"tests": {**measured.tests, **failing_then}}))
        return feedback

    world.answer = seeded  # type: ignore[method-assign]
    world.run(planner)
    verdict = planner.verdict()
    if unsteady > 1:
        assert verdict.status is SessionStatus.NOT_FIXED
        return
    assert verdict.status is SessionStatus.FIXED, verdict.message
    assert verdict.concerns == [
        f"{others[0]} does not pass, nor did it with no patch applied (in the coverage run, after the baseline): flaky"
    ]


def test_a_test_broken_where_a_target_failed_too_is_never_rechecked_as_a_flake(tmp_path: Path) -> None:
    """The targets passed in the failing-tests tier but one failed in the whole suite: that run
    says nothing for the candidate, and the test it broke there is not run alone (before, it was
    set aside as flaky for the rest of the session)."""
    planner = planner_for(tmp_path, [WRONG])
    world = World({T_ADD: F, T_OK: P}, {"wrong add": {T_ADD: P}})
    answer = world.answer

    def suite_fails(proposal: Proposal) -> Feedback:
        if isinstance(proposal, RunTests) and proposal.tests == () and world.applied == "wrong add":
            return ran(report({T_ADD: F, T_OK: F}))
        return answer(proposal)

    world.answer = suite_fails  # type: ignore[method-assign]
    proposals = world.run(planner)
    assert planner.verdict().status is SessionStatus.NOT_FIXED
    assert (T_OK,) not in [p.tests for p in proposals if isinstance(p, RunTests)]


T_X = "tests/test_m.py::test_x"


@pytest.mark.parametrize(
    ("issue_only", "breaks", "status"),
    [
        (True, (T_OK, T_X), SessionStatus.NOT_FIXED),
        (True, (T_OK,), SessionStatus.FIXED),
        (False, (T_OK,), SessionStatus.NOT_FIXED),
    ],
    ids=["issue-only-breaks-more", "issue-only", "tests-given"],
)
def test_a_new_patch_sent_with_obsolete_names_is_screened_plainly_then_with_them_set_aside(
    tmp_path: Path, issue_only: bool, breaks: tuple[str, ...], status: SessionStatus
) -> None:
    """Issue-only, a patch first seen with a test called obsolete is screened plainly, then with
    that test set aside; the model is told of every test either run broke. With the tests given,
    the names count for nothing."""
    strategy = FakeStrategy([BROKEN.model_copy(update={"obsolete": (T_OK,)})])
    (tmp_path / "m.py").write_text(SOURCE)
    planner = PhasePlanner(strategy, tmp_path, PlanOptions(language="python", workdir=str(tmp_path)))
    planner.scaffolding = ["tests/test_repro.py"] if issue_only else []
    World({T_ADD: F, T_OK: P, T_X: P}, {"breaks test_ok": {T_ADD: P, **dict.fromkeys(breaks, F)}}).run(planner)
    assert planner.verdict().status is status
    assert strategy.context is not None
    assert strategy.context.broken == ({BROKEN.diff(): breaks} if issue_only else {})


def test_localization_says_how_it_ranked_and_what_came_first(tmp_path: Path) -> None:
    """One event names the method (per-test coverage here) and the top lines."""
    from structlog.testing import capture_logs

    planner = planner_for(tmp_path, [FIX_ADD])
    with capture_logs() as logs:
        World({T_ADD: F, T_OK: P}, {"fix add": {T_ADD: P}}).run(planner)
    (localized,) = [e for e in logs if e["event"] == "planner.localized"]
    assert localized["by"] == "coverage" and localized["top"][0].startswith("m.py:")
    assert len(localized["top"]) <= 5 and localized["locations"] >= len(localized["top"])


def test_a_rejected_candidate_is_skipped_never_reproposed(tmp_path: Path) -> None:
    planner = planner_for(tmp_path, [WRONG, FIX_ADD])
    world = World({T_ADD: F, T_OK: P}, {"fix add": {T_ADD: P}}, rejected={"wrong add"})
    proposals = world.run(planner)
    after = proposals.index(next(p for p in proposals if p.rationale == "wrong add"))
    assert proposals[after + 1].rationale == "fix add"  # no revert of an edit that never landed
    assert edits(proposals).count("wrong add") == 1
    assert planner.verdict().status is SessionStatus.FIXED
    assert planner.candidates_tried == 2


class RevertRejected(World):
    """A world whose gate turns down the revert of a candidate that has landed."""

    def answer(self, proposal: Proposal) -> Feedback:
        if isinstance(proposal, Edit) and proposal.rationale == REVERT:
            return Feedback(GateDecision(accepted=False, rule="patch_does_not_apply", reason="drifted"))
        return super().answer(proposal)


def test_a_revert_that_cannot_land_ends_the_session_with_an_rfsn_error(tmp_path: Path) -> None:
    """A workspace the planner cannot restore is an ApplyError (an RfsnError), never a bare RuntimeError."""
    planner = planner_for(tmp_path, [WRONG, FIX_ADD])
    with pytest.raises(ApplyError, match="could not revert a candidate: drifted") as raised:
        RevertRejected({T_ADD: F, T_OK: P}, {"fix add": {T_ADD: P}}).run(planner)
    assert isinstance(raised.value, RfsnError)


def test_a_candidate_failing_the_failing_tests_is_reverted_then_the_next_is_tried(tmp_path: Path) -> None:
    planner = planner_for(tmp_path, [WRONG, FIX_ADD])
    world = World({T_ADD: F, T_OK: P}, {"wrong add": {T_ADD: F}, "fix add": {T_ADD: P}})
    proposals = world.run(planner)
    i = next(i for i, p in enumerate(proposals) if p.rationale == "wrong add")
    screen, revert, following = proposals[i + 1 : i + 4]
    assert isinstance(screen, RunTests) and screen.tests == (T_ADD,)  # the failing-tests tier only
    assert isinstance(revert, Edit) and revert.rationale == REVERT
    assert revert.patch == unified_diff("m.py", WRONG.patched, SOURCE)
    assert following.rationale == "fix add"
    assert "wrong add" not in edits(proposals)[edits(proposals).index("fix add") :]


def test_a_plausible_candidate_is_verified_then_fixed(tmp_path: Path) -> None:
    planner = planner_for(tmp_path, [FIX_ADD])
    proposals = World({T_ADD: F, T_OK: P}, {"fix add": {T_ADD: P}}).run(planner)
    assert [(p.phase, p.intent) for p in proposals] == [
        (Phase.REPRODUCE, "run_tests"),
        (Phase.REPRODUCE, "run_tests"),  # the failing tests once more
        (Phase.LOCALIZE, "run_tests"),
        (Phase.PATCH, "edit"),
        (Phase.PATCH, "run_tests"),
        (Phase.PATCH, "run_tests"),
        (Phase.PATCH, "edit"),  # revert after screening
        (Phase.VERIFY, "edit"),
        (Phase.VERIFY, "run_tests"),
        (Phase.VERIFY, "finish"),
    ]
    assert proposals[1].tests == (T_ADD,)  # type: ignore[union-attr]
    assert proposals[5].tests == ()  # the last tier is the whole suite  # type: ignore[union-attr]
    assert proposals[8].tests == (T_ADD,)  # that run stands: verify runs the targets again  # type: ignore[union-attr]
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.FIXED
    assert verdict.patch == FIX_ADD.diff() and proposals[7].patch == FIX_ADD.diff()  # type: ignore[union-attr]
    assert verdict.failing_before == [T_ADD] and verdict.failing_after == []


def test_a_fix_that_breaks_a_passing_test_is_not_plausible(tmp_path: Path) -> None:
    planner = planner_for(tmp_path, [BROKEN])
    world = World({T_ADD: F, T_OK: P}, {"breaks test_ok": {T_ADD: P, T_OK: F}})
    world.run(planner)
    assert planner.verdict().status is SessionStatus.NOT_FIXED
    assert world.applied is None  # reverted


def test_a_patch_whose_target_does_not_hold_in_verify_is_not_fixed(tmp_path: Path) -> None:
    planner = planner_for(tmp_path, [FIX_ADD])
    World({T_ADD: F, T_OK: P}, {"fix add": {T_ADD: P}}, verify={T_ADD: F, T_OK: P}).run(planner)
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.NOT_FIXED and verdict.failing_after == [T_ADD]


class RefusingWorld(World):
    """A runner that cannot address the targets by id (a parameter with an escaped character):
    a run that names them reports no test at all."""

    def answer(self, proposal: Proposal) -> Feedback:
        if isinstance(proposal, RunTests) and T_ADD in proposal.tests:
            return ran(TestReport(exit_code=4, log="ERROR: not found", duration=0.1))
        return super().answer(proposal)


def test_a_verify_run_the_runner_refused_leaves_the_screening_run_to_decide(tmp_path: Path) -> None:
    planner = planner_for(tmp_path, [FIX_ADD])
    proposals = RefusingWorld({T_ADD: F, T_OK: P}, {"fix add": {T_ADD: P}}).run(planner)
    assert planner.verdict().status is SessionStatus.FIXED, planner.verdict().message
    assert [p.tests for p in proposals if isinstance(p, RunTests) and p.phase is Phase.VERIFY] == [(T_ADD,)]


class UnstructuredWorld(World):
    """A test command judged by its exit status alone: every report says only that."""

    def answer(self, proposal: Proposal) -> Feedback:
        feedback = super().answer(proposal)
        if isinstance(proposal, RunTests) and feedback.outcome and feedback.outcome.report:
            return ran(feedback.outcome.report.model_copy(update={"structured": False}))
        return feedback


def test_a_command_judged_by_its_exit_status_runs_whole_again_in_verify(tmp_path: Path) -> None:
    """Its screening run says nothing per test: verify runs the command itself once more."""
    planner = planner_for(tmp_path, [FIX_ADD], targets=[SUITE_ID])
    proposals = UnstructuredWorld({SUITE_ID: F}, {"fix add": {SUITE_ID: P}}).run(planner)
    assert planner.verdict().status is SessionStatus.FIXED
    verify = [p for p in proposals if isinstance(p, RunTests) and p.phase is Phase.VERIFY]
    assert [p.tests for p in verify] == [()]


class FlakyWorld(World):
    """test_ok fails in the chosen runs of the whole suite with a candidate applied (a local
    server slow under load) and passes alone."""

    def __init__(
        self, flaky_runs: set[int], fail_fast: bool = False, reason: str = "", short: bool = False, **kwargs: object
    ) -> None:
        """``short``: the flaky run stopped at its failure limit with fewer ids than pytest counted
        (a call's failure and its teardown's error are two for ``--maxfail``, one id): test_mul,
        which passed at baseline, is missing from it."""
        baseline = {T_ADD: F, T_OK: P, **({T_MUL: P} if short else {})}
        super().__init__(baseline, {"fix add": {T_ADD: P}}, **kwargs)  # type: ignore[arg-type]
        self.flaky_runs, self.suite_runs, self.fail_fast, self.reason = flaky_runs, 0, fail_fast, reason
        self.short = short

    def answer(self, proposal: Proposal) -> Feedback:
        feedback = super().answer(proposal)
        if isinstance(proposal, RunTests) and not proposal.tests and self.applied and feedback.outcome:
            self.suite_runs += 1
            if self.suite_runs in self.flaky_runs:
                assert feedback.outcome.report is not None
                stops_at = 1 if self.fail_fast else 2 if self.short else None  # 1: stopped at this failure
                tests = {t: s for t, s in feedback.outcome.report.tests.items() if not (self.short and t == T_MUL)}
                return ran(report({**tests, T_OK: F}, stops_at=stops_at, reason=self.reason))
        return feedback


def test_a_test_that_fails_in_the_covering_tier_and_passes_alone_is_flaky_not_broken(tmp_path: Path) -> None:
    """The tier of tests covering the edit stops at its first failure: a flake there (sympy's
    hash seed) is run alone too, as one in the whole suite is (before, the fix was refused)."""
    targets = {T_ADD: F, T_MUL: F, "tests/test_m.py::test_x": F}
    planner = planner_for(tmp_path, [FIX_ADD])
    world = World({**targets, T_OK: P}, {"fix add": dict.fromkeys(targets, P)})
    answer, runs = world.answer, {"ok": 0}

    def once_flaky(proposal: Proposal) -> Feedback:
        feedback = answer(proposal)
        if isinstance(proposal, RunTests) and proposal.tests == (T_OK,) and world.applied and feedback.outcome:
            runs["ok"] += 1
            if runs["ok"] == 1:
                return ran(report({T_OK: F}))
        return feedback

    world.answer = once_flaky  # type: ignore[method-assign]
    proposals = world.run(planner)
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.FIXED, verdict.message
    assert [p.tests for p in proposals if isinstance(p, RunTests) and p.phase is Phase.PATCH][1:3] == [
        (T_OK,),
        (T_OK,),
    ]  # the covering tier, then its broken test alone
    assert verdict.concerns == [f"{T_OK} failed in a run with the patch and passed alone: flaky"]


def test_a_test_that_fails_with_the_fix_and_passes_alone_is_flaky_not_broken(tmp_path: Path) -> None:
    planner = planner_for(tmp_path, [FIX_ADD])
    proposals = FlakyWorld({1}).run(planner)
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.FIXED, verdict.message
    alone = [p for p in proposals if isinstance(p, RunTests) and p.tests == (T_OK,)]
    assert len(alone) == 1
    assert verdict.concerns == [f"{T_OK} failed in a run with the patch and passed alone: flaky"]


@pytest.mark.parametrize(
    ("fail_fast", "reason", "short", "suite_runs"),
    [(False, "", False, 1), (True, "", False, 2), (False, "killed by signal 11", False, 2), (False, "", True, 2)],
)
def test_a_whole_suite_that_ran_to_its_end_is_judged_again_without_its_flakes_not_run_again(
    tmp_path: Path, fail_fast: bool, reason: str, short: bool, suite_runs: int
) -> None:
    """Once the test a fix broke passed alone (flaky), a whole suite that ran to its end is judged
    again without it (sympy-20590's takes 13 minutes); one that stopped at its failure limit,
    ended abnormally, or left out a test it was to run, did not run the rest, and runs again."""
    planner = planner_for(tmp_path, [FIX_ADD])
    world = FlakyWorld({1}, fail_fast=fail_fast, reason=reason, short=short)
    world.run(planner)
    assert planner.verdict().status is SessionStatus.FIXED, planner.verdict().message
    assert world.suite_runs == suite_runs


def test_a_passing_test_the_per_test_limit_stopped_runs_alone_with_no_such_limit(tmp_path: Path) -> None:
    """Under load a test near the per-test limit at baseline (sympy-20590's test_Lomax) is
    stopped by it in the whole suite, and alone as well while the limit holds: it runs alone with
    none, bounded by the recheck's own limit, and is flaky, not broken by the fix."""
    planner = planner_for(tmp_path, [FIX_ADD])
    world = World({T_ADD: F, T_OK: P}, {"fix add": {T_ADD: P}})
    answer = world.answer

    def slow(proposal: Proposal) -> Feedback:
        feedback = answer(proposal)
        measured = feedback.outcome.report if feedback.outcome else None
        if (
            isinstance(proposal, RunTests)
            and world.applied
            and proposal.case_limit
            and measured
            and T_OK in measured.tests
        ):
            return ran(report({**measured.tests, T_OK: Status.TIMEOUT}))
        return feedback

    world.answer = slow  # type: ignore[method-assign]
    proposals = world.run(planner)
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.FIXED, verdict.message
    alone = [p for p in proposals if isinstance(p, RunTests) and p.tests == (T_OK,)]
    assert [p.case_limit for p in alone] == [False]


def test_a_test_that_fails_alone_too_is_broken(tmp_path: Path) -> None:
    planner = planner_for(tmp_path, [BROKEN])
    proposals = World({T_ADD: F, T_OK: P}, {"breaks test_ok": {T_ADD: P, T_OK: F}}).run(planner)
    assert planner.verdict().status is SessionStatus.NOT_FIXED
    assert [p.tests for p in proposals if isinstance(p, RunTests) and p.phase is Phase.PATCH] == [
        (T_ADD,),
        (),
        (T_OK,),
    ]  # the failing test, the suite, the test that broke alone


T_LIST = "tests/test_m.py::test_lists_the_folder"


class ReproducedWorld(World):
    """An issue-only session after its reproduction: test_lists_the_folder passed at baseline,
    before the reproduction's file was there; now it fails in every run, with or without a
    candidate."""

    def __init__(self, fixes: Mapping[str, Mapping[str, Status]]) -> None:
        super().__init__({T_ADD: F, T_OK: P, T_LIST: P}, fixes)

    def answer(self, proposal: Proposal) -> Feedback:
        feedback = super().answer(proposal)
        report_ = feedback.outcome.report if feedback.outcome else None
        if (
            isinstance(proposal, RunTests)
            and proposal.phase is not Phase.REPRODUCE
            and report_
            and T_LIST in report_.tests
            and not proposal.coverage
        ):
            return ran(report({**report_.tests, T_LIST: F}))
        return feedback


def reproduced(tmp_path: Path, candidates: Iterable[Candidate]) -> PhasePlanner:
    planner = planner_for(tmp_path, candidates)
    planner.scaffolding = ["tests/test_repro.py"]
    return planner


def no_candidate_runs(proposals: list[Proposal]) -> list[Proposal]:
    return [p for p in proposals if isinstance(p, RunTests) and "no candidate" in p.rationale]


def test_a_test_the_reproductions_file_broke_is_stale_and_the_candidate_screened_again(tmp_path: Path) -> None:
    """It fails in the whole suite with no candidate applied too: set aside (once a session, in
    one whole-suite run), the candidate screened again and fixed, the verdict naming it."""
    planner = reproduced(tmp_path, [FIX_ADD])
    proposals = ReproducedWorld({"fix add": {T_ADD: P}}).run(planner)
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.FIXED, verdict.message
    assert [p.tests for p in no_candidate_runs(proposals)] == [()]  # type: ignore[attr-defined]
    assert edits(proposals).count("fix add") == 2  # screened, then screened again
    assert verdict.concerns == [
        f"{T_LIST} does not pass with the reproduction's file in place, with or without the patch"
    ]


def test_a_test_that_passes_with_no_candidate_applied_stays_broken_by_the_candidate(tmp_path: Path) -> None:
    """The run with no candidate is made once, and a test that passes there is a regression."""
    planner = reproduced(tmp_path, [BROKEN, candidate("return a - b", "return 1", "breaks it too")])
    world = World({T_ADD: F, T_OK: P}, {"breaks test_ok": {T_ADD: P, T_OK: F}, "breaks it too": {T_ADD: P, T_OK: F}})
    proposals = world.run(planner)
    assert planner.verdict().status is SessionStatus.NOT_FIXED
    assert len(no_candidate_runs(proposals)) == 1
    assert edits(proposals).count("breaks test_ok") == 1  # not screened again


def test_without_a_reproduction_a_broken_test_is_never_run_with_no_candidate(tmp_path: Path) -> None:
    planner = planner_for(tmp_path, [BROKEN])
    proposals = World({T_ADD: F, T_OK: P}, {"breaks test_ok": {T_ADD: P, T_OK: F}}).run(planner)
    assert planner.verdict().status is SessionStatus.NOT_FIXED and not no_candidate_runs(proposals)


class VerifyRefused(World):
    """A world whose gate turns down applying the chosen patch again in verify."""

    def answer(self, proposal: Proposal) -> Feedback:
        if isinstance(proposal, Edit) and proposal.phase is Phase.VERIFY:
            return Feedback(GateDecision(accepted=False, rule="protected_path", reason="now protected"))
        return super().answer(proposal)


def test_a_chosen_patch_the_gate_refuses_in_verify_says_so(tmp_path: Path) -> None:
    planner = planner_for(tmp_path, [FIX_ADD])
    proposals = VerifyRefused({T_ADD: F, T_OK: P}, {"fix add": {T_ADD: P}}).run(planner)
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.NOT_FIXED
    assert verdict.message == "the chosen patch could not be applied again: now protected"
    assert not any(isinstance(p, RunTests) and p.phase is Phase.VERIFY for p in proposals)


def test_two_partial_fixes_are_combined(tmp_path: Path) -> None:
    planner = planner_for(tmp_path, [FIX_ADD, FIX_MUL])
    both = "fix add; and fix mul"
    world = World(
        {T_ADD: F, T_MUL: F, T_OK: P}, {"fix add": {T_ADD: P}, "fix mul": {T_MUL: P}, both: {T_ADD: P, T_MUL: P}}
    )
    proposals = world.run(planner)
    # the pair's edits are each dropped and the rest screened again: neither holds alone
    assert edits(proposals) == [
        "fix add",
        REVERT,
        "fix mul",
        REVERT,
        both,
        REVERT,
        "fix mul",
        REVERT,
        "fix add",
        REVERT,
        f"apply {both}",
    ]
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.FIXED
    assert "+    return a + b" in verdict.patch and "+    return a * b" in verdict.patch
    assert verdict.template == "fix add+fix mul"
    assert verdict.checks == ["minimal: each of its 2 edits is needed (dropped alone, the patch did not hold)"]
    assert planner.candidates_tried == 5


class Flaky(World):
    """A World whose answers for a candidate change with each time it is applied (the last repeats)."""

    def __init__(self, baseline: Mapping[str, Status], runs: Mapping[str, list[Mapping[str, Status]]]) -> None:
        super().__init__(baseline, {})
        self.runs, self.applied_times = runs, {name: 0 for name in runs}

    def answer(self, proposal: Proposal) -> Feedback:
        if isinstance(proposal, Edit) and proposal.rationale in self.runs:
            answers = self.runs[proposal.rationale]
            self.fixes = {proposal.rationale: answers[min(self.applied_times[proposal.rationale], len(answers) - 1)]}
            self.applied_times[proposal.rationale] += 1
        return super().answer(proposal)


def test_a_baseline_failure_that_passes_when_run_again_is_not_a_target_socket_test(tmp_path: Path) -> None:
    """A test of the sandbox's network fails at baseline and passes when run again: it is no
    target (no fix is sought for it), and the result says why."""
    planner = planner_for(tmp_path, [FIX_ADD, FIX_MUL])

    class Again(World):
        def answer(self, proposal: Proposal) -> Feedback:
            if isinstance(proposal, RunTests) and proposal.phase is Phase.REPRODUCE and proposal.tests:
                return ran(report({T_ADD: F, T_MUL: P}))  # the failing tests once more
            return super().answer(proposal)

    world = Again({T_ADD: F, T_MUL: F, T_OK: P}, {"fix add": {T_ADD: P}, "fix mul": {T_ADD: F}})
    proposals = world.run(planner)
    assert edits(proposals)[0] == "fix add" and edits(proposals)[-1] == "apply fix add"
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.FIXED and verdict.failing_before == [T_ADD]
    flaky = [g for g in verdict.groups if g.tests == [T_MUL]]
    assert [(g.outcome, g.why) for g in flaky] == [
        ("known", "failed at baseline and passed when run again: flaky, not a target")
    ]


class Reruns(World):
    """A World whose baseline is ``first`` and whose reproduce runs after it report ``alone`` (the
    failing tests run by id) or ``whole`` (the whole suite once more)."""

    def __init__(
        self,
        first: Mapping[str, Status],
        alone: Mapping[str, Status],
        whole: Mapping[str, Status],
        fixes: Mapping[str, Mapping[str, Status]],
        structured: bool = True,
    ) -> None:
        super().__init__(first, fixes)
        self.alone, self.whole, self.structured, self.reproduce_runs = alone, whole, structured, 0

    def answer(self, proposal: Proposal) -> Feedback:
        if isinstance(proposal, RunTests) and proposal.phase is Phase.REPRODUCE:
            self.reproduce_runs += 1
            now = self.baseline if self.reproduce_runs == 1 else self.alone if proposal.tests else self.whole
            return ran(report(now, structured=self.structured))
        return super().answer(proposal)


def test_a_baseline_whose_every_failure_passes_when_run_again_is_not_reproduced(tmp_path: Path) -> None:
    """Every target passed run alone, and again in the whole suite: flaky, all of them."""
    planner = planner_for(tmp_path, [FIX_ADD])
    world = Reruns({T_ADD: F, T_OK: P}, {T_ADD: P}, {T_ADD: P, T_OK: P}, {"fix add": {T_ADD: P}})
    proposals = world.run(planner)
    assert edits(proposals) == [] and world.reproduce_runs == 3
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.NOT_REPRODUCED
    assert verdict.message == "every failing test passed when run again: flaky"


def test_a_failure_that_passes_alone_but_fails_again_in_the_whole_suite_stays_a_target(tmp_path: Path) -> None:
    """A test that fails only after others ran (what they leave behind) passes run by its id: the
    whole suite run once more shows it still fails, and the session repairs it: the rule that drops
    flaky targets never leaves none where the failures reproduce."""
    planner = planner_for(tmp_path, [FIX_ADD])
    world = Reruns({T_ADD: F, T_OK: P}, {T_ADD: P}, {T_ADD: F, T_OK: P}, {"fix add": {T_ADD: P}})
    proposals = world.run(planner)
    assert edits(proposals)[-1] == "apply fix add" and world.reproduce_runs == 3
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.FIXED and verdict.failing_before == [T_ADD]
    assert all(g.cause != "passed when run again" for g in verdict.groups)


def test_a_test_command_judged_by_its_exit_status_runs_whole_once_more_naming_no_test(tmp_path: Path) -> None:
    """A command with no test ids (``--test-cmd``): the run once more is the command itself, never
    a run of its placeholder id (the Docker session of the quickstart proposed one)."""
    planner = planner_for(tmp_path, [FIX_ADD])
    world = Reruns({SUITE_ID: F}, {}, {SUITE_ID: F}, {"fix add": {SUITE_ID: P}}, structured=False)
    proposals = world.run(planner)
    reproduce = [p for p in proposals if isinstance(p, RunTests) and p.phase is Phase.REPRODUCE]
    assert len(reproduce) == 2 and all(p.tests == () for p in reproduce)
    assert planner.verdict().failing_before == [SUITE_ID]


def test_an_edit_a_pair_holds_without_is_dropped_split_to_rsplit_kept_for_a_flaky_test(tmp_path: Path) -> None:
    """A partial fix and an edit that changes nothing, paired because a flaky target passed by
    chance with the second: the first alone holds once screened again, and it is the patch."""
    noop = candidate("a + b", "b + a", "no-op on mul")
    planner = planner_for(tmp_path, [FIX_ADD, noop])
    world = Flaky(
        {T_ADD: F, T_MUL: F, T_OK: P},
        {
            "fix add": [{T_ADD: P}, {T_ADD: P, T_MUL: P}],
            "no-op on mul": [{T_MUL: P}, {}],
            "fix add; and no-op on mul": [{T_ADD: P, T_MUL: P}],
        },
    )
    proposals = world.run(planner)
    assert edits(proposals)[-3:] == ["fix add", REVERT, "apply fix add"]
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.FIXED
    assert verdict.patch == FIX_ADD.diff() and verdict.template == "fix add"
    assert verdict.checks == ["minimal: one edit left", "dropped m.py:6 `a + b` -> `b + a`: the patch held without it"]


def test_a_rejected_finish_is_proposed_again(tmp_path: Path) -> None:
    """The plan is over once it finished; if the gate refuses that Finish, the planner repeats it
    (the controller's budget bounds the repetition) instead of raising StopIteration."""
    planner = planner_for(tmp_path, [FIX_ADD])
    world = World({T_OK: P}, {})
    planner.observe(world.answer(planner.next()))
    finish = planner.next()
    planner.observe(Feedback(GateDecision(accepted=False, rule="phase_violation", reason="not now")))
    assert planner.next() == finish
    assert planner.verdict().status is SessionStatus.NOT_REPRODUCED


def test_a_given_test_id_cut_at_whitespace_names_the_test_it_was_cut_from(tmp_path: Path) -> None:
    """SWE-bench's datasets hold ids as its harness names them: ``test_x[a and b]`` is
    ``test_x[a``. Given so (``rfsn batch --oracle-tests``), it is that test, not "no such test"."""
    param = "tests/test_m.py::test_add[a and b]"
    planner = planner_for(tmp_path, [FIX_ADD], targets=["tests/test_m.py::test_add[a"])
    World({param: F, T_OK: P}, {"fix add": {param: P}}).run(planner)
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.FIXED and verdict.failing_before == [param]


class NoCoverage(World):
    """Neither coverage nor the test output points anywhere."""

    def answer(self, proposal: Proposal) -> Feedback:
        if isinstance(proposal, RunTests) and proposal.coverage:
            return ran(report(self.baseline))
        return super().answer(proposal)


class FindsCode(FakeStrategy):
    finds_code = True


@pytest.mark.parametrize("strategy", [FakeStrategy, FindsCode])
def test_with_nothing_localized_only_a_strategy_that_finds_code_itself_is_asked(
    tmp_path: Path, strategy: type[FakeStrategy]
) -> None:
    (tmp_path / "m.py").write_text(SOURCE)
    chosen = strategy([FIX_ADD])
    planner = PhasePlanner(chosen, tmp_path, PlanOptions(language="python", workdir=str(tmp_path)))
    NoCoverage({T_ADD: F, T_OK: P}, {"fix add": {T_ADD: P}}).run(planner)
    if strategy is FindsCode:
        assert planner.verdict().status is SessionStatus.FIXED
        assert chosen.context is not None and chosen.context.locations == []
    else:
        assert planner.verdict().status is SessionStatus.NOT_FIXED
        assert "could not localize the fault" in planner.verdict().message and chosen.context is None


class TwoTracebacks(NoCoverage):
    """No coverage; the baseline prints an unrelated failure's traceback before the target's."""

    LOG = (
        "=================================== FAILURES ===================================\n"
        "_________________________________ test_other _________________________________\n"
        "other.py:3: in broken\n    raise OSError\nE   OSError\n"
        "__________________________________ test_add __________________________________\n"
        "m.py:2: in add\n    return a - b\nE   AssertionError\n"
    )

    def answer(self, proposal: Proposal) -> Feedback:
        if (
            isinstance(proposal, RunTests)
            and not proposal.coverage
            and self.applied is None
            and proposal.phase is Phase.REPRODUCE
        ):
            return ran(report(self.baseline, log=self.LOG))
        return super().answer(proposal)


def test_a_targets_frames_are_read_from_its_own_traceback(tmp_path: Path) -> None:
    """Given test_add, the baseline also fails test_other and prints it first: its frames
    (other.py) are no evidence about test_add."""
    (tmp_path / "m.py").write_text(SOURCE)
    (tmp_path / "other.py").write_text("def broken():\n    x = 1\n    raise OSError\n")
    chosen = FakeStrategy([FIX_ADD])
    planner = PhasePlanner(chosen, tmp_path, PlanOptions(language="python", workdir=str(tmp_path), targets=(T_ADD,)))
    TwoTracebacks({T_ADD: F, "tests/test_m.py::test_other": F, T_OK: P}, {"fix add": {T_ADD: P}}).run(planner)
    assert chosen.context is not None
    assert {loc.file for loc in chosen.context.locations} == {"m.py"}


def test_screening_stops_while_the_budget_left_holds_verifying_the_plausible_patch_humanize_e5a3976(
    tmp_path: Path,
) -> None:
    """With a plausible patch in hand, a candidate more is screened only while the seconds left
    hold its screening (as long as the plausible one's took) and verifying the plausible patch
    after it. The history corpus's repair run (s6): the gold patch was plausible 10 s before the
    end (its whole-suite tier took 40 s), more candidates were screened, and the budget ended
    before verify."""
    clock = {"left": 60.0}
    world = World({T_ADD: F, T_OK: P}, {"fix add": {T_ADD: P}})
    answer = world.answer

    def timed(proposal: Proposal) -> Feedback:
        if isinstance(proposal, RunTests) and proposal.phase is not Phase.REPRODUCE and not proposal.coverage:
            clock["left"] -= 2.0 if proposal.tests else 40.0  # the targets, or the whole suite
        return answer(proposal)

    world.answer = timed  # type: ignore[method-assign]
    wrong = [candidate("a - b", f"a - b - {n}", f"wrong {n}") for n in range(10)]
    (tmp_path / "m.py").write_text(SOURCE)
    planner = PhasePlanner(
        FakeStrategy([FIX_ADD, *wrong]),
        tmp_path,
        PlanOptions(language="python", workdir=str(tmp_path)),
        seconds_left=lambda: clock["left"],
    )
    proposal = planner.next()
    while not isinstance(proposal, Finish) and clock["left"] > 0:  # the controller's budget check
        world.proposals.append(proposal)
        planner.observe(world.answer(proposal))
        proposal = planner.next()
    assert isinstance(proposal, Finish) and planner.verdict().status is SessionStatus.FIXED
    assert edits(world.proposals) == ["fix add", REVERT, "apply fix add"]  # no candidate after it
    assert clock["left"] > 0
    assert planner.unverified("the budget") is None  # the plan gave its verdict


class Timed(World):
    """Runs that report their tests' durations: the runs before any candidate take ``cold``
    seconds (a cold start-up), the screening runs ``warm`` (forked from a warm runner)."""

    def __init__(self, *args: object, cold: float, warm: float, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.cold, self.warm = cold, warm

    def answer(self, proposal: Proposal) -> Feedback:
        fb = super().answer(proposal)
        test_report = fb.outcome.report if fb.outcome else None
        if test_report is not None:
            test_report.duration = self.warm if proposal.phase is Phase.PATCH else self.cold
            test_report.durations = dict.fromkeys(test_report.tests, 0.01)
        return fb


def test_a_screening_limit_carries_the_start_up_the_screening_runs_showed_not_the_baselines_tokenizer(
    tmp_path: Path,
) -> None:
    """The first candidate's run gets the baseline's cold start-up (5.1 s for 0.02 s of tests);
    the next ones the start-up of the warm runs before them, and the cold one's difference for a
    run that starts cold."""
    planner = planner_for(tmp_path, [WRONG, BROKEN, FIX_ADD])
    proposals = Timed({T_ADD: F, T_OK: P}, {"fix add": {T_ADD: P}}, cold=5.1, warm=0.3).run(planner)
    limits = [p.timeout for p in proposals if isinstance(p, RunTests) and p.phase is Phase.PATCH and p.tests]
    assert limits[0] == pytest.approx(5.1 - 0.02 + 10 * 0.01 + 1.0)
    assert limits[1:] and all(limit == pytest.approx(0.3 - 0.01 + 10 * 0.01 + 1.0) for limit in limits[1:])
    # a run the warm runner does not fork (an edit it cannot swap in) still has the cold start-up
    colds = [p.cold_start for p in proposals if isinstance(p, RunTests) and p.phase is Phase.PATCH and p.tests]
    assert colds[0] == 0.0 and all(cold == pytest.approx(5.08 - 0.29) for cold in colds[1:])
    assert planner.verdict().status is SessionStatus.FIXED
