"""The safety gate: pure policy checks on proposals, each rule named, each rejection typed.

    decision = Gate(policy).check(proposal, GateContext(workspace=..., phase=...))
    decision, approved = Gate(policy).approve(proposal, context)   # approved: Approved | None

Only ``Approved`` objects issued here may reach an executor; see ``approved.py``.
Rules and policy fields are documented in docs/gate.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rfsn.lazy import attributes

if TYPE_CHECKING:  # the real types for type checkers; at run time each name loads on first use
    from rfsn.errors import ForgedApproval as ForgedApproval
    from rfsn.gate.approved import Approved as Approved
    from rfsn.gate.context import GateContext as GateContext
    from rfsn.gate.gate import Gate as Gate
    from rfsn.gate.policy import GatePolicy as GatePolicy
    from rfsn.gate.policy import SizeTier as SizeTier
    from rfsn.gate.rules import RULES as RULES
    from rfsn.gate.rules import Rule as Rule
    from rfsn.gate.rules import Violation as Violation

#: each name and its module: reading the policy (``rfsn test``'s start) loads no rule
_WHERE = {
    "RULES": "rfsn.gate.rules",
    "Approved": "rfsn.gate.approved",
    "ForgedApproval": "rfsn.errors",
    "Gate": "rfsn.gate.gate",
    "GateContext": "rfsn.gate.context",
    "GatePolicy": "rfsn.gate.policy",
    "Rule": "rfsn.gate.rules",
    "SizeTier": "rfsn.gate.policy",
    "Violation": "rfsn.gate.rules",
}
__all__ = sorted(_WHERE)

__getattr__ = attributes(__name__, _WHERE)
