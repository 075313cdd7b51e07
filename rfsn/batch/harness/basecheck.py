"""The environment check's runs (``envcheck``): the instance's tests at base + test_patch, in a
sandbox of their own, run once more when they fail the check."""

from __future__ import annotations

from pathlib import Path

from rfsn.batch.harness import envcheck as validation
from rfsn.batch.harness.patching import apply_test_patch
from rfsn.batch.harness.runs import RunLog, as_harness_names, fresh_sandbox, instance_tests
from rfsn.batch.outcome import ErrorKind
from rfsn.buildpacks.base import Buildpack
from rfsn.buildpacks.instances import missing_dependency
from rfsn.buildpacks.parts import parts
from rfsn.errors import InfraFailure
from rfsn.models import TestReport
from rfsn.models.swebench import Instance
from rfsn.runner import run_tests
from rfsn.settings import Settings
from rfsn.workspace import Workspace


def validate(
    buildpack: Buildpack,
    inst: Instance,
    ws: Workspace,
    settings: Settings,
    kind: str,
    timeout: float,
    path: Path,
    log: RunLog,
) -> str:
    """Base + test_patch, in a sandbox of its own, must collect F2P failing and P2P passing;
    the pass is cached. A base that fails the check runs once more, to tell a broken baseline
    from a flaky one. Returns the caveat ("" if none)."""
    report, reason, edited = _base_run(buildpack, inst, ws, settings, kind, timeout, log)
    flaky = ""
    if reason:
        log("the base runs once more: a broken baseline fails the same tests again")
        again, reason_again, edited = _base_run(buildpack, inst, ws, settings, kind, timeout, log)
        flaky = validation.changed(inst, report, again)
        if flaky and reason_again:
            raise InfraFailure(ErrorKind.FLAKY, f"{flaky}; the first run: {reason}")
        if not flaky:
            raise InfraFailure(ErrorKind.ENV, reason)
        log(f"flaky baseline, the second run passed the check: {flaky}")
        report, flaky = again, f"{flaky} (the first run: {reason})"
    caveat = "; ".join(c for c in (validation.caveat(inst, report, edited), flaky) if c)
    validation.store(path, caveat)
    return caveat


def _base_run(
    buildpack: Buildpack, inst: Instance, ws: Workspace, settings: Settings, kind: str, timeout: float, log: RunLog
) -> tuple[TestReport, str | None, frozenset[str]]:
    """One run of the instance's tests at base + test_patch, its tests named as the harness
    names them, why it shows a broken environment (None if it does not), and the tests whose
    definition the test patch adds or edits."""
    with fresh_sandbox(ws, buildpack, settings, kind, inst, log, timeout) as box, log.phase("validate"):
        if not apply_test_patch(ws, inst.test_patch, ws.base_commit).applied:
            raise InfraFailure(ErrorKind.TEST_PATCH, "the instance's test_patch does not apply")
        edited = validation.edited_tests(inst.test_patch, ws.path)
        box.share()
        report = run_tests(box, buildpack, instance_tests(buildpack, ws, inst), timeout)
    if report.timed_out:
        raise InfraFailure(ErrorKind.TIMEOUT, f"validation timed out after {timeout:g}s")
    diagnosis = health.diagnose(report, ws.path) if (health := parts(buildpack).reading.health) else None
    crashed = (crash := parts(buildpack).reading.crash) is not None and crash.crashed(report, ws.path)
    named = as_harness_names(buildpack, report)
    reason = validation.verdict(
        inst,
        named,
        diagnosis,
        runner_crashed=crashed,
        dependency=missing_dependency(report.log, ws.path),
        edited=edited,
    )
    log(f"environment validation: {reason or 'ok'}")
    if reason:  # the reason names one symptom; the runner's own words say why
        log(
            f"validation run: + {' '.join(report.command)}\nexit {report.exit_code}, "
            f"{report.counts()}; last lines of its output:\n{_tail(report.log)}"
        )
    return named, reason, edited


def _tail(text: str, lines: int = 40, chars: int = 6000) -> str:
    return "\n".join(text.splitlines()[-lines:])[-chars:]
