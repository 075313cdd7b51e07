"""Running a buildpack's tests in a sandbox and reading back per-test statuses."""

from __future__ import annotations

from collections.abc import Sequence

from rfsn.buildpacks.base import Buildpack, CoverageCapable, TestExec
from rfsn.models import ExecResult, TestReport, TestStatus
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


def _run_with_coverage(sandbox: Sandbox, buildpack: CoverageCapable, tests: Sequence[str],
                       timeout: float) -> ExecResult:
    plan = buildpack.coverage_plan(list(tests), sandbox.scratch_path)
    for name, text in plan.files.items():
        (sandbox.scratch / name).write_text(text, encoding="utf-8")
    result = sandbox.exec(plan.commands[0], timeout=timeout, env=plan.env)
    for argv in plan.commands[1:]:
        extra = sandbox.exec(argv, timeout=timeout, env=plan.env)
        if extra.exit_code != 0:
            log.warning("tests.coverage_failed", argv=argv[:4], output=extra.output[-300:])
    return result


def abnormal_end(result: ExecResult) -> str:
    """Why a test command ended without finishing its run ("" if it finished)."""
    if result.timed_out:
        return f"timed out after {result.duration:.0f}s and was killed"
    if result.exit_code == 137:
        return "killed (SIGKILL: out of memory or a limit)"
    if result.exit_code > 128:
        return f"killed by signal {result.exit_code - 128}"
    return ""


def run_tests(sandbox: Sandbox, buildpack: Buildpack, tests: Sequence[str] = (),
              timeout: float = 900.0, coverage: bool = False,
              via: TestExec | None = None) -> TestReport:
    """Run the suite (or ``tests``) once; statuses come from the runner's structured report.

    With ``coverage`` (and a buildpack that can measure it) the report also
    says which lines each test ran. ``via`` runs the command instead of the
    sandbox itself (a warm runner in front of it).
    """
    _clear(sandbox)
    measure = coverage and isinstance(buildpack, CoverageCapable)
    if measure:
        result = _run_with_coverage(sandbox, buildpack, tests, timeout)  # type: ignore[arg-type]
    else:
        result = (via or sandbox).exec(buildpack.test_command(list(tests), sandbox.scratch_path),
                                       timeout=timeout)
    structured = buildpack.structured
    if structured:
        statuses = buildpack.parse(result.output, _reports(sandbox))
    else:
        ok = result.exit_code == 0 and not result.timed_out
        statuses = {SUITE_ID: TestStatus.PASSED if ok else TestStatus.FAILED}
    reason = abnormal_end(result)
    if reason:  # the runner never got to report these: they did not pass
        statuses = {**dict.fromkeys(tests, TestStatus.ERROR), **statuses}
    report = TestReport(tests=statuses, exit_code=result.exit_code, duration=result.duration,
                        log=result.output, timed_out=result.timed_out, reason=reason,
                        structured=structured)
    if measure:
        report.coverage = buildpack.parse_coverage(  # type: ignore[attr-defined]
            _reports(sandbox), list(statuses), sandbox.workdir)
    outcome = "timeout" if report.timed_out else ("passed" if report.ok else "failed")
    TEST_RUNS.labels(sandbox.kind, outcome).inc()
    TEST_RUN_SECONDS.labels(sandbox.kind).observe(result.duration)
    if reason:
        log.warning("tests.abnormal_end", sandbox=sandbox.kind, reason=reason)
    log.info("tests.ran", sandbox=sandbox.kind, selected=len(tests), result=outcome,
             duration=round(result.duration, 3), **report.counts())
    return report
