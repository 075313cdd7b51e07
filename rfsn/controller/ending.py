"""How a repair session ends: what it holds as it goes (`SessionState`), the verdict of whatever
ended it (the budget, an interruption, a crash), and its result with the evidence files written
(`session_result`: patch.diff, result.json, report.md, report.html, metrics.prom, all or none).
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from rfsn.controller.budget import BudgetExhausted, Usage
from rfsn.controller.htmlreport import render_html
from rfsn.controller.report import render_report
from rfsn.controller.trajectory import read
from rfsn.fsutil import write_all_atomic
from rfsn.llm.budget import GuardedModel
from rfsn.models import SessionResult, SessionStatus
from rfsn.observability import metrics
from rfsn.observability.logging import get_logger, unbind
from rfsn.planners.base import Verdict
from rfsn.planners.meta import PhasePlanner
from rfsn.workspace import Workspace

log = get_logger(__name__)


def _phase_durations(trajectory: Path) -> dict[str, float]:
    durations: dict[str, float] = {}
    for record in read(trajectory) if trajectory.exists() else []:
        phase = str(record["phase"])
        durations[phase] = round(durations.get(phase, 0.0) + float(record["seconds"]), 3)  # type: ignore[arg-type]
    return durations


@dataclass
class SessionState:
    """What a session holds as it goes, for its result whatever ends it."""

    session_id: str
    usage: Usage
    started: float = field(default_factory=time.monotonic)
    verdict: Verdict = field(
        default_factory=lambda: Verdict(status=SessionStatus.ERROR, message="the session did not start")
    )
    planner: PhasePlanner | None = None
    model: GuardedModel | None = None
    environment: list[str] = field(default_factory=list)
    environment_seconds: float = 0.0
    build_log: str = ""


def out_of_budget(planner: PhasePlanner | None, exc: BudgetExhausted) -> Verdict:
    best = f"; best candidate: {planner.best.description}" if planner and planner.best else ""
    return (planner.unverified(f"the session's {exc}") if planner else None) or Verdict(
        status=SessionStatus.BUDGET_EXHAUSTED,
        message=f"{exc}{best}",
        failing_before=planner.failing_before if planner else [],
        groups=planner.groups(f"the session's {exc}") if planner else [],
    )


def interrupted(planner: PhasePlanner | None, exc: KeyboardInterrupt | SystemExit) -> Verdict:
    how = "Ctrl-C" if isinstance(exc, KeyboardInterrupt) else f"exit {exc.code}"
    return Verdict(
        status=SessionStatus.ERROR,
        message=f"interrupted ({how})",
        failing_before=planner.failing_before if planner else [],
        groups=planner.groups(f"interrupted ({how})") if planner else [],
    )


def crashed(state: SessionState, exc: Exception) -> Verdict:
    steps, planner = state.usage.steps, state.planner
    log.error("session.crash", step=steps, error=f"{type(exc).__name__}: {exc}")
    # where, for a bug report: in events.jsonl, not on the console (unless -v)
    log.info("session.crash_traceback", traceback=traceback.format_exc())
    return Verdict(
        status=SessionStatus.ERROR,
        message=f"crashed at step {steps}: {type(exc).__name__}: {exc}",
        failing_before=planner.failing_before if planner else [],
    )


def session_result(state: SessionState, workspace: Workspace, out: Path) -> SessionResult:
    """The session's result, with its patch, report and metrics written to ``out``."""
    planner, verdict, model = state.planner, state.verdict, state.model
    if planner is not None:  # a reproduction test is evidence, not part of the fix
        workspace.discard_new(planner.scaffolding)
    patch = (
        workspace.diff(workspace.edited)  # what a test run wrote is no part of the fix
        if verdict.status in (SessionStatus.FIXED, SessionStatus.PLAUSIBLE)
        else (verdict.patch if verdict.status is SessionStatus.BUDGET_EXHAUSTED else "")
    )
    verdict = verdict.model_copy(
        update={"patch": patch, "candidates_tried": planner.candidates_tried if planner else verdict.candidates_tried}
    )
    result = SessionResult(
        **verdict.model_dump(),
        session_id=state.session_id,
        steps=state.usage.steps,
        duration=round(time.monotonic() - state.started, 3),
        environment_seconds=state.environment_seconds,
        phase_durations=_phase_durations(out / "trajectory.jsonl"),
        environment=state.environment,
        environment_log=state.build_log,
        **(model.budget.totals() if model is not None else {}),
    )
    metrics.SESSIONS.labels(result.status.value).inc()
    write_all_atomic(
        {
            out / "patch.diff": patch,
            out / "result.json": result.model_dump_json(indent=2),
            out / "report.md": render_report(result, workspace.source),
            out / "report.html": render_html(result, workspace.source),
            out / "metrics.prom": metrics.render(),
        }
    )
    unbind("session_id", "phase", "step")
    return result
