"""The Sandbox protocol: where a session's commands run.

A sandbox owns one working copy for the life of a session. ``workspace`` is
that copy on the host (edits are made there, in place); ``workdir`` is the
same tree as the commands inside the sandbox see it. ``scratch`` is a host
directory that commands see at ``scratch_path``: runners write their
structured reports there and the host reads them without a round trip.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from rfsn.models import ExecResult

#: the most output kept from one command (head and tail are kept)
MAX_OUTPUT = 2_000_000


def truncate_output(text: str, limit: int = MAX_OUTPUT) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n... [{len(text) - limit} characters cut] ...\n{text[-half:]}"


@runtime_checkable
class Sandbox(Protocol):
    kind: str
    workspace: Path
    workdir: str
    scratch: Path
    scratch_path: str

    def exec(
        self,
        argv: Sequence[str],
        *,
        timeout: float,
        env: Mapping[str, str] | None = None,
    ) -> ExecResult:
        """Run argv in ``workdir``; on timeout kill it and all its children, timed_out=True."""
        ...

    def close(self) -> None:
        """Remove everything the sandbox created. Safe to call twice."""
        ...
