"""A repair session: build the parts, run the loop, write the evidence.

Outputs, in ``out_dir/<session_id>/``: patch.diff, result.json,
trajectory.jsonl, events.jsonl, report.md, report.html, metrics.prom. The
trajectory and events are written as the session goes, a whole line at a time;
the rest at the end, in ``finally``, whatever ended the session: all of them or
none.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field

from rfsn.buildpacks import select
from rfsn.buildpacks.base import Buildpack, limit_cases
from rfsn.buildpacks.parts import parts as optional_parts
from rfsn.controller.budget import DEFAULT_MAX_STEPS, Budget, BudgetExhausted, Usage
from rfsn.controller.ending import SessionState, crashed, interrupted, out_of_budget, session_result
from rfsn.controller.executor import Executor
from rfsn.controller.loop import Controller, Step
from rfsn.controller.trajectory import Trajectory
from rfsn.errors import EnvUnavailable, RfsnError
from rfsn.gate import Gate, GatePolicy
from rfsn.llm.budget import GuardedModel
from rfsn.llm.factory import ModelRequest, open_model
from rfsn.models import SessionResult, SessionStatus
from rfsn.models.testfiles import named_tests
from rfsn.observability.logging import bind, events_to, get_logger
from rfsn.planners.base import PatchStrategy, Verdict
from rfsn.planners.meta import PhasePlanner, PlanOptions
from rfsn.planners.patch.strategies import MODEL_PLANNERS, load_strategy
from rfsn.planners.reproduce.baseline import Baseline, BaselineOptions
from rfsn.sandbox import Sandbox, open_sandbox
from rfsn.sandbox.buildlog import keep_build_log
from rfsn.settings import Settings, config_file
from rfsn.workspace import Workspace

log = get_logger(__name__)


class RepairOptions(ModelRequest):
    """What a repair session is asked to do; the model planners' model, server, caps and replay
    are its ``ModelRequest`` part."""

    planner: str = Field(default="template", description="patch strategy: template (offline)")
    max_steps: int = Field(default=DEFAULT_MAX_STEPS, gt=0)
    timeout: float = Field(
        default=1800.0,
        gt=0,
        description="wall seconds for the repair, from when the "
        "sandbox is ready (building the environment "
        "is bounded by the setup timeout instead)",
    )
    tests: list[str] = Field(default_factory=list, description="target failing tests (default: all)")
    problem: str = Field(default="", description="the issue text")
    out_dir: Path = Field(default=Path("rfsn-out"))
    sandbox: Literal["docker", "local"] | None = Field(
        default=None, description="where commands run; None: the settings' (RFSN_SANDBOX)"
    )
    buildpack: str | None = None
    test_cmd: str | None = None
    session_id: str | None = None
    formula: str = Field(default="ochiai", description="suspiciousness formula: ochiai, dstar, tarantula")


def session_model(options: RepairOptions, settings: Settings, out: Path | None) -> GuardedModel | None:
    """The model of a model planner (None for the offline ones); ConfigError if it cannot be had."""
    if options.planner not in MODEL_PLANNERS:
        return None
    provider = MODEL_PLANNERS[options.planner] or settings.llm.provider
    return open_model(provider, settings, options, out_dir=out)


@dataclass(frozen=True)
class _Parts:
    """What a session's loop is built from: the checkout, the options and settings, where the
    evidence goes, who is told of each step, and the batch's buildpack and baseline (None:
    detected, and the whole suite)."""

    workspace: Workspace
    options: RepairOptions
    settings: Settings
    out: Path
    on_step: Callable[[Step], None] | None = None
    buildpack: Buildpack | None = None
    baseline: BaselineOptions | None = None


def repair_workspace(
    workspace: Workspace,
    options: RepairOptions,
    settings: Settings,
    on_step: Callable[[Step], None] | None = None,
    buildpack: Buildpack | None = None,
    baseline: BaselineOptions | None = None,
) -> SessionResult:
    """Repair ``workspace`` in a sandbox; the result and evidence land in out_dir/<session_id>/.

    ``buildpack`` overrides detection (batch passes an instance's spec-driven one); ``baseline``
    says what the whole suite is (batch: the test files the instance's harness runs)."""
    session_id = options.session_id or uuid.uuid4().hex[:12]
    out = options.out_dir / session_id
    out.mkdir(parents=True, exist_ok=True)
    bind(session_id=session_id)
    state = SessionState(session_id, Usage(Budget(max_steps=options.max_steps, max_seconds=options.timeout)))
    parts = _Parts(workspace, options, settings, out, on_step, buildpack, baseline)
    try:
        with events_to(out / "events.jsonl"), Trajectory(out / "trajectory.jsonl") as trajectory:
            log.info("session.start", target=workspace.source, planner=options.planner)
            try:
                state.verdict = _loop(state, parts, trajectory)
            except BudgetExhausted as exc:  # a plausible patch in hand is returned, unverified
                state.verdict = out_of_budget(state.planner, exc)
            except EnvUnavailable as exc:  # no environment can be had: env_error, as a broken one
                state.verdict = Verdict(status=SessionStatus.ENV_ERROR, message=str(exc))
            except RfsnError as exc:  # a failed env build's whole output: a file beside the report
                state.verdict = Verdict(status=SessionStatus.ERROR, message=str(exc))
                state.build_log = keep_build_log(exc, out)
                state.environment = state.environment or list(getattr(exc, "environment", ()))
            except (KeyboardInterrupt, SystemExit) as exc:  # Ctrl-C, SIGTERM: record it, then stop
                state.verdict = interrupted(state.planner, exc)
                raise
            except Exception as exc:  # a bug, not a refusal: record where it crashed, then let it surface
                state.verdict = crashed(state, exc)
                raise
            finally:  # what the plan's searches log as they end is this session's
                if state.planner is not None:
                    state.planner.close()
            log.info("session.end", status=state.verdict.status.value, message=state.verdict.message)
    finally:
        result = session_result(state, workspace, out)
    return result


def _loop(state: SessionState, parts: _Parts, trajectory: Trajectory) -> Verdict:
    """The session's parts built, in its sandbox, and its loop run to the planner's verdict."""
    options, settings, workspace = parts.options, parts.settings, parts.workspace
    buildpack = parts.buildpack or select(workspace.path, options.buildpack, options.test_cmd)
    limit_cases(buildpack, min(settings.test_case_timeout, options.timeout / 4))
    strategy = load_strategy(options.planner)
    state.model = session_model(options, settings, parts.out)
    policy = GatePolicy.from_mapping(settings.gate, str(config_file()))
    usage = state.usage
    with open_sandbox(
        workspace.path,
        buildpack,
        settings,
        options.sandbox or settings.sandbox,
        state.session_id,
        budget=options.timeout,
    ) as sandbox:
        state.environment_seconds = round(time.monotonic() - state.started, 3)
        log.info(
            "session.sandbox_ready", seconds=state.environment_seconds, setup_seconds=round(sandbox.setup_seconds, 3)
        )
        usage.start()
        if state.model is not None:  # no model call waits past the session's time
            state.model.seconds_left = lambda: usage.seconds_left
        state.environment = list(sandbox.environment)
        state.planner = _planner(state, parts, strategy, buildpack, sandbox)
        executor = Executor(
            sandbox,
            buildpack,
            workspace,
            settings.test_timeout,
            remaining=lambda: usage.seconds_left,
            secret_globs=policy.secret_globs,
        )
        controller = Controller(
            state.planner, Gate(policy), executor, usage, trajectory, workspace.path, buildpack.name, parts.on_step
        )
        return controller.run()


def _planner(
    state: SessionState, parts: _Parts, strategy: PatchStrategy, buildpack: Buildpack, sandbox: Sandbox
) -> PhasePlanner:
    """The session's planner, with its baseline runs, in ``sandbox`` (set up)."""
    usage, workspace = state.usage, parts.workspace
    tests = named_tests(parts.options.tests, workspace.path)
    runs = Baseline(
        parts.baseline,
        workspace=workspace,
        buildpack=buildpack,
        given=tests,
        setup_failure=sandbox.setup_failure,
        seconds_left=lambda: usage.seconds_left,
    )
    return PhasePlanner(
        strategy,
        workspace.path,
        PlanOptions(
            language=buildpack.name,
            workdir=sandbox.workdir,
            targets=tuple(tests),
            problem=parts.options.problem,
            formula=parts.options.formula,
            probes=optional_parts(buildpack).measuring.probe is not None,
        ),
        model=state.model,
        seconds_left=lambda: usage.seconds_left,
        steps_left=lambda: usage.budget.max_steps - usage.steps,
        baseline=runs,
    )


def repair(
    target: str,
    options: RepairOptions | None = None,
    settings: Settings | None = None,
    ref: str | None = None,
    on_step: Callable[[Step], None] | None = None,
    baseline: BaselineOptions | None = None,
) -> SessionResult:
    """Repair ``target`` (a path or a git URL, at ``ref``) on a private copy; never touches it."""
    from rfsn.settings import load_settings
    from rfsn.workspace import prepare

    options = options or RepairOptions()
    settings = settings or load_settings()
    with tempfile.TemporaryDirectory(prefix="rfsn-repair-") as tmp:
        workspace = prepare(target, Path(tmp) / "repo", ref, timeout=settings.clone_timeout)
        return repair_workspace(workspace, options, settings, on_step=on_step, baseline=baseline)
