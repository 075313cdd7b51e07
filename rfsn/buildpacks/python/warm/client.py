"""The host side of the pytest fork server: run ``python -m pytest ...`` without a cold start.

A run through it is the same pytest command in the same sandbox, forked from a process that
already imported pytest; if the server cannot start or dies, runs fall back to a plain exec.
Runs of selected tests (node ids: a candidate's screening tiers) go to a second server that
preloaded the project (``--preload``) and hot-swaps the functions edited since into each child;
an edit it cannot swap runs on the plain server instead.

A run with a plugin of its own (a probe's: `rfsn.buildpacks.wrapped.importable`'s argv) goes to the plain
server, the plugin's directory and ``NAME=value`` words given to the child. A forked run gets the
``TMPDIR`` of its own a cold run gets (``run_tmp``), emptied before and after.
A run of the whole suite (the run that decides plausibility) is never forked: it is the
baseline's own command in a fresh process, compared like with like. A forked child inherits
what the warm-up left in its interpreter (``sys.path``, warnings filters, logging state), on
which a suite's tests may depend through their order.
"""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from rfsn.buildpacks.base import INTERRUPT_GRACE, INTERRUPTS, SandboxView
from rfsn.buildpacks.python.pyoptions import PytestFeatures
from rfsn.buildpacks.warm import ServerGone, run_through
from rfsn.buildpacks.wrapped import unwrapped
from rfsn.models import ExecResult
from rfsn.observability.logging import get_logger

PREFIX = ["python", "-m", "pytest"]
#: the exit status of a preloaded child whose edit cannot be swapped in (pytest_server.py)
NOT_SWAPPABLE = 75
log = get_logger(__name__)


class WarmPytest:
    """Runs pytest commands through a fork server living in the sandbox."""

    #: where the servers' scripts are copied from (a benchmark compares another revision's)
    scripts = Path(__file__).parent

    def __init__(self, sandbox: SandboxView, hot_swap: bool = True, options: Sequence[str] | None = None) -> None:
        """``options``: the pytest options of the runs to come (the buildpack's test command
        without its tests; none given: today's pytest with its cache in the session's scratch);
        the preloading server collects with them, and runs of collected tests with the same
        options skip pytest's session start-up."""
        self.sandbox = sandbox
        self.host_dir = sandbox.scratch / "warm"
        self.path = f"{sandbox.scratch_path}/warm"
        default = [*PytestFeatures().cache(self.path), "--continue-on-collection-errors"]
        self.options = default if options is None else list(options)
        self.alive = False
        self.hot = hot_swap
        #: runs answered by the preloading server, and those it handed back (not swappable)
        self.swapped = self.not_swappable = 0
        self.measured = 0  # runs of a plugin's plan (a probe's) the plain server forked
        self.cold_start = 0.0  # seconds more for a run not forked from the preloaded project

    def start(self, timeout: float = 60.0) -> bool:
        self.host_dir.mkdir(exist_ok=True)
        self.host_dir.chmod(0o777)  # the sandbox may run as another user (nobody when rfsn is root)
        for name, dest in (
            ("pytest_server.py", "server.py"),
            ("hotswap.py", "hotswap.py"),
            ("hotswap_loaded.py", "hotswap_loaded.py"),
            ("pytest_live.py", "pytest_live.py"),
        ):
            shutil.copyfile(self.scripts / name, self.host_dir / dest)
        servers = {"sock": self._server("sock")}
        if self.hot:
            servers["hot.sock"] = self._server("hot.sock", "--preload", self.sandbox.workdir, *self.options)
        # both start at once (each command returns when its server listens): one exec, in parallel
        script = " & ".join(shlex.join(argv) for argv in servers.values()) + "; wait"
        result = self.sandbox.exec(["sh", "-c", script], timeout=timeout)
        started = {name for name in servers if (self.host_dir / name).exists()}
        if started != set(servers):
            log.warning("warm.unavailable", servers=sorted(set(servers) - started), output=result.output[-300:])
        self.alive = "sock" in started
        self.hot = self.alive and "hot.sock" in started
        return self.alive

    def _server(self, socket_name: str, *extra: str) -> list[str]:
        return ["python", f"{self.path}/server.py", f"{self.path}/{socket_name}", *extra]

    def exec(
        self, argv: Sequence[str], timeout: float, env: Mapping[str, str] | None = None, own_tmp: bool = False
    ) -> ExecResult:
        argv = list(argv)
        plugin = unwrapped(argv)  # (its directory, its environment, the pytest argv) or None
        command = argv if plugin is None else plugin[2]
        selected = any("::" in arg for arg in command[3:])  # selected tests: a screening tier, a probe
        if not self.alive or command[:3] != PREFIX or not selected:
            return self.sandbox.exec(argv, timeout=timeout + self.cold_start, env=env, own_tmp=own_tmp)
        run = Request(command, own_tmp, {**(env or {}), **(plugin[1] if plugin else {})}, plugin[:1] if plugin else ())
        if self.hot and plugin is None:
            result = self._request("hot.sock", run, timeout)
            if result is not None and result.exit_code != NOT_SWAPPABLE:
                self.swapped += 1
                return result
            self.not_swappable += 1
            if result is not None:  # the run goes to the plain server: say why
                log.info("warm.not_swappable", reason=not_swappable_reason(result.output))
        timeout += self.cold_start  # the project imported and its tests collected again
        result = self._request("sock", run, timeout)
        if result is not None and result.exit_code == NOT_SWAPPABLE:  # an edit to what pytest imports
            log.info("warm.cold", reason="an edit to a module pytest itself imported cannot be swapped in")
            result = None
        if result is not None and plugin is not None:
            self.measured += 1
        return result or self.sandbox.exec(argv, timeout=timeout, env=env, own_tmp=own_tmp)

    def _request(self, socket_name: str, run: Request, timeout: float) -> ExecResult | None:
        """The run through one server; None (and that server given up) if it failed."""
        output = f"{socket_name}.out"
        request = {
            "args": run.argv[3:],
            "cwd": self.sandbox.workdir,
            "env": run.env,
            "path": list(run.path),
            "tmp": self.sandbox.run_tmp if run.own_tmp else None,
            "output": f"{self.path}/{output}",
            "timeout": timeout,
            "grace": INTERRUPT_GRACE,
            "interrupts": INTERRUPTS,
        }
        try:
            return run_through(self.host_dir / socket_name, request, run.argv, self.host_dir / output, timeout)
        except ServerGone as exc:
            log.warning("warm.failed", server=socket_name, error=str(exc))
            if socket_name == "sock":
                self.alive = False
            self.hot = False
            return None


class Request(NamedTuple):
    """A pytest run a server forks: its argv (``python -m pytest ...``), whether it gets a ``/tmp``
    of its own, its environment, and the directories first on its path (a plugin's)."""

    argv: list[str]
    own_tmp: bool
    env: dict[str, str]
    path: tuple[str, ...] = ()


def not_swappable_reason(output: str) -> str:
    """The reason a preloaded child gave for handing its run back (pytest_server.swap_in)."""
    marker = "rfsn: not swappable: "
    return next(
        (line[len(marker) :].strip() for line in output.splitlines() if line.startswith(marker)), "no reason given"
    )
