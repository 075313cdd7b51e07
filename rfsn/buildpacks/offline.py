"""The env step that fetches a project's dependencies from a registry, or says in one line why not.

A machine that reaches no module proxy cannot fetch what is not vendored: the
step then ends with ``rfsn: cause: <what it fetched>: no <registry> reachable (...)``
(``steplog.STEP_CAUSE``) instead of the resolver's DNS or TLS error, naming the first dependency
the tool could not get. Any other failure keeps the tool's own lines.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from rfsn.buildpacks.steplog import STEP_CAUSE


@dataclass(frozen=True)
class Fetcher:
    """How a tool says it could not reach its registry, and which dependency it was getting."""

    #: extended regex of a line saying the registry could not be reached
    unreachable: str
    #: sed -E script printing the dependency a line names (``-n``, ``p`` flag)
    names: str
    registry: str
    hint: str


GO = Fetcher(
    unreachable=r"dial tcp|no such host|connection refused|i/o timeout|TLS handshake|proxyconnect|"
    r"network is unreachable",
    names=r"s/^go: ([^ :]+@[^ :]+): .*/\1/p",
    registry="module proxy",
    hint="the modules come only from the project's vendor/ offline: go mod vendor",
)
#: where the step keeps the tool's output while it decides what the cause was
LOG = "/tmp/rfsn-fetch.log"


def fetch_step(fetcher: Fetcher, command: str, where: str) -> str:
    """One shell line running ``command``: its output printed; on failure from an unreachable
    registry (``where`` names it) the cause line, and the command's exit status either way."""
    name = f"$(sed -nE {shlex.quote(fetcher.names)} {LOG} | head -n 1)"
    cause = f"{STEP_CAUSE}${{what:-a dependency}}: no {fetcher.registry} reachable ({where}); {fetcher.hint}"
    return (
        f"{command} > {LOG} 2>&1 || {{ s=$?; cat {LOG}; what={name}; "
        f"if grep -Eq {shlex.quote(fetcher.unreachable)} {LOG}; then echo {_double(cause)}; fi; exit $s; }}; "
        f"cat {LOG}; rm -f {LOG}"
    )


def _double(text: str) -> str:
    """``text`` in double quotes (``$what`` expands; the rest is literal)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`") + '"'
