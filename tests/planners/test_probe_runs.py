"""The probe runs of verify without a patch: one run serves every plausible patch of a function
whose probe it sees all of (the same returns and condition, on the same tests), as the
quickstart's two fixes of one condition (``quantity > BULK_THRESHOLD``: its operator, its left
operand) do; a run that fails gives back each patch's own."""

from __future__ import annotations

from pathlib import Path

from rfsn.models import Probe, Probed, Proposal, RunTests, SessionStatus
from rfsn.planners.base import Feedback
from rfsn.planners.meta import PhasePlanner, PlanOptions
from rfsn.planners.verify.types import shared
from tests.planners.test_meta import T_ADD, T_OK, FakeStrategy, World, candidate, ran
from tests.planners.test_meta import F as FAILED
from tests.planners.test_meta import P as PASSED

CONDITION = "def add(a, b):\n    if a > b:\n        return a - b\n    return b\n"


OPERATOR = candidate("a > b", "a >= b", "weaken add", source=CONDITION)
OPERAND = candidate("a > b", "a + 1 > b", "shift add", source=CONDITION)


class ProbeWorld(World):
    """Both candidates fix the failing test; a probe run without a patch that records a value
    reports ``error`` when one is given."""

    def __init__(self, error: str = "") -> None:
        super().__init__({T_ADD: FAILED, T_OK: PASSED}, {"weaken add": {T_ADD: PASSED}, "shift add": {T_ADD: PASSED}})
        self.error = error

    def answer(self, proposal: Proposal) -> Feedback:
        feedback = super().answer(proposal)
        if not isinstance(proposal, RunTests) or proposal.probe is None or feedback.outcome is None:
            return feedback
        assert feedback.outcome.report is not None
        failed = self.error if self.applied is None and proposal.probe.value is not None else ""
        seen = {} if proposal.probe.value is None else {T_OK: [("builtins.int", False)]}
        probed = Probed(values=seen, returns={T_OK: [("builtins.int", False)]}, error=failed)
        return ran(feedback.outcome.report.model_copy(update={"probed": probed}))


def probe_runs(tmp_path: Path, world: ProbeWorld) -> tuple[list[tuple[bool, bool]], PhasePlanner]:
    """(with the patch, records a value) of each probe run, in order, and the planner."""
    (tmp_path / "m.py").write_text(CONDITION)
    planner = PhasePlanner(
        FakeStrategy([OPERATOR, OPERAND]), tmp_path, PlanOptions(language="python", workdir=str(tmp_path), probes=True)
    )
    proposals = world.run(planner)
    runs = [p for p in proposals if isinstance(p, RunTests) and p.probe is not None]
    return [(T_ADD in p.tests, p.probe.value is not None) for p in runs], planner  # type: ignore[union-attr]


def test_one_run_without_the_patch_serves_both_fixes_of_a_condition_quickstart(tmp_path: Path) -> None:
    runs, planner = probe_runs(tmp_path, ProbeWorld())
    assert runs == [(False, True), (True, False), (True, True)]
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.FIXED
    assert [a.concerns for a in verdict.alternatives] == [[]]


def test_a_shared_run_that_fails_gives_each_patch_its_own(tmp_path: Path) -> None:
    runs, _ = probe_runs(tmp_path, ProbeWorld(error="the expression was not found"))
    assert runs == [(False, True), (False, False), (True, False), (True, True)]


def test_only_a_probe_that_sees_all_another_sees_on_the_same_tests_serves_it() -> None:
    bare = Probe(path="m.py", function="add", returns=(), condition=(("body", 0), ("test", None)))
    left = bare.model_copy(update={"value": (("body", 0), ("test", None), ("left", None)), "node": ("Name", 2, 7)})
    right = bare.model_copy(update={"value": (("body", 0), ("test", None), ("comparators", 0))})
    other = bare.model_copy(update={"function": "mul"})
    tests = ("t::a",)
    assert shared([(bare, tests), (left, tests), (other, tests)]) == {bare: left}
    assert shared([(bare, tests), (left, ("t::b",))]) == {}
    assert shared([(bare, tests), (left, tests), (right, tests)]) == {}  # two expressions: one run each
