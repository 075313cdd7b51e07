"""The host side of the warm ``node --test`` runner: screening runs without node's cold start.

node cannot fork, so the warm runner keeps node's per-file processes and takes their start-up
off the critical path: a server in the sandbox (``node_server.cjs``, on a unix socket in the
scratch directory) keeps four pre-started workers (``node_worker.cjs``), and each test file of
a request (this ``node --test`` argv, parsed) runs in one of them, in-process, with node's own
harness, reporters and name filtering; every file of every run gets a fresh process. The
server stops at the run's timeout and after the ``max_failures``-th failure
(``fail_fast_argv``), and exits once its socket is gone. When the server cannot start, a
request fails, or an argv is not one it knows, the run is the plain, cold exec.

How a test can tell a warm run from a cold one, and what it costs: docs/localization.md, §6.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from rfsn.buildpacks.base import SandboxView
from rfsn.buildpacks.warm import ServerGone, run_through
from rfsn.models import ExecResult
from rfsn.observability.logging import get_logger

PREFIX = ["node", "--test"]
#: the environment variable by which a test command asks to stop after so many failed tests
MAX_FAILURES_VAR = "RFSN_MAX_FAILURES"
#: the in-sandbox files, shipped beside this module
SCRIPTS = ("node_server.cjs", "node_worker.cjs", "node_files.cjs")
log = get_logger(__name__)


def fail_fast_argv(argv: Sequence[str], max_failures: int) -> list[str]:
    """``argv`` asking to stop after ``max_failures`` failed tests. node's own runner cannot:
    cold, the variable is inert and the whole run happens; the warm runner stops."""
    return ["env", f"{MAX_FAILURES_VAR}={max_failures}", *argv]


@dataclass(frozen=True)
class NodeRun:
    """A ``node --test`` command as the warm server takes it."""

    paths: tuple[str, ...]
    patterns: tuple[str, ...]
    reporters: tuple[str, ...]
    destinations: tuple[str, ...]
    max_failures: int | None = None

    @classmethod
    def parse(cls, argv: Sequence[str]) -> NodeRun | None:
        """The run an argv asks for; None when it is not a ``node --test`` the server knows."""
        argv = list(argv)
        max_failures = None
        if argv[:1] == ["env"] and len(argv) > 1 and argv[1].startswith(f"{MAX_FAILURES_VAR}="):
            value = argv[1].partition("=")[2]
            if not value.isdigit():
                return None
            max_failures, argv = int(value), argv[2:]
        if argv[:2] != PREFIX:
            return None
        found: dict[str, list[str]] = {
            "--test-reporter": [],
            "--test-reporter-destination": [],
            "--test-name-pattern": [],
            "": [],
        }
        for arg in argv[2:]:
            key, eq, value = arg.partition("=")
            if eq and key in found:
                found[key].append(value)
            elif arg.startswith("-"):
                return None
            else:
                found[""].append(arg)
        reporters, destinations = found["--test-reporter"], found["--test-reporter-destination"]
        if len(reporters) != len(destinations):
            return None
        return cls(
            tuple(found[""]), tuple(found["--test-name-pattern"]), tuple(reporters), tuple(destinations), max_failures
        )

    def request(self, events_report: str, output: str, timeout: float) -> dict[str, Any]:
        """The server's request; ``events_report``: the name of the report whose JSON lines
        the server reads (and completes) to know which tests failed."""
        events = [i for i, d in enumerate(self.destinations) if d.rsplit("/", 1)[-1] == events_report]
        return {
            "args": list(self.paths),
            "patterns": list(self.patterns),
            "reporters": list(self.reporters),
            "destinations": list(self.destinations),
            "events": events[0] if events else None,
            "output": output,
            "timeout": timeout,
            "max_failures": self.max_failures,
        }


class WarmNode:
    """Runs ``node --test`` commands through the warm server in the sandbox."""

    def __init__(self, sandbox: SandboxView, events_report: str) -> None:
        self.sandbox = sandbox
        self.events_report = events_report
        self.host_dir = sandbox.scratch / "warm-node"
        self.path = f"{sandbox.scratch_path}/warm-node"
        self.alive = False
        #: runs the server answered, and runs that went cold (not warm-able, or the server failed)
        self.warm_runs = self.cold_runs = 0
        self.cold_start = 0.0  # seconds more for a run it does not take (a cold one)

    def start(self, timeout: float = 60.0) -> bool:
        self.host_dir.mkdir(exist_ok=True)
        self.host_dir.chmod(0o777)  # the sandbox may run as another user (nobody when rfsn is root)
        for name in SCRIPTS:
            with resources.as_file(resources.files(__package__).joinpath(name)) as source:
                shutil.copyfile(source, self.host_dir / name)
        result = self.sandbox.exec(
            ["node", f"{self.path}/node_server.cjs", f"{self.path}/sock", self.sandbox.workdir], timeout=timeout
        )
        self.alive = result.exit_code == 0 and (self.host_dir / "sock").exists()
        if not self.alive:
            log.warning("warm.unavailable", server="node", output=result.output[-300:])
        return self.alive

    def exec(
        self, argv: Sequence[str], timeout: float, env: Mapping[str, str] | None = None, own_tmp: bool = False
    ) -> ExecResult:
        argv = list(argv)
        run = NodeRun.parse(argv) if self.alive else None
        if run is not None:
            request = run.request(self.events_report, f"{self.path}/out.txt", timeout)
            try:
                result = run_through(self.host_dir / "sock", request, argv, self.host_dir / "out.txt", timeout)
            except ServerGone as exc:
                log.warning("warm.failed", server="node", error=str(exc))
                self.alive = False
            else:
                if result is not None:
                    self.warm_runs += 1
                    return result
        self.cold_runs += 1
        return self.sandbox.exec(argv, timeout=timeout + self.cold_start, env=env, own_tmp=own_tmp)
