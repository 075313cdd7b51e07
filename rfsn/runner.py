"""Running a buildpack's tests in a sandbox and reading back per-test statuses."""

from __future__ import annotations

import secrets
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rfsn.buildpacks.base import SECONDS_LEFT, Buildpack, CoveragePlan, ResumeCapable, TestExec
from rfsn.buildpacks.parts import parts
from rfsn.models import Crash, ExecResult, Probe, TestReport, TestStatus
from rfsn.observability.logging import get_logger
from rfsn.observability.metrics import TEST_RUN_SECONDS, TEST_RUNS
from rfsn.sandbox.base import Sandbox
from rfsn.sandbox.rebuild import rebuilt

#: the pseudo-test id of a run judged by its exit code alone
SUITE_ID = "<suite>"
#: runs of the tests a crash kept from running, at most, after one test run
MAX_RESUMES = 20
log = get_logger(__name__)


@dataclass(frozen=True)
class Measure:
    """What a run measures besides its tests' statuses, where the buildpack can: the lines each
    test ran (``coverage``), or else what a ``probe``d function evaluated to; ``within``: seconds
    the measurement after the run may take (at most what is left of the run's timeout)."""

    coverage: bool = False
    probe: Probe | None = None
    within: float | None = None


#: a run that measures nothing besides statuses
STATUSES_ONLY = Measure()


@contextmanager
def _report_dir(sandbox: Sandbox) -> Iterator[tuple[Path, str]]:
    """A fresh, unguessable directory for one run's reports: (host path, path inside). Only it is
    read back: a fake report code under test drops at a predictable place is never read."""
    nonce = secrets.token_hex(12)
    host_dir = sandbox.scratch / nonce
    host_dir.mkdir(mode=0o777)
    host_dir.chmod(0o777)  # the sandbox may run commands as another user
    try:
        yield host_dir, f"{sandbox.scratch_path}/{nonce}"
    finally:
        shutil.rmtree(host_dir, ignore_errors=True)


def _reports(host_dir: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8", errors="replace") for p in sorted(host_dir.iterdir()) if p.is_file()}


def _plan(buildpack: Buildpack, tests: Sequence[str], report_dir: str, measure: Measure) -> CoveragePlan | None:
    """The plan of a run with coverage, or with a probe, where the buildpack can make it."""
    measuring = parts(buildpack).measuring
    if measure.coverage and measuring.coverage is not None:
        return measuring.coverage.coverage_plan(list(tests), report_dir)
    if measure.probe is not None and measuring.probe is not None:
        return measuring.probe.probe_plan(list(tests), report_dir, measure.probe)
    return None


def _run_plan(
    sandbox: Sandbox, plan: CoveragePlan, timeout: float, host_dir: Path, measure: Measure, via: TestExec | None
) -> tuple[ExecResult, list[str]]:
    """Run the tests under a coverage (or probe) plan (``via`` a warm runner, if given); the result
    and argv of the test command. The later commands share what is left of ``timeout`` (at most
    ``measure.within``), told it (``SECONDS_LEFT``) to stop in time with what they measured."""
    for name, text in plan.files.items():
        (host_dir / name).write_text(text, encoding="utf-8")
    result = (via or sandbox).exec(plan.commands[0], timeout=timeout, env=plan.env, own_tmp=True)
    deadline = time.monotonic() + min(timeout - result.duration, measure.within or timeout)
    for argv in plan.commands[1:]:
        left = deadline - time.monotonic()
        if left < 1:
            log.warning("tests.coverage_cut", argv=argv[:4], reason="no time left of the run's")
            break
        extra = sandbox.exec(argv, timeout=left, env={**plan.env, SECONDS_LEFT: f"{left:.0f}"})
        if extra.exit_code != 0:
            log.warning("tests.coverage_failed", argv=argv[:4], output=extra.output[-300:])
    return result, plan.commands[0]


def _joined(first: ExecResult, runs: Sequence[ExecResult]) -> ExecResult:
    """One run's result with the runs that resumed it: their output after its own, their time
    added, its exit status (a later run's when it ended well), timed out when the last did."""
    if not runs:
        return first
    return first.model_copy(
        update={
            "output": "\n".join([first.output, *(r.output for r in runs)]),
            "duration": first.duration + sum(r.duration for r in runs),
            "exit_code": first.exit_code or max(r.exit_code for r in runs),
            "timed_out": runs[-1].timed_out,
        }
    )


def _test_command(
    buildpack: Buildpack, tests: Sequence[str], dirs: tuple[Path, str], max_failures: int | None, brief: bool
) -> tuple[list[str], int | None]:
    """The argv, and the number of failed tests it stops at (None: it runs to its end); a run of
    the whole suite records each test as it ends, where the buildpack can. ``dirs``: the report
    directory (host path, path inside)."""
    argv, stops_at = _command(buildpack, tests, dirs[1], max_failures, brief)
    record = parts(buildpack).running.record
    if not tests and record is not None:
        argv = record.recorded(argv, dirs[1], dirs[0])
    return argv, stops_at


def _command(
    buildpack: Buildpack, tests: Sequence[str], report_dir: str, max_failures: int | None, brief: bool
) -> tuple[list[str], int | None]:
    fail_fast, short = parts(buildpack).running.fail_fast, parts(buildpack).warming.brief
    if max_failures is not None and fail_fast is not None:
        argv = fail_fast.fail_fast_command(list(tests), report_dir, max_failures)
        if argv is not None:
            return argv, max_failures
    if brief and short is not None:
        return short.brief_command(list(tests), report_dir), None
    return buildpack.test_command(list(tests), report_dir), None


def _resume(
    sandbox: Sandbox,
    buildpack: Buildpack,
    resumer: ResumeCapable,
    tests: Sequence[str],
    statuses: dict[str, TestStatus],
    first: ExecResult,
    timeout: float,
) -> tuple[dict[str, TestStatus], list[Crash], list[ExecResult]]:
    """The statuses with those of the tests each crash kept from running, run again without
    the crashed test (and again past each crash of those runs, up to ``MAX_RESUMES`` runs within
    ``timeout``); what crashed, and the runs made."""
    pending, runs = resumer.crashes(first.output, statuses), list[ExecResult]()
    statuses, crashes = _failed(statuses, pending), [c for c in pending if c.test]
    while pending and len(runs) < MAX_RESUMES:
        left = timeout - first.duration - sum(r.duration for r in runs)
        crash = pending.pop(0)
        with _report_dir(sandbox) as (host_dir, report_dir):
            argv = resumer.rest_command(crash, statuses, tests, report_dir)
            if argv is None or left < 1:
                continue
            result = sandbox.exec(argv, timeout=left, own_tmp=True)
            reports = _reports(host_dir)
        runs.append(result)
        found = buildpack.parse(result.output, reports)
        again = resumer.crashes(result.output, found)
        log.info("tests.resumed", crashed=crash.test, ran=len(found), crashes=[c.test for c in again])
        if not set(found) - set(statuses) and not any(c.test for c in again):
            continue  # it ran nothing new: running it again would not either
        statuses = _failed({**found, **statuses}, again)  # what a run reported first stands
        crashes += [c for c in again if c.test]
        pending += again
    return statuses, crashes, runs


def _failed(statuses: dict[str, TestStatus], crashes: Sequence[Crash]) -> dict[str, TestStatus]:
    """The statuses with each known crashed test failed, in place of its unit's (a file or test
    binary reported as one error)."""
    known = [c for c in crashes if c.test]
    kept = {t: s for t, s in statuses.items() if t not in {c.unit for c in known}}
    return {**kept, **{c.test: TestStatus.FAILED for c in known}}


def run_tests(
    sandbox: Sandbox,
    buildpack: Buildpack,
    tests: Sequence[str] = (),
    timeout: float = 900.0,
    *,
    via: TestExec | None = None,
    max_failures: int | None = None,
    measure: Measure = STATUSES_ONLY,
    brief: bool = False,
) -> TestReport:
    """Run the suite (or ``tests``) once; statuses come from the runner's structured report.
    ``via``: a warm runner in front of the sandbox runs it. Where the buildpack can: ``max_failures``
    stops the run once that many tests failed (those it did not reach are absent from the report),
    ``brief`` writes failures briefly, and with a ``measure`` the report says what it measured."""
    (timeout, unbuilt), stops_at = rebuilt(sandbox, buildpack, tests, timeout), None
    if unbuilt is not None:
        return unbuilt
    with _report_dir(sandbox) as (host_dir, report_dir):
        plan = _plan(buildpack, tests, report_dir, measure)
        if plan is not None:
            result, argv = _run_plan(sandbox, plan, timeout, host_dir, measure, via)
        else:
            argv, stops_at = _test_command(buildpack, tests, (host_dir, report_dir), max_failures, brief)
            # a /tmp of its own, as in a fresh container: what an earlier run left there is not this run's
            result = (via or sandbox).exec(argv, timeout=timeout, own_tmp=True)
        reports = _reports(host_dir)
    # a coverage or probe run's plan, or a run to stop early, is not resumed past a crash
    statuses, crashes, result = _statuses(
        sandbox, buildpack, tests, result, reports, timeout, resume=plan is None and stops_at is None
    )
    reason = result.abnormal_end()
    unreached = [t for t in dict.fromkeys(tests) if t not in statuses] if reason else []  # they did not pass
    statuses = {**dict.fromkeys(unreached, TestStatus.ERROR), **statuses}
    report = TestReport(
        tests=statuses,
        exit_code=result.exit_code,
        duration=result.duration,
        log=result.output,
        timed_out=result.timed_out,
        reason=reason,
        unreached=unreached,
        stops_at=stops_at,
        crashes=crashes,
        structured=buildpack.structured,
        command=argv,
    )
    _read_more(report, buildpack, reports, sandbox.workdir, measure, plan is not None)
    _observed(sandbox.kind, len(tests), report)
    return report


def _read_more(
    report: TestReport, buildpack: Buildpack, reports: dict[str, str], workdir: str, measure: Measure, planned: bool
) -> None:
    """What the buildpack reads of the run besides statuses, where it can: the tests' durations,
    why each failed, the lines each ran, what the probed function evaluated to (a ``planned`` run)."""
    reading, measuring = parts(buildpack).reading, parts(buildpack).measuring
    if reading.durations is not None:
        report.durations = reading.durations.durations(report.log, reports)
    if report.structured and reading.reasons is not None:
        report.reasons = reading.reasons.reasons(report.log, reports)
    if measure.coverage and measuring.coverage is not None:
        report.coverage = measuring.coverage.parse_coverage(reports, list(report.tests), workdir)
    elif planned and measuring.probe is not None:
        report.probed = measuring.probe.parse_probe(reports)


def _statuses(
    sandbox: Sandbox,
    buildpack: Buildpack,
    tests: Sequence[str],
    result: ExecResult,
    reports: dict[str, str],
    timeout: float,
    resume: bool,
) -> tuple[dict[str, TestStatus], list[Crash], ExecResult]:
    """The statuses of a run (from its exit status alone for a buildpack without a structured
    report), the tests whose failure ended the runner's process, and the run, joined with the
    runs past each of them (``_resume``) where it may ``resume``."""
    if not buildpack.structured:
        return _whole(buildpack.parse(result.output, reports), result), [], result
    statuses = buildpack.parse(result.output, reports)
    resumer = parts(buildpack).reading.resume
    if resumer is None or result.timed_out:
        return statuses, [], result
    if not resume:
        found = resumer.crashes(result.output, statuses)
        return _failed(statuses, found), [c for c in found if c.test], result
    statuses, crashes, runs = _resume(sandbox, buildpack, resumer, tests, statuses, result, timeout)
    return statuses, crashes, _joined(result, runs)


def _whole(named: dict[str, TestStatus], result: ExecResult) -> dict[str, TestStatus]:
    """A run judged as a whole: the tests its output names (where the buildpack reads any), and
    ``SUITE_ID`` by its exit status when none is named or it failed with none of them failing."""
    ok = result.exit_code == 0 and not result.timed_out
    explained = ok or any(s in (TestStatus.FAILED, TestStatus.ERROR) for s in named.values())
    return named if named and explained else {**named, SUITE_ID: TestStatus.PASSED if ok else TestStatus.FAILED}


def _observed(kind: str, selected: int, report: TestReport) -> None:
    """The run counted in the metrics and logged."""
    outcome = "timeout" if report.timed_out else ("passed" if report.ok else "failed")
    TEST_RUNS.labels(kind, outcome).inc()
    TEST_RUN_SECONDS.labels(kind).observe(report.duration)
    if report.reason:
        log.info("tests.abnormal_end", sandbox=kind, reason=report.reason)  # the report says it
    log.info(
        "tests.ran",
        sandbox=kind,
        selected=selected,
        result=outcome,
        duration=round(report.duration, 3),
        **report.counts(),
    )
