"""``rfsn gate check``: decide JSON-lines proposals, one decision line per input line.

Input lines: ``{"workspace": PATH, "phase": PHASE, "proposal": PROPOSAL}`` with
optional ``"buildpack"``. Output lines: ``{"accepted": bool, "rule": str|null,
"reason": str}``. Unreadable lines are decided as ``malformed_proposal``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

import click
import structlog
from pydantic import ValidationError

from rfsn.errors import ConfigError
from rfsn.gate.context import GateContext
from rfsn.gate.gate import Gate, record
from rfsn.gate.policy import GatePolicy
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


def _decide_stream(gate: Gate, stream: IO[Any]) -> None:
    for line in stream:
        if not line.strip():
            continue
        decision = decide_line(gate, line)
        click.echo(json.dumps(decision.model_dump(), ensure_ascii=False))


@click.group("gate")
def gate() -> None:
    """The safety gate."""


@gate.command("check")
@click.argument("file", default="-")
@click.option("--policy", "policy_file", type=click.Path(path_type=Path), default=None,
              help="TOML file whose [gate] table is the policy (default: built-in defaults)")
def check(file: str, policy_file: Path | None) -> None:
    """Decide each JSON line of FILE (default '-', stdin); print one decision per line."""
    # stdout carries decisions only: send events to stderr, keeping the configured processors
    # (sys.stderr is looked up at each event, since it may be swapped).
    structlog.configure(logger_factory=lambda *_: structlog.PrintLogger(file=sys.stderr))
    try:
        policy = GatePolicy.from_toml(policy_file) if policy_file else GatePolicy()
    except ConfigError as exc:
        click.echo(f"rfsn gate check: {exc}", err=True)
        sys.exit(exc.exit_code)
    gate_ = Gate(policy)
    try:
        with click.open_file(file, encoding="utf-8", errors="replace") as stream:
            _decide_stream(gate_, stream)
    except OSError as exc:
        click.echo(f"rfsn gate check: cannot read {file}: {exc.strerror or exc}", err=True)
        sys.exit(2)
