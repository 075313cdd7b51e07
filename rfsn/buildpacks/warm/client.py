"""The host side of the pytest fork server: run ``python -m pytest ...`` without a cold start.

A test run through it is the same pytest command in the same sandbox, only
forked from a process that already imported pytest. If the server cannot be
started or dies, runs fall back to a plain exec.
"""

from __future__ import annotations

import json
import shutil
import socket
import time
from collections.abc import Sequence
from pathlib import Path

from rfsn.buildpacks.base import SandboxView
from rfsn.models import ExecResult, truncate_output
from rfsn.observability.logging import get_logger

PREFIX = ["python", "-m", "pytest"]
log = get_logger(__name__)


class WarmPytest:
    """Runs pytest commands through a fork server living in the sandbox."""

    def __init__(self, sandbox: SandboxView) -> None:
        self.sandbox = sandbox
        self.host_dir = sandbox.scratch / "warm"
        self.path = f"{sandbox.scratch_path}/warm"
        self.alive = False

    def start(self, timeout: float = 60.0) -> bool:
        self.host_dir.mkdir(exist_ok=True)
        self.host_dir.chmod(0o777)  # the sandbox may run as another user (nobody when rfsn is root)
        shutil.copyfile(Path(__file__).with_name("pytest_server.py"), self.host_dir / "server.py")
        result = self.sandbox.exec(["python", f"{self.path}/server.py", f"{self.path}/sock"],
                                   timeout=timeout)
        self.alive = result.exit_code == 0 and (self.host_dir / "sock").exists()
        if not self.alive:
            log.warning("warm.unavailable", output=result.output[-300:])
        return self.alive

    def exec(self, argv: Sequence[str], timeout: float) -> ExecResult:
        argv = list(argv)
        if not self.alive or argv[:3] != PREFIX:
            return self.sandbox.exec(argv, timeout=timeout)
        request = {"args": argv[3:], "cwd": self.sandbox.workdir, "env": {},
                   "output": f"{self.path}/output.txt", "timeout": timeout}
        started = time.monotonic()
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(timeout + 30)
                conn.connect(str(self.host_dir / "sock"))
                conn.sendall(json.dumps(request).encode() + b"\n")
                reply = json.loads(conn.makefile("rb").readline())
        except (OSError, ValueError) as exc:
            log.warning("warm.failed", error=str(exc))
            self.alive = False
            return self.sandbox.exec(argv, timeout=timeout)
        output = (self.host_dir / "output.txt").read_text(encoding="utf-8", errors="replace")
        return ExecResult(argv=argv, exit_code=reply["exit_code"], output=truncate_output(output),
                          duration=time.monotonic() - started, timed_out=reply["timed_out"])
