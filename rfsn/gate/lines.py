"""One line of ``rfsn gate check``'s input decided: JSON in, a ``GateDecision`` out, never an exception.

Input lines: ``{"workspace": PATH, "phase": PHASE, "proposal": PROPOSAL}`` with
optional ``"buildpack"``. Unreadable lines are decided as ``malformed_proposal``.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from rfsn.gate.context import GateContext
from rfsn.gate.gate import Gate, record
from rfsn.gate.rules import Rule
from rfsn.models import GateDecision, parse_proposal


def _malformed(reason: str) -> GateDecision:
    decision = GateDecision(accepted=False, rule=Rule.MALFORMED_PROPOSAL.value, reason=reason[:500])
    record(decision, intent="unknown", phase=None)
    return decision


def decide_line(gate: Gate, line: str) -> GateDecision:
    """One input line to one decision; never raises for bad input."""
    try:
        data: Any = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _malformed(f"not JSON: {exc}")
    if not isinstance(data, dict):
        return _malformed("each line must be a JSON object")
    unknown = set(data) - {"workspace", "phase", "proposal", "buildpack"}
    if unknown:
        return _malformed(f"unknown keys: {', '.join(sorted(unknown))}")
    try:
        context = GateContext.model_validate(
            {"workspace": data.get("workspace"), "phase": data.get("phase"),
             "buildpack": data.get("buildpack", "generic")}
        )
        proposal = parse_proposal(data.get("proposal"))
    except ValidationError as exc:
        first = exc.errors()[0] if exc.errors() else {"msg": str(exc), "loc": ()}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _malformed(f"invalid {where or 'input'}: {first.get('msg')}")
    if not context.workspace.is_dir():
        return _malformed(f"workspace {str(context.workspace)!r} is not a directory")
    return gate.check(proposal, context)
