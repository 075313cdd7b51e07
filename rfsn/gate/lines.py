"""One line of ``rfsn gate check``'s input decided: JSON in, a ``GateDecision`` out, never an exception.

Input lines: ``{"workspace": PATH, "phase": PHASE, "proposal": PROPOSAL}`` with
optional ``"buildpack"``. Unreadable lines are decided as ``malformed_proposal``.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from rfsn.errors import InputError
from rfsn.gate.context import GateContext
from rfsn.gate.gate import Gate, record
from rfsn.gate.rules import Rule
from rfsn.inputs import json_value
from rfsn.models import GateDecision, parse_proposal


def malformed(reason: str) -> GateDecision:
    decision = GateDecision(accepted=False, rule=Rule.MALFORMED_PROPOSAL.value, reason=reason[:500])
    record(decision, intent="unknown", phase=None)
    return decision


def decide_line(gate: Gate, line: str, where: str = "<stdin>", number: int = 1) -> GateDecision:
    """One input line (line ``number`` of ``where``) to one decision; never raises for bad input."""
    try:
        data: Any = json_value(line, where, number)
    except InputError as exc:
        return malformed(str(exc))
    if not isinstance(data, dict):
        return malformed("each line must be a JSON object")
    unknown = set(data) - {"workspace", "phase", "proposal", "buildpack"}
    if unknown:
        return malformed(f"unknown keys: {', '.join(sorted(unknown))}")
    try:
        context = GateContext.model_validate(
            {
                "workspace": data.get("workspace"),
                "phase": data.get("phase"),
                "buildpack": data.get("buildpack", "generic"),
            }
        )
        proposal = parse_proposal(data.get("proposal"))
    except ValidationError as exc:
        first = exc.errors()[0] if exc.errors() else {"msg": str(exc), "loc": ()}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return malformed(f"invalid {where or 'input'}: {first.get('msg')}")
    if not context.workspace.is_dir():
        return malformed(f"workspace {str(context.workspace)!r} is not a directory")
    return gate.check(proposal, context)
