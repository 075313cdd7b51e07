"""Evaluating one prediction, in a worker: the harness's ``run_instance``.

Check out base_commit, apply the model patch (with the harness's fallbacks),
apply the test patch, run FAIL_TO_PASS and PASS_TO_PASS through the
buildpack, grade. The instance's log directory receives the harness's files:
``patch.diff``, ``run_instance.log``, ``test_output.txt`` and, when the
evaluation completed, ``report.json``. Infrastructure failures (repo, image,
daemon, sandbox, timeout) write no ``report.json``: they count as errors, are
labelled with an ErrorKind, and are retried by the next run.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rfsn.batch.executors import node_settings
from rfsn.batch.harness import envcheck as validation
from rfsn.batch.harness.basecheck import validate
from rfsn.batch.harness.grading import harness_names, instance_report, trusted_statuses, with_functions
from rfsn.batch.harness.mirrors import source_rule
from rfsn.batch.harness.patching import apply_patch, apply_test_patch
from rfsn.batch.harness.repos import Origin, env_history, instance_checkout
from rfsn.batch.harness.runs import RunLog, as_harness_names, fresh_sandbox, instance_tests
from rfsn.batch.harness.specenv import grader, installing, instance_buildpack
from rfsn.batch.outcome import ErrorKind, Outcome, Status, classify, patch_size
from rfsn.buildpacks.base import Buildpack
from rfsn.buildpacks.parts import parts
from rfsn.errors import ImageError, InfraFailure
from rfsn.fsutil import write_atomic
from rfsn.models import TestReport, TestStatus
from rfsn.models.swebench import Instance, Prediction
from rfsn.models.testfiles import test_id_file
from rfsn.runner import run_tests
from rfsn.sandbox import choose_kind
from rfsn.sandbox.buildlog import BUILD_LOG_CHARS, ENV_BUILD_LOG, keep_build_log
from rfsn.settings import Settings, load_settings
from rfsn.workspace import Workspace

#: the harness's default time limit for one instance (run_evaluation's --timeout)
HARNESS_TIMEOUT = 1800.0
REPORT = "report.json"
TEST_OUTPUT = "test_output.txt"
PATCH = "patch.diff"
RUN_LOG = "run_instance.log"


class EvalTask(BaseModel):
    """Everything a worker needs; picklable for processes and Ray."""

    instance: Instance
    prediction: Prediction
    log_dir: Path
    repos_dir: Path | None = None
    #: what a relative ``repo`` path is relative to: the instance file's directory
    relative_to: Path | None = None
    settings: dict[str, Any] = {}
    timeout: float | None = None
    #: check the environment before the graded run, whatever it gives (``rfsn validate``)
    check_first: bool = False

    @property
    def outputs(self) -> Path:
        return self.log_dir

    def elsewhere(self, root: Path, *, node_home: bool) -> EvalTask:
        return self.model_copy(
            update={"log_dir": root / self.log_dir.name, "settings": node_settings(self.settings, node_home)}
        )


def evaluate_instance(task: EvalTask) -> Outcome:
    """Evaluate one prediction; never raises for a per-instance failure."""
    inst, pred = task.instance, task.prediction
    task.log_dir.mkdir(parents=True, exist_ok=True)
    (task.log_dir / REPORT).unlink(missing_ok=True)
    log = RunLog(task.log_dir / RUN_LOG)
    base: dict[str, Any] = {
        "instance_id": inst.instance_id,
        "patch_lines": patch_size(pred.model_patch),
        "link": f"{task.log_dir.name}/{RUN_LOG}",
    }
    write_atomic(task.log_dir / PATCH, pred.model_patch or "")
    try:
        if pred.model_patch in ("", None):
            log("empty patch: nothing to evaluate")
            return Outcome(status=Status.EMPTY_PATCH, **base)
        report, graded_by, caveat = _run(task, log)
        entry = report[inst.instance_id]
        write_atomic(task.log_dir / REPORT, json.dumps(report, indent=4))
        status = Status.RESOLVED if entry["resolved"] else Status.UNRESOLVED
        log(f"result: {status.value}")
        return Outcome(
            status=status,
            duration=time.monotonic() - log.started,
            phases=log.phases,
            graded_by=graded_by,
            caveat=caveat,
            **base,
        )
    except Exception as exc:  # every failure becomes a labelled error outcome
        kind = classify(exc)
        log(f"error ({kind.value}): {exc}\n{traceback.format_exc()}")
        if isinstance(exc, ImageError) and keep_build_log(exc, task.log_dir):
            log(f"the image build's whole output: {ENV_BUILD_LOG}; its end:\n{exc.output[-BUILD_LOG_CHARS:]}")
        return Outcome(
            status=Status.ERROR,
            error_kind=kind,
            message=str(exc)[:500],
            duration=time.monotonic() - log.started,
            phases=log.phases,
            **base,
        )
    finally:
        log.fh.close()


def _run(task: EvalTask, log: RunLog) -> tuple[dict[str, Any], str, str]:
    """The harness's report of the instance, what read its statuses, and a caveat ("" if none).

    The environment check runs before the graded run when the task asks for it (``rfsn
    validate``: the base run is half of its answer); else only when the graded run does not
    resolve the instance, as the harness runs each prediction once and a run that resolves it
    has nothing to blame on the environment. A graded run that says nothing about the tests (a
    usage or internal error, none of the instance's tests collected) is never graded on the word
    of a cached check: the check runs again, and only an environment that passes it now puts
    the run on the patch."""
    settings = load_settings(**task.settings)
    timeout = task.timeout or HARNESS_TIMEOUT
    inst, patch = task.instance, task.prediction.model_patch or ""
    (settings.home / "tmp").mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="rfsn-eval-", dir=settings.home / "tmp"))
    try:
        ws, checking, buildpack = _prepared(task, settings, tmp / "repo", log)
        kind = choose_kind(settings.sandbox)
        path = validation.cache_path(settings.home, inst, checking, ws.path)

        def check() -> str:  # raises InfraFailure when the environment is at fault
            return validate(checking, inst, ws, settings, kind, timeout, path, log)

        caveat, checked_now = validation.cached(path), False
        if caveat is not None:
            log("environment validation (cached): ok")
        elif task.check_first:
            caveat, checked_now = check(), True
        graded, broken = _graded(task, ws, buildpack, settings, kind, timeout, log)
        resolved = bool(graded[inst.instance_id]["resolved"])
        if broken or (caveat is None and not resolved):
            if not checked_now:
                log(
                    "the graded run is broken and the environment check was cached: checking it again"
                    if broken and caveat is not None
                    else "the graded run did not resolve: checking the environment"
                )
                caveat, checked_now = check(), True
            if broken and patch == inst.patch:  # the fix itself: its run cannot be what broke it
                raise InfraFailure(ErrorKind.ENV, f"with the instance's own patch, {broken}")
            if broken:
                log("the environment passed its check in this evaluation: the patch did this, graded")
        if caveat:
            log(f"caveat: {caveat}")
        return graded, grader(buildpack), caveat or ""
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _prepared(task: EvalTask, settings: Settings, path: Path, log: RunLog) -> tuple[Workspace, Buildpack, Buildpack]:
    """The checkout at the base commit in ``path``, the buildpack the environment check runs
    with, and the one the prediction's graded run runs with."""
    inst = task.instance
    with log.phase("checkout"):
        origin = Origin(inst.repo, settings.home / "repos", settings.clone_timeout, task.repos_dir, task.relative_to)
        ws = instance_checkout(origin, inst.base_commit, path)
        rule = source_rule(
            inst.repo, task.repos_dir if task.repos_dir and task.repos_dir.is_dir() else None, task.relative_to
        )
        log(f"checkout {ws.source} at {inst.base_commit} (repo {inst.repo!r} taken as {rule})")
        history = env_history(
            origin, inst.environment_setup_commit, inst.base_commit, ws.path, path.parent / "env-history"
        )
    # the harness installs the project again after the patch, with the dependencies it
    # declares: the check runs where the gold patch's are, each patch where its own are
    spec = instance_buildpack(inst, ws.path, settings, history=history)
    return (
        ws,
        installing(spec, ws.path, ws.base_commit, inst.patch),
        installing(spec, ws.path, ws.base_commit, task.prediction.model_patch or ""),
    )


def _graded(
    task: EvalTask, ws: Workspace, buildpack: Buildpack, settings: Settings, kind: str, timeout: float, log: RunLog
) -> tuple[dict[str, Any], str | None]:
    """The graded run, in a clean sandbox of its own: the harness's report of the prediction,
    and why the run says nothing about the instance's tests (None if it does)."""
    inst, patch = task.instance, task.prediction.model_patch or ""
    # the graded run starts clean: its own container, and nothing a check wrote in the tree
    with fresh_sandbox(ws, buildpack, settings, kind, inst, log, timeout) as box:
        with log.phase("apply"):
            applied = apply_patch(ws, patch)
            log(applied.log)
            if not applied.applied:
                log("model patch failed to apply")
                return instance_report(inst.instance_id, patch, False, None, inst.FAIL_TO_PASS, inst.PASS_TO_PASS), None
            tests_applied = apply_test_patch(ws, inst.test_patch, ws.base_commit)
            log(tests_applied.log)
            if not tests_applied.applied:
                raise InfraFailure(ErrorKind.TEST_PATCH, "the instance's test_patch does not apply")
            box.share()
        with log.phase("tests"):
            report = run_tests(box, buildpack, instance_tests(buildpack, ws, inst), timeout)
    write_atomic(task.log_dir / TEST_OUTPUT, f"+ {' '.join(report.command)}\n{report.log}")
    log(f"tests ran in {report.duration:.2f}s, exit {report.exit_code}, {report.counts()}")
    if report.timed_out:
        raise InfraFailure(ErrorKind.TIMEOUT, f"tests timed out after {timeout:g}s")
    named = as_harness_names(buildpack, report)
    broken = _broken(buildpack, report, named, inst, ws.path, own=patch == inst.patch)
    if broken:
        log(f"the graded run is broken: {broken}")
    statuses, distrust = trusted_statuses(report, named)
    if distrust:
        log(f"test report not trusted: {distrust}")
    return instance_report(inst.instance_id, patch, True, statuses, inst.FAIL_TO_PASS, inst.PASS_TO_PASS), broken


def _broken(
    buildpack: Buildpack, report: TestReport, named: TestReport, inst: Instance, repo: Path, own: bool = False
) -> str | None:
    """Why a graded run (``named``: as the harness names its tests) says nothing about the
    instance's tests, or None; with the instance's own patch (``own``), a FAIL_TO_PASS test its
    module's collection error hides did not run either."""
    diagnosis = health.diagnose(report, repo) if (health := parts(buildpack).reading.health) else None
    if diagnosis:
        return diagnosis
    names = with_functions(harness_names(named.tests))
    first = next((ln.strip() for ln in report.log.splitlines() if "Error" in ln), "")
    if not any(t in names for t in [*inst.FAIL_TO_PASS, *inst.PASS_TO_PASS]):
        return "none of the instance's tests is in the report" + (f": {first}" if first else "")
    hidden = [t for t in inst.FAIL_TO_PASS if t not in names and names.get(test_id_file(t)) == TestStatus.ERROR]
    if own and hidden:
        return (
            f"{len(hidden)} FAIL_TO_PASS test(s) not collected, their module does not import "
            f"(first: {hidden[0]})" + (f": {first}" if first else "")
        )
    return None
