"""``rfsn gate check``: decide JSON-lines proposals, one decision line per input line.

Input lines as ``rfsn.gate.lines`` reads them; output lines: ``{"accepted": bool, "rule":
str|null, "reason": str}``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

import click
import structlog

from rfsn.errors import ConfigError
from rfsn.gate.gate import Gate
from rfsn.gate.lines import decide_line
from rfsn.gate.policy import GatePolicy


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
