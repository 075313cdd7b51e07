"""Running a buildpack's tests in a sandbox and reading back per-test statuses."""

from __future__ import annotations

from collections.abc import Sequence

from rfsn.buildpacks.base import Buildpack
from rfsn.models import TestReport, TestStatus
from rfsn.observability.logging import get_logger
from rfsn.observability.metrics import TEST_RUN_SECONDS, TEST_RUNS
from rfsn.sandbox.base import Sandbox

#: the pseudo-test id of a run judged by its exit code alone
SUITE_ID = "<suite>"
log = get_logger(__name__)


def _clear(sandbox: Sandbox) -> None:
    for path in sandbox.scratch.iterdir():
        if path.is_file():
            path.unlink()


def _reports(sandbox: Sandbox) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8", errors="replace")
            for p in sorted(sandbox.scratch.iterdir()) if p.is_file()}


def run_tests(sandbox: Sandbox, buildpack: Buildpack, tests: Sequence[str] = (),
              timeout: float = 900.0) -> TestReport:
    """Run the suite (or ``tests``) once; statuses come from the runner's structured report."""
    _clear(sandbox)
    argv = buildpack.test_command(list(tests), sandbox.scratch_path)
    result = sandbox.exec(argv, timeout=timeout)
    structured = getattr(buildpack, "structured", True)
    if structured:
        statuses = buildpack.parse(result.output, _reports(sandbox))
    else:
        ok = result.exit_code == 0 and not result.timed_out
        statuses = {SUITE_ID: TestStatus.PASSED if ok else TestStatus.FAILED}
    report = TestReport(tests=statuses, exit_code=result.exit_code, duration=result.duration,
                        log=result.output, timed_out=result.timed_out, structured=structured)
    outcome = "timeout" if report.timed_out else ("passed" if report.ok else "failed")
    TEST_RUNS.labels(sandbox.kind, outcome).inc()
    TEST_RUN_SECONDS.labels(sandbox.kind).observe(result.duration)
    log.info("tests.ran", sandbox=sandbox.kind, selected=len(tests), result=outcome,
             duration=round(result.duration, 3), **report.counts())
    return report
