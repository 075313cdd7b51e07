"""What the controller tells a planner about each proposal."""

from __future__ import annotations

from dataclasses import dataclass

from rfsn.models import GateDecision, Outcome


@dataclass(frozen=True)
class Feedback:
    """What became of a proposal: the gate's decision and, if it ran, the outcome."""

    decision: GateDecision
    outcome: Outcome | None = None

    @property
    def ok(self) -> bool:
        return self.decision.accepted and self.outcome is not None and self.outcome.ok
