"""``rfsn gate check``: decide JSON-lines proposals, one decision line per input line.

Input lines as ``rfsn.gate.lines`` reads them; output lines: ``{"accepted": bool, "rule":
str|null, "reason": str}``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO

import click
import structlog

from rfsn.errors import ConfigError, InputError
from rfsn.gate.gate import Gate
from rfsn.gate.lines import decide_line, malformed
from rfsn.gate.policy import GatePolicy

#: the longest input line decided (a longer one is malformed, and skipped to its end)
MAX_LINE = 1 << 26
#: the longest line skipped: a stream with no end of line (``/dev/zero``) stops the command
MAX_SKIPPED = 1 << 30


def _skip_line(stream: IO[str], where: str, number: int) -> None:
    """Read past the rest of an over-long line, no further than MAX_SKIPPED characters."""
    skipped = MAX_LINE
    while (rest := stream.readline(MAX_LINE)) and not rest.endswith("\n"):
        skipped += len(rest)
        if skipped > MAX_SKIPPED:
            raise InputError(f"{where}:{number}: a line longer than {MAX_SKIPPED >> 30} GiB; stopped reading")


def _decide_stream(gate: Gate, stream: IO[str], where: str) -> None:
    number = 0
    while line := stream.readline(MAX_LINE):
        number += 1
        if len(line) == MAX_LINE and not line.endswith("\n"):
            decision = malformed(f"{where}:{number}: a line longer than {MAX_LINE >> 20} MiB")
            click.echo(json.dumps(decision.model_dump(), ensure_ascii=False))
            _skip_line(stream, where, number)
            continue
        if not line.strip():
            continue
        decision = decide_line(gate, line, where, number)
        click.echo(json.dumps(decision.model_dump(), ensure_ascii=False))


@click.group("gate")
def gate() -> None:
    """The safety gate."""


@gate.command("check")
@click.argument("file", default="-")
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(path_type=Path),
    default=None,
    help="TOML file whose [gate] table is the policy (default: built-in defaults)",
)
def check(file: str, policy_file: Path | None) -> None:
    """Decide each JSON line of FILE (default '-', stdin); print one decision per line."""
    # stdout carries decisions only: send events to stderr, keeping the configured processors
    # (sys.stderr is looked up at each event, since it may be swapped).
    structlog.configure(logger_factory=lambda *_: structlog.PrintLogger(file=sys.stderr))
    gate_ = Gate(GatePolicy.from_toml(policy_file) if policy_file else GatePolicy())
    try:
        with click.open_file(file, encoding="utf-8", errors="replace") as stream:
            _decide_stream(gate_, stream, "<stdin>" if file == "-" else file)
    except OSError as exc:
        raise ConfigError(f"cannot read {file}: {exc.strerror or exc}") from exc
