"""The safety gate: pure policy checks on proposals, each rule named, each rejection typed.

    decision = Gate(policy).check(proposal, GateContext(workspace=..., phase=...))
    decision, approved = Gate(policy).approve(proposal, context)   # approved: Approved | None

Only ``Approved`` objects issued here may reach an executor; see ``approved.py``.
Rules and policy fields are documented in docs/gate.md.
"""

from rfsn.errors import ForgedApproval
from rfsn.gate.approved import Approved
from rfsn.gate.context import GateContext
from rfsn.gate.gate import Gate
from rfsn.gate.policy import GatePolicy, SizeTier
from rfsn.gate.rules import RULES, Rule, Violation

__all__ = [
    "RULES",
    "Approved",
    "ForgedApproval",
    "Gate",
    "GateContext",
    "GatePolicy",
    "Rule",
    "SizeTier",
    "Violation",
]
