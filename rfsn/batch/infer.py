"""``rfsn batch``: repair many instances, writing SWE-bench predictions as they finish.

    <out>/predictions.jsonl        instance_id, model_name_or_path, model_patch
    <out>/results.jsonl            an Outcome per instance (status, times, link)
    <out>/<instance_id>/<session>/ the session's outputs (trajectory, patch, ...)

Resumable: an instance whose prediction is recorded is skipped. A session's
verdict (fixed, not fixed, budget spent, session error) is recorded; a
failure before the session's first step (repository, image, daemon) is only
logged in results.jsonl, so the next run tries the instance again.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from rich.console import Console

from rfsn.batch.executors import LogSetup, check_executor, make_executor, node_settings
from rfsn.batch.harness.patching import apply_test_patch
from rfsn.batch.harness.repos import Origin, commit_all, env_history, instance_checkout
from rfsn.batch.harness.specenv import instance_buildpack
from rfsn.batch.harness.suite import session_suites
from rfsn.batch.instances import load_instances, require_oracle_fields, require_sources
from rfsn.batch.outcome import ErrorKind, Outcome, Status, classify, patch_size
from rfsn.batch.predictions import RunStore
from rfsn.batch.progress import RunProgress
from rfsn.batch.report import write_reports
from rfsn.errors import ConfigError, InfraFailure
from rfsn.fsutil import write_atomic
from rfsn.models import SessionResult, SessionStatus
from rfsn.models.swebench import Instance, Prediction, model_dir
from rfsn.planners.reproduce.baseline import BaselineOptions
from rfsn.settings import Settings, for_workers, load_settings
from rfsn.workspace import Workspace

_VERDICT = {SessionStatus.FIXED: Status.FIXED, SessionStatus.ERROR: Status.ERROR, SessionStatus.ENV_ERROR: Status.ERROR}


class RepairTask(BaseModel):
    instance: Instance
    out_dir: Path
    model_name: str = "rfsn"
    planner: str = "template"
    oracle_tests: bool = False
    timeout: float | None = None
    repos_dir: Path | None = None
    #: what a relative ``repo`` path is relative to: the instance file's directory
    relative_to: Path | None = None
    cache: bool = True
    settings: dict[str, Any] = {}
    #: the model planners' RepairOptions (model, base_url, max_cost, max_tokens, max_calls)
    model_options: dict[str, Any] = {}

    @property
    def outputs(self) -> Path:
        return self.out_dir / self.instance.instance_id

    def elsewhere(self, root: Path, *, node_home: bool) -> RepairTask:
        return self.model_copy(update={"out_dir": root, "settings": node_settings(self.settings, node_home)})


class RepairResult(BaseModel):
    outcome: Outcome
    prediction: Prediction | None = None  # None: not to be recorded (infrastructure failure)


def _session_id(instance_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", instance_id)[:60]


def problem_text(instance: Instance) -> str:
    hints = instance.hints_text.strip()
    return instance.problem_statement + (f"\n\nHints:\n{hints}" if hints else "")


def repair_instance(task: RepairTask) -> RepairResult:
    """Check out, optionally apply the test patch, run a repair session; never raises."""
    started = time.monotonic()
    settings = load_settings(**task.settings)
    (settings.home / "tmp").mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="rfsn-batch-", dir=settings.home / "tmp"))
    session_id = _session_id(task.instance.instance_id)
    shutil.rmtree(task.outputs / session_id, ignore_errors=True)  # a killed earlier attempt
    phases: dict[str, float] = {}
    try:
        workspace, history = _checkout(task, settings, tmp)
        phases["checkout"] = round(time.monotonic() - started, 3)
        result = _session(task, settings, workspace, history, session_id)
    except Exception as exc:  # infrastructure: logged, not recorded, retried next run
        return _infra_failure(task, exc, time.monotonic() - started, phases)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return _recorded(task, result, time.monotonic() - started, phases)


def _session(
    task: RepairTask, settings: Settings, workspace: Workspace, history: Path | None, session_id: str
) -> SessionResult:
    """The repair session of ``task``'s instance in ``workspace``, as the task asks (issue-only,
    or with the oracle tests)."""
    from rfsn.controller.session import RepairOptions, repair_workspace

    inst = task.instance
    problem = problem_text(inst)
    test_patch = inst.test_patch if task.oracle_tests else ""
    # a small project's whole suite may outlast the limit all the same
    suite, narrowed = session_suites(workspace.path, test_patch, problem)
    options = RepairOptions(
        planner=task.planner,
        problem=problem,
        out_dir=task.outputs,
        tests=list(inst.FAIL_TO_PASS) if task.oracle_tests else [],
        sandbox=settings.sandbox,
        session_id=session_id,
        cache=task.cache,
        **task.model_options,
    )
    if task.timeout:
        options.timeout = task.timeout
    # issue-only: nothing of the test patch reaches the session, not even its file names
    buildpack = instance_buildpack(
        inst if task.oracle_tests else inst.model_copy(update={"test_patch": ""}),
        workspace.path,
        settings,
        repairing=True,
        suite=suite,
        history=history,
    )
    baseline = BaselineOptions(suite=suite, narrowed=narrowed)
    return repair_workspace(workspace, options, settings, buildpack=buildpack, baseline=baseline)


def _infra_failure(task: RepairTask, exc: Exception, duration: float, phases: dict[str, float]) -> RepairResult:
    """The outcome of an instance whose repair stopped on ``exc`` before a verdict: its traceback
    is kept in ``error.log``, and it is not recorded (the next run tries it again)."""
    instance_id = task.instance.instance_id
    task.outputs.mkdir(parents=True, exist_ok=True)
    write_atomic(task.outputs / "error.log", traceback.format_exc())
    return RepairResult(
        outcome=Outcome(
            instance_id=instance_id,
            status=Status.ERROR,
            error_kind=classify(exc),
            message=str(exc)[:500],
            duration=duration,
            phases=phases,
            link=f"{instance_id}/error.log",
        )
    )


def _checkout(task: RepairTask, settings: Settings, tmp: Path) -> tuple[Workspace, Path | None]:
    """The instance at its base commit in ``tmp/repo``, with its test patch committed when the
    task gives the session the oracle tests; and the host repository of its env commit when the
    workspace lacks it (``env_history``)."""
    inst = task.instance
    origin = Origin(inst.repo, settings.home / "repos", settings.clone_timeout, task.repos_dir, task.relative_to)
    workspace = instance_checkout(origin, inst.base_commit, tmp / "repo")
    history = env_history(
        origin, inst.environment_setup_commit, workspace.base_commit, workspace.path, tmp / "env-history"
    )
    if task.oracle_tests:
        applied = apply_test_patch(workspace, inst.test_patch, workspace.base_commit)
        if not applied.applied:
            raise InfraFailure(ErrorKind.TEST_PATCH, "the instance's test_patch does not apply")
        workspace = commit_all(workspace, "rfsn: test patch")
    return workspace, history


def _recorded(task: RepairTask, result: SessionResult, duration: float, phases: dict[str, float]) -> RepairResult:
    """The session's outcome, and its prediction unless the session failed on infrastructure."""
    inst = task.instance
    status = _VERDICT.get(result.status, Status.NOT_FIXED)
    outcome = Outcome(
        instance_id=inst.instance_id,
        status=status,
        error_kind=(
            ErrorKind.ENV
            if result.status == SessionStatus.ENV_ERROR
            else ErrorKind.REPAIR
            if status == Status.ERROR
            else None
        ),
        message=f"{result.status.value}: {result.message}"[:500],
        duration=duration,
        phases={**phases, "environment": result.environment_seconds, **result.phase_durations},
        patch_lines=patch_size(result.patch),
        llm_calls=result.llm_calls,
        input_tokens=result.input_tokens,
        output_tokens=result.output_tokens,
        cost=result.cost,
        link=f"{inst.instance_id}/{result.session_id}/trajectory.jsonl",
    )
    if (result.status == SessionStatus.ERROR and result.steps == 0) or result.status == SessionStatus.ENV_ERROR:
        return RepairResult(outcome=outcome)  # infrastructure, not a prediction: retried next run
    prediction = Prediction(instance_id=inst.instance_id, model_name_or_path=task.model_name, model_patch=result.patch)
    return RepairResult(outcome=outcome, prediction=prediction)


class BatchConfig(BaseModel):
    """What ``rfsn batch`` runs: the instances, where the run goes, and how each instance is repaired."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    instances: Path
    out_dir: Path
    workers: int = Field(default=1, ge=1)
    executor: Literal["local", "ray"] = "local"
    ray_address: str | None = None
    planner: str = "template"
    #: apply each instance's test_patch first and name its FAIL_TO_PASS tests (the classic APR setting)
    oracle_tests: bool = False
    repos_dir: Path | None = None
    instance_ids: tuple[str, ...] = ()
    #: seconds of one repair session
    timeout: float | None = Field(default=None, gt=0)
    #: model_name_or_path written with each prediction
    model_name: str = "rfsn"
    cache: bool = True
    #: the settings each worker takes over (``settings.WORKER_SETTINGS``); None: the worker's own
    settings: Settings | None = None
    #: the model planner's options per instance (model, base_url, max_cost, max_tokens, max_calls)
    model_options: dict[str, str | float | int] = {}
    logs: LogSetup = LogSetup()

    @model_validator(mode="after")
    def _usable(self) -> BatchConfig:
        check_executor(self.executor, self.ray_address)
        try:
            model_dir(self.model_name, "--model-name")  # evaluate names a directory after it
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        return self


def run_batch(config: BatchConfig, console: Console | None = None) -> dict[str, Outcome]:
    """Repair every instance not yet recorded in ``out_dir``; the latest outcome of each
    instance (an error not committed as a prediction included: the next run retries it)."""
    from rfsn.planners.patch.strategies import check_name

    check_name(config.planner)
    instances = load_instances(config.instances, config.instance_ids)
    if config.oracle_tests:
        require_oracle_fields(config.instances, instances)
    require_sources(config.instances, instances, config.repos_dir)
    config.out_dir.mkdir(parents=True, exist_ok=True)
    store = RunStore(config.out_dir)
    with store.claim():  # one run of the directory at a time
        done = store.outcomes()
        tasks = [
            RepairTask(
                instance=i,
                out_dir=config.out_dir.resolve(),
                model_name=config.model_name,
                planner=config.planner,
                oracle_tests=config.oracle_tests,
                timeout=config.timeout,
                repos_dir=config.repos_dir,
                relative_to=config.instances.resolve().parent,
                cache=config.cache,
                settings=for_workers(config.settings) if config.settings else {},
                model_options=config.model_options,
            )
            for i in instances
            if i.instance_id not in done
        ]
        executor = make_executor(config.executor, config.workers, config.ray_address, config.logs)
        previous = [done[i.instance_id] for i in instances if i.instance_id in done]
        with RunProgress(len(instances), "batch", "fixed", "not fixed", previous, console) as progress:
            for task, result in executor.map_unordered(repair_instance, tasks):
                if isinstance(result, RepairResult):
                    store.record(result.outcome, result.prediction)
                    outcome = result.outcome
                else:
                    outcome = Outcome(
                        instance_id=task.instance.instance_id,
                        status=Status.ERROR,
                        error_kind=ErrorKind.WORKER,
                        message=f"{type(result).__name__}: {result}"[:500],
                    )
                    store.record(outcome)
                progress.advance(outcome)
        write_reports(config.out_dir, f"batch {config.out_dir.name} ({config.model_name})")
        latest = store.outcomes(latest=True, committed_only=False)
        return {i.instance_id: latest[i.instance_id] for i in instances if i.instance_id in latest}
