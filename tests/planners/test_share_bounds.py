"""A try's share bounds the runs made in it: a candidate's screening runs and the coverage run of
its localization end with what is left of the share, not the session's budget."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from rfsn.models import Phase, Proposal, RunTests, SessionStatus, TestReport
from rfsn.models import TestStatus as Status
from rfsn.planners.base import Feedback, RepairContext
from rfsn.planners.meta import PhasePlanner, PlanOptions
from tests.planners.test_group_shares import LOG
from tests.planners.test_meta import FIX_MUL, T_ADD, T_MUL, T_OK, F, P, World, candidate, ran, report

HANGS = candidate("a - b", "a - b - 0", "hangs")


def _cut(proposal: RunTests) -> Feedback:
    """A run killed at its limit, having reported nothing."""
    return ran(
        TestReport(
            tests=dict.fromkeys(proposal.tests, Status.ERROR),
            exit_code=124,
            timed_out=True,
            duration=proposal.timeout or 0.0,
            unreached=list(proposal.tests),
        )
    )


class HangsForAdd:
    name = "hangs"

    def candidates(self, context: RepairContext) -> Iterable[object]:
        return iter([FIX_MUL] if context.failing == [T_MUL] else [HANGS])


def test_a_screening_run_ends_with_what_is_left_of_its_tries_share_cron_bc59245(tmp_path: Path) -> None:
    """A run that can only reject its candidate is cut at what is left of its try's share (cron
    bc59245: a candidate hanging a timing test's screening ran 299 s past its group's 20 s share;
    a slow test's limit is ten times its baseline time)."""
    clock = {"left": 600.0}

    class Slow(World):
        def answer(self, proposal: Proposal) -> Feedback:
            if isinstance(proposal, RunTests) and proposal.phase is Phase.REPRODUCE:
                durations = {T_ADD: 30.0, T_MUL: 0.1, T_OK: 0.1}  # the tiers' limit: 302 s
                return ran(report(self.baseline, log=LOG, durations=durations).model_copy(update={"duration": 100.0}))
            if isinstance(proposal, RunTests) and self.applied == "hangs":
                clock["left"] -= proposal.timeout or 0.0
                return _cut(proposal)
            clock["left"] -= 1
            return super().answer(proposal)

    world = Slow({T_ADD: F, T_MUL: F, T_OK: P}, {"fix mul": {T_MUL: P}}, log=LOG)
    planner = PhasePlanner(
        HangsForAdd(),  # type: ignore[arg-type]
        tmp_path,
        PlanOptions(language="python", workdir="/testbed"),
        seconds_left=lambda: clock["left"],
    )
    with capture_logs() as events:
        world.run(planner, limit=100)
    shares = [e["share_seconds"] for e in events if e["event"] == "planner.group"]
    hung = [p.timeout for p in world.proposals if isinstance(p, RunTests) and p.rationale.startswith("screen hangs")]
    assert len(hung) == 2 and hung[0] < shares[0] and hung[1] < shares[1] < 302
    assert planner.verdict().status is SessionStatus.FIXED and clock["left"] > 150  # mul's try had its time


def test_a_coverage_run_ends_with_its_measuring_time_and_the_stack_frames_rank_pyparsing_a49e569(
    tmp_path: Path,
) -> None:
    """The coverage run of a localization is itself bounded by its measuring time (pyparsing
    a49e569: the groups together's one-command Python coverage run went on 288 s to the session's
    end, past the bound its later commands kept); cut, the ranking is the stack frames'."""
    clock = {"left": 600.0}

    class SlowCoverage(World):
        def answer(self, proposal: Proposal) -> Feedback:
            if isinstance(proposal, RunTests) and proposal.coverage:
                clock["left"] -= min(proposal.timeout or 500.0, 500.0)
                return _cut(proposal)
            clock["left"] -= 1
            return super().answer(proposal)

    world = SlowCoverage({T_ADD: F, T_MUL: F, T_OK: P}, {"fix mul": {T_MUL: P}}, log=LOG)
    planner = PhasePlanner(
        HangsForAdd(),  # type: ignore[arg-type]
        tmp_path,
        PlanOptions(language="python", workdir="/testbed"),
        seconds_left=lambda: clock["left"],
    )
    with capture_logs() as events:
        world.until_patch(planner)
    runs = [p for p in world.proposals if isinstance(p, RunTests) and p.coverage]
    assert runs and all(p.timeout is not None and p.timeout == p.measure_within for p in runs)
    assert runs[0].timeout == pytest.approx(598 / 3)  # half of the groups together's shares (2 of 3)
    assert {e["by"] for e in events if e["event"] == "planner.localized"} == {"stack frames"}
