"""What the runs of one instance's evaluation share: its run log (``run_instance.log``, each
phase timed), a fresh sandbox on the pristine tree for each run, the tests a run runs, and their
names as the harness reads them."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from rfsn.batch.harness.grading import selection
from rfsn.batch.harness.patching import pristine
from rfsn.batch.harness.specenv import grader
from rfsn.buildpacks.base import Buildpack
from rfsn.buildpacks.instances import Prescribed
from rfsn.models import TestReport
from rfsn.models.swebench import Instance
from rfsn.sandbox import open_sandbox
from rfsn.sandbox.base import Sandbox
from rfsn.settings import Settings
from rfsn.workspace import Workspace


class RunLog:
    """The instance's ``run_instance.log``, each line stamped with the seconds since it opened,
    and the seconds each phase of the evaluation took."""

    def __init__(self, path: Path) -> None:
        self.fh = path.open("w", encoding="utf-8")
        self.started = time.monotonic()
        self.phases: dict[str, float] = {}

    def __call__(self, message: str) -> None:
        self.fh.write(f"[{time.monotonic() - self.started:8.2f}s] {message}\n")
        self.fh.flush()

    def split(self, phase: str, part: str, seconds: float) -> None:
        """Count ``seconds`` of ``phase`` as a phase of their own, ``part``."""
        self.phases[phase] = round(self.phases[phase] - seconds, 3)
        self.phases[part] = round(self.phases.get(part, 0.0) + seconds, 3)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.monotonic()
        try:
            yield
        finally:
            self.phases[name] = round(self.phases.get(name, 0.0) + time.monotonic() - start, 3)


@contextmanager
def fresh_sandbox(
    ws: Workspace, buildpack: Buildpack, settings: Settings, kind: str, inst: Instance, log: RunLog, timeout: float
) -> Iterator[Sandbox]:
    """A fresh sandbox on the pristine tree for one run of at most ``timeout`` seconds; its start,
    set-up and removal timed apart."""
    pristine(ws)
    with ExitStack() as stack:
        with log.phase("sandbox"):
            box = stack.enter_context(
                open_sandbox(ws.path, buildpack, settings, kind, session_id=_session(inst.instance_id), budget=timeout)
            )
        log.split("sandbox", "setup", box.setup_seconds)
        log(
            f"sandbox {box.kind} up, buildpack {buildpack.name}, setup {box.setup_seconds:.2f}s; "
            f"statuses from {grader(buildpack)}"
        )
        if box.environment:  # how the environment was built (a conda environment.yml from PyPI)
            log("environment: " + "; ".join(box.environment))
        yield box
        closing = time.monotonic()
    log.phases["teardown"] = round(log.phases.get("teardown", 0.0) + time.monotonic() - closing, 3)


def instance_tests(buildpack: Buildpack, ws: Workspace, inst: Instance) -> list[str]:
    return selection(buildpack, ws.path, [*inst.FAIL_TO_PASS, *inst.PASS_TO_PASS])


def as_harness_names(buildpack: Buildpack, report: TestReport) -> TestReport:
    """``report`` with its tests named as the harness names them in the same run."""
    return buildpack.harness_named(report) if isinstance(buildpack, Prescribed) else report


def _session(instance_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", instance_id)[:40] + "-" + uuid.uuid4().hex[:6]
