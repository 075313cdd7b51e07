"""The controller loop: the planner proposes, the gate disposes, the controller executes.

proposal = planner.next()
decision = gate.approve(proposal)      rejected -> planner.observe(rejection); loop
outcome  = executor.run(approved)
planner.observe(outcome)               until a Finish is accepted or a budget is spent
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rfsn.controller.budget import Usage
from rfsn.controller.executor import Executor
from rfsn.controller.trajectory import Trajectory
from rfsn.gate import Gate, GateContext
from rfsn.models import Finish, Outcome, Proposal
from rfsn.observability.logging import bind, get_logger
from rfsn.observability.metrics import PROPOSALS
from rfsn.planners.base import Feedback, Planner, Verdict

log = get_logger(__name__)


@dataclass(frozen=True)
class Step:
    """One turn of the loop, as observers (e.g. the live display) see it."""

    number: int
    proposal: Proposal
    feedback: Feedback


class Controller:
    def __init__(
        self,
        planner: Planner,
        gate: Gate,
        executor: Executor,
        usage: Usage,
        trajectory: Trajectory,
        workspace: Path,
        buildpack: str,
        on_step: Callable[[Step], None] | None = None,
    ) -> None:
        self.planner, self.gate, self.executor, self.usage = planner, gate, executor, usage
        self.trajectory, self.workspace, self.buildpack = trajectory, workspace, buildpack
        self.on_step = on_step
        self.reported_tests: frozenset[str] = frozenset()

    def _context(self) -> GateContext:
        b, u = self.usage.budget, self.usage
        return GateContext(
            workspace=self.workspace,
            phase=self.planner.phase,
            buildpack=self.buildpack,
            steps_used=u.steps,
            steps_max=b.max_steps,
            seconds_used=u.seconds,
            seconds_max=b.max_seconds,
            tokens_used=u.tokens,
            tokens_max=b.max_tokens,
            cost_used=u.cost,
            cost_max=b.max_cost,
            reported_tests=self.reported_tests,
        )

    def run(self) -> Verdict:
        """Loop until the planner's Finish is accepted; BudgetExhausted ends it early."""
        while True:
            self.usage.check()
            proposal = self.planner.next()
            context = self._context()  # this step is not spent yet: the gate sees the steps before it
            self.usage.steps += 1
            phase = self.planner.phase.value
            bind(step=self.usage.steps, phase=phase)
            PROPOSALS.labels(proposal.intent, phase).inc()
            log.info("controller.proposal", intent=proposal.intent, rationale=proposal.rationale[:200])
            started = time.monotonic()
            decision, approved = self.gate.approve(proposal, context)
            outcome: Outcome | None = self.executor.run(approved) if approved is not None else None
            if outcome is not None:
                log.info("controller.outcome", intent=outcome.intent, ok=outcome.ok, detail=outcome.detail)
                if outcome.report is not None and not self.reported_tests.issuperset(outcome.report.tests):
                    self.reported_tests |= outcome.report.tests.keys()
            self.trajectory.record(self.usage.steps, phase, proposal, decision, outcome, time.monotonic() - started)
            feedback = Feedback(decision, outcome)
            self.planner.observe(feedback)
            if self.on_step is not None:
                self.on_step(Step(self.usage.steps, proposal, feedback))
            if isinstance(proposal, Finish) and decision.accepted:
                return self.planner.verdict()
