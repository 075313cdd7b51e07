"""One row's ``rfsn test``, limited as rfsn limits itself: the environment's build and setup on one
clock, the test run on another that starts when rfsn logs that its sandbox is ready.

A slow build followed by a full test run is therefore not cut short by a single row limit shorter
than the two together; a row killed says in which phase, and after how long.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

#: the event rfsn logs once its sandbox is set up, just before the tests run
READY = "sandbox.ready"


@dataclass(frozen=True)
class Limits:
    """Seconds for the environment's build and setup, for the test run (rfsn's ``--timeout``), and
    past that for rfsn to stop its tests and report (its SIGINT, grace and report)."""

    build: float = 3600.0
    tests: float = 900.0
    grace: float = 300.0


@dataclass(frozen=True)
class Ended:
    """How the run ended: its exit code (None: the bench stopped it), stdout, stderr, and the cause
    when stopped."""

    code: int | None
    out: str
    err: str
    killed: str = ""


def ready(log: Path) -> bool:
    if not log.exists():
        return False
    for line in log.read_text(errors="replace").splitlines():
        try:
            if json.loads(line).get("event") == READY:
                return True
        except (ValueError, AttributeError):
            continue
    return False


def stop(proc: subprocess.Popen[str]) -> None:
    """SIGTERM to the run's process group, SIGKILL a minute later."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def watch(proc: subprocess.Popen[str], log: Path, limits: Limits, poll: float = 5.0) -> str:
    """Wait for ``proc``; "" when it ended by itself, else why the bench stopped it."""
    started, tests_from = time.monotonic(), None
    while proc.poll() is None:
        time.sleep(poll)
        now = time.monotonic()
        if tests_from is None and ready(log):
            tests_from = now
        if tests_from is None and now - started > limits.build:
            stop(proc)
            return f"row timeout: the environment's build and setup ran past {limits.build:g}s and were killed"
        if tests_from is not None and now - tests_from > limits.tests + limits.grace:
            stop(proc)
            return (
                f"row timeout: the test run did not end {limits.grace:g}s past its {limits.tests:g}s limit "
                f"(after {tests_from - started:.0f}s of build and setup) and was killed"
            )
    return ""


def run(argv: list[str], log: Path, limits: Limits, poll: float = 5.0) -> Ended:
    """Run ``argv`` (an ``rfsn test ... --log-file LOG``) under ``limits``; its output goes to files,
    never a pipe that a large report could fill while the bench is not reading."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, text=True, start_new_session=True)
        killed = watch(proc, log, limits, poll)
        out.seek(0)
        err.seek(0)
        return Ended(None if killed else proc.returncode, out.read(), err.read(), killed)
