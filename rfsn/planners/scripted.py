"""ScriptedPlanner: a deterministic Planner for tests (a test double, not a repair strategy).

It proposes the given steps in order, each in its phase, then a Finish, and
records every Feedback it observed, so a test can drive the real controller
and assert on what the gate and the executor made of each proposal::

    planner = ScriptedPlanner([(Phase.REPRODUCE, RunTests()), (Phase.VERIFY, Finish(reason="done"))],
                              Verdict(status=SessionStatus.FIXED))
"""

from __future__ import annotations

from collections.abc import Sequence

from rfsn.models import Finish, Phase, Proposal
from rfsn.planners.base import Feedback, Verdict


class ScriptedPlanner:
    """Proposes ``steps`` in order; once they run out, finishes (in verify) with ``final``."""

    def __init__(self, steps: Sequence[tuple[Phase, Proposal]], final: Verdict) -> None:
        self.steps = list(steps)
        self.final = final
        self.phase = self.steps[0][0] if self.steps else Phase.VERIFY
        self.proposed: list[Proposal] = []
        self.observed: list[Feedback] = []

    def next(self) -> Proposal:
        if len(self.proposed) < len(self.steps):
            self.phase, proposal = self.steps[len(self.proposed)]
        else:
            self.phase, proposal = Phase.VERIFY, Finish(reason=self.final.message or "script done")
        self.proposed.append(proposal)
        return proposal

    def observe(self, feedback: Feedback) -> None:
        self.observed.append(feedback)

    def verdict(self) -> Verdict:
        return self.final
