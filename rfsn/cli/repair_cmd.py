"""``rfsn repair``: find the fault, propose edits, prove them with the tests."""

from __future__ import annotations

import sys
import tempfile
import uuid
from pathlib import Path

import click
from rich.console import Console
from rich.live import Live
from rich.table import Table

from rfsn.buildpacks import check_choice, select
from rfsn.cli.common import BUILDPACK, PLANNER, SECONDS, OutputDir, check_target, error_line, setup
from rfsn.cli.options import (
    Dated,
    Logged,
    ModelFlags,
    Sandboxed,
    Served,
    env_options,
    gathered,
    metrics_options,
    model_options,
    sandbox_options,
    verbosity_options,
)
from rfsn.controller import session
from rfsn.controller.budget import DEFAULT_MAX_STEPS
from rfsn.controller.loop import Step
from rfsn.controller.report import where_it_went
from rfsn.errors import ConfigError, WorkspaceError
from rfsn.inputs import MAX_SMALL_BYTES, read_bounded
from rfsn.models import SessionResult, SessionStatus
from rfsn.observability import metrics
from rfsn.observability.console import console as plain_console
from rfsn.observability.console import shown, styled
from rfsn.observability.heartbeat import Heartbeat, clock
from rfsn.patches.apply import to_foreign
from rfsn.settings import Settings
from rfsn.workspace import is_url, prepare

EXIT = {SessionStatus.FIXED: 0, SessionStatus.ERROR: 2, SessionStatus.ENV_ERROR: 2}


class LiveView:
    """Phase, steps, candidates tried and best so far, redrawn after every step."""

    def __init__(self) -> None:
        self.step: Step | None = None
        self.candidates = 0
        self.last = ""
        self.best = ""

    def update(self, step: Step) -> None:
        self.step = step
        proposal, outcome = step.proposal, step.feedback.outcome
        if proposal.intent == "edit" and proposal.rationale != "revert the candidate":
            self.candidates += proposal.phase is not None and proposal.phase.value == "patch"
            self.last = proposal.rationale
        if proposal.intent == "run_tests" and outcome and outcome.report and outcome.report.ok:
            self.best = self.last

    def line(self, elapsed: float, timeout: float, max_steps: int) -> str:
        """One progress line for logs: phase, step, elapsed, budget left."""
        phase = self.step.proposal.phase.value if self.step and self.step.proposal.phase else "starting"
        step = self.step.number if self.step else 0
        return (
            f"repair: phase {phase}, step {step}/{max_steps}, {self.candidates} candidates, "
            f"elapsed {clock(elapsed)}, budget left {clock(max(0.0, timeout - elapsed))}"
        )

    def __rich__(self) -> Table:
        table = Table.grid(padding=(0, 2))
        phase = self.step.proposal.phase.value if self.step and self.step.proposal.phase else "starting"
        table.add_row("phase", phase)
        table.add_row("step", str(self.step.number if self.step else 0))
        table.add_row("candidates tried", str(self.candidates))
        table.add_row("last candidate", shown(self.last) or "-")
        table.add_row("best so far", shown(self.best) or "-")
        return table


def _read_problem(path: Path, problem: str | None) -> str:
    if problem is not None:
        raise ConfigError("--problem and --problem-file both give the issue text: give one")
    text = read_bounded(path, MAX_SMALL_BYTES, "--problem-file")
    if not text.strip():
        raise ConfigError(f"--problem-file {path} holds no text (a named pipe no one writes to reads as empty)")
    return text


def _apply_to_source(target: str, patch: str) -> None:
    if is_url(target):
        raise ConfigError("--apply works only on a local path target")
    proc = to_foreign(Path(target), patch)
    if proc.returncode != 0:
        raise WorkspaceError(f"the patch no longer applies to {target}: {proc.stderr.strip()[:200]}")


def _summary(result: SessionResult, out: Path, console: Console) -> None:
    if EXIT.get(result.status) == 2:  # the session met an error: said as every error is
        label = "" if result.status is SessionStatus.ERROR else f"{result.status.value}: "
        error_line(f"rfsn: error: {label}{result.message}")
    else:
        console.print(styled(result.status.value, "bold"), f": {shown(result.message)}", sep="")
    if result.patch:
        click.echo(result.patch, nl=False)
    for line in where_it_went(result):  # what became of each group, and where the budget went
        console.print(shown(line), soft_wrap=True)
    console.print(
        f"{result.steps} steps, {result.candidates_tried} candidates, {result.duration:.1f}s; outputs in {out}"
    )


class RepairArgs(ModelFlags, Sandboxed, Dated, Served, Logged):
    """The options of ``rfsn repair``."""

    target: str
    ref: str | None
    problem: str | None
    problem_file: Path | None
    tests: tuple[str, ...]
    planner: str
    max_steps: int
    timeout: float
    out_dir: Path
    apply_patch: bool
    buildpack: str | None
    test_cmd: str | None
    formula: str
    replay: Path | None


#: the options a session takes as they are
_SESSION_FIELDS = {"planner", "max_steps", "timeout", "out_dir", "buildpack", "test_cmd", "formula", "replay"}


@click.command()
@click.argument("target")
@click.option("--ref", help="branch, tag or commit to repair")
@click.option("--problem", help="the issue text")
@click.option(
    "--problem-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="read the issue text from a file",
)
@click.option("--tests", multiple=True, help="a failing test to make pass (repeatable; default: all)")
@click.option(
    "--planner", type=PLANNER, default="template", show_default=True, help="patch strategy (plugins add more)"
)
@click.option(
    "--max-steps",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_STEPS,
    show_default=True,
    help="proposals the session may make (tests run, edits, reads) before it stops",
)
@click.option(
    "--timeout",
    type=SECONDS,
    default=1800.0,
    show_default=True,
    help="wall seconds of the repair, from when the sandbox is ready (not building it)",
)
@click.option(
    "--out", "out_dir", type=OutputDir(), default=Path("rfsn-out"), show_default=True, help="where session outputs go"
)
@click.option("--apply", "apply_patch", is_flag=True, help="apply the patch to TARGET (a path) if fixed")
@click.option("--buildpack", type=BUILDPACK, help="use this buildpack instead of detecting one")
@click.option("--test-cmd", help="run this command as the test suite (exit code only)")
@click.option(
    "--formula",
    type=click.Choice(["ochiai", "dstar", "tarantula"]),
    default="ochiai",
    show_default=True,
    help="suspiciousness formula",
)
@model_options("in all")
@click.option(
    "--replay",
    type=click.Path(exists=True, path_type=Path),
    help="answer every model call from this session directory's record (no network)",
)
@sandbox_options
@env_options
@metrics_options
@verbosity_options
@gathered(RepairArgs)
def repair(args: RepairArgs) -> None:
    """Repair TARGET (a path or git URL): exit 0 fixed, 1 not fixed, 2 error, 3 rfsn failed."""
    settings, problem = _checked(args)
    options = session.RepairOptions(
        **args.model_dump(include=_SESSION_FIELDS),
        **args.caps(),
        tests=list(args.tests),
        problem=problem or "",
        sandbox=settings.sandbox,
        session_id=uuid.uuid4().hex[:12],
        cache=not args.no_cache,
    )
    session.session_model(options, settings, out=None)  # a missing key or bad URL: before any work
    result = _run(args, options, settings)
    _summary(result, args.out_dir / str(options.session_id), plain_console())
    if args.apply_patch and result.status is SessionStatus.FIXED:
        _apply_to_source(args.target, result.patch)
        click.echo(f"applied the patch to {args.target}")
    sys.exit(EXIT.get(result.status, 1))


def _checked(args: RepairArgs) -> tuple[Settings, str | None]:
    """The settings and the issue text, once every input is checked: bad input is a one-line
    error before any work (Docker included)."""
    check_target(args.target, args.ref)
    check_choice(args.buildpack, args.test_cmd)
    args.require_model_planner(args.planner)
    settings = setup(args.verbose, args.log_file, **args.overrides())
    problem = _read_problem(args.problem_file, args.problem) if args.problem_file is not None else args.problem
    if args.apply_patch and is_url(args.target):
        raise ConfigError("--apply works only on a local path target")
    return settings, problem


def _run(args: RepairArgs, options: session.RepairOptions, settings: Settings) -> SessionResult:
    """The session on a copy of TARGET, its progress drawn live on stderr."""
    console = plain_console(stderr=True)
    view = LiveView()
    beat = Heartbeat("rfsn", lambda elapsed: view.line(elapsed, args.timeout, args.max_steps), console)
    with (
        metrics.serving(args.metrics_port, args.metrics_addr),
        beat,
        Live(view, console=console, transient=True, refresh_per_second=8, redirect_stderr=False),
        tempfile.TemporaryDirectory(prefix="rfsn-repair-") as tmp,
    ):
        workspace = prepare(args.target, Path(tmp) / "repo", args.ref, timeout=settings.clone_timeout)
        pack = select(workspace.path, args.buildpack, args.test_cmd)  # none fits: an input error, no session yet
        return session.repair_workspace(workspace, options, settings, on_step=view.update, buildpack=pack)
