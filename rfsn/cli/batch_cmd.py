"""``rfsn batch``: repair every instance of a SWE-bench-style file; the options it shares with
``rfsn evaluate`` and ``rfsn validate`` (which instances, where they run).

Exit status: 0 when the run completed (whatever the resolve rate), 1 when it ran but every
instance ended in error, 2 on bad input (a malformed line is reported with its line number) or
when the run cannot start.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from rfsn.batch.executors import LogSetup
from rfsn.cli.common import PLANNER, SECONDS, OutputDir, console_level, setup
from rfsn.cli.options import (
    Dated,
    Logged,
    ModelFlags,
    Options,
    Sandboxed,
    Served,
    env_options,
    gathered,
    metrics_options,
    model_options,
    sandbox_options,
    stacked,
    verbosity_options,
)
from rfsn.errors import ConfigError
from rfsn.observability import metrics
from rfsn.observability.console import console
from rfsn.settings import Settings

if TYPE_CHECKING:
    from rfsn.batch.infer import BatchConfig
    from rfsn.batch.outcome import Outcome


class Instances(Options):
    """Which instances run, and where: the options ``batch``, ``evaluate`` and ``validate`` share."""

    timeout: float | None
    instance_ids: tuple[str, ...]
    repos_dir: Path | None
    ray_address: str | None
    executor: Literal["local", "ray"]
    workers: int

    def ids(self) -> tuple[str, ...]:
        """The ids of ``--instance-ids``; given only blanks (an empty shell variable), an input error."""
        ids = tuple(i for value in self.instance_ids for i in value.split())
        if self.instance_ids and not ids:
            raise ConfigError("--instance-ids names no instance (an empty value: leave the option out to run them all)")
        return ids

    def in_workers(self) -> bool:
        """Whether sessions run in worker processes of this machine (their metrics are summed):
        local workers, or the tasks of a Ray instance this command starts. The tasks of a Ray
        cluster named by ``--ray-address`` run elsewhere and are not counted by the endpoint.
        """
        return (self.executor == "local" and self.workers > 1) or (self.executor == "ray" and not self.ray_address)

    def placed(self) -> dict[str, Any]:
        """The fields of the run's configuration these options give."""
        return {**self.model_dump(include=set(Instances.model_fields) - {"instance_ids"}), "instance_ids": self.ids()}


instances_options = stacked(
    click.option(
        "--timeout",
        type=SECONDS,
        help="seconds per instance: batch, the repair session's wall-clock "
        "budget from when its sandbox is ready; evaluate, the test run",
    ),
    click.option(
        "--instance-ids", "instance_ids", multiple=True, help="only these instances (repeatable, or space separated)"
    ),
    click.option(
        "--repos-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="local mirrors: DIR/owner__name, DIR/owner/name or DIR/name",
    ),
    click.option("--ray-address", help="Ray cluster to join (default: a local Ray)"),
    click.option(
        "--executor",
        type=click.Choice(["local", "ray"]),
        default="local",
        show_default=True,
        help="local worker processes, or Ray tasks",
    ),
    click.option(
        "--workers", type=click.IntRange(min=1), default=1, show_default=True, help="instances run in parallel"
    ),
)


def worker_setup(settings: Settings, verbose: bool) -> dict[str, Any]:
    """What each worker needs of this process's settings and logging."""
    return {"settings": settings, "logs": LogSetup(level=console_level(verbose, settings), json_file=settings.log_file)}


class BatchArgs(Instances, ModelFlags, Sandboxed, Dated, Served, Logged):
    """The options of ``rfsn batch``."""

    instances: Path
    out_dir: Path
    planner: str
    oracle_tests: bool
    model_name: str


@click.command()
@click.argument("instances", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=OutputDir(),
    help="run directory: predictions.jsonl, results.jsonl, one folder per instance",
)
@click.option("--planner", type=PLANNER, default="template", show_default=True, help="patch strategy")
@click.option(
    "--oracle-tests", is_flag=True, help="apply each instance's test_patch before repair (the classic APR setting)"
)
@click.option("--model-name", default="rfsn", show_default=True, help="model_name_or_path written with each prediction")
@model_options("per instance")
@instances_options
@sandbox_options
@env_options
@metrics_options
@verbosity_options
@gathered(BatchArgs)
def batch(args: BatchArgs) -> None:
    """Repair every instance of INSTANCES (SWE-bench JSON/JSONL); resumes where a run stopped.

    --timeout is the wall-clock budget of one repair session, in seconds. Without
    --oracle-tests an instance is issue-only (no test_patch, no FAIL_TO_PASS): the templates
    need a failing test, a model planner writes one from the problem statement.
    """
    from rfsn.batch.infer import run_batch
    from rfsn.batch.outcome import Status

    args.require_model_planner(args.planner)
    settings = setup(args.verbose, args.log_file, **args.overrides())
    config = _batch_config(args, settings)
    with metrics.serving(args.metrics_port, args.metrics_addr, workers=args.in_workers()):
        outcomes = run_batch(config, console(stderr=True))
    click.echo(_batch_summary(outcomes, args.out_dir))
    if outcomes and all(o.status == Status.ERROR for o in outcomes.values()):
        raise SystemExit(1)  # it ran, and nothing came of it


def _batch_config(args: BatchArgs, settings: Settings) -> BatchConfig:
    """The run's configuration; a missing key or bad URL of the model is an error before any instance."""
    from rfsn.batch.infer import BatchConfig
    from rfsn.controller.session import RepairOptions, session_model

    options = RepairOptions(planner=args.planner, **args.caps())
    session_model(options, settings, out=None)
    per_instance = options.model_dump(include=set(args.caps()), exclude_none=True)
    return BatchConfig(
        **args.model_dump(include={"instances", "out_dir", "planner", "oracle_tests", "model_name"}),
        **args.placed(),
        cache=not args.no_cache,
        model_options=per_instance,
        **worker_setup(settings, args.verbose),
    )


def _batch_summary(outcomes: dict[str, Outcome], out_dir: Path) -> str:
    """What became of the instances, what runs again, the model's totals, where the outputs are."""
    from rfsn.batch.outcome import Status
    from rfsn.batch.predictions import PREDICTIONS, RunStore
    from rfsn.batch.report import model_totals

    counts = {s: sum(1 for o in outcomes.values() if o.status == s) for s in Status}
    totals = model_totals(list(outcomes.values()))
    again = sorted(set(outcomes) - RunStore(out_dir).committed_ids())
    predictions = out_dir / PREDICTIONS
    return (
        f"{len(outcomes)} instance{'' if len(outcomes) == 1 else 's'}: {counts[Status.FIXED]} fixed, "
        f"{counts[Status.NOT_FIXED]} not fixed, {counts[Status.ERROR]} errors\n"
        + (
            f"{len(again)} with no prediction (results.jsonl says why; the same command "
            f"runs them again): {' '.join(again)}\n"
            if again
            else ""
        )
        + (f"{totals}\n" if totals else "")
        + (f"predictions: {predictions}\n" if predictions.is_file() else "predictions: none\n")
        + f"report: {out_dir / 'report.html'}"
    )
