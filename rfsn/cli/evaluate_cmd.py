"""``rfsn evaluate``, ``rfsn validate``, ``rfsn report``: grading runs as the SWE-bench harness does.

Exit status: 0 when the run completed (whatever the resolve rate), 1 when an evaluation ran but
every instance ended in error (validate: when an instance is not valid), 2 on bad input or when
the run cannot start.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table

from rfsn.cli.batch_cmd import Instances, instances_options, worker_setup
from rfsn.cli.common import OutputDir, setup
from rfsn.cli.options import Logged, Sandboxed, Served, gathered, metrics_options, sandbox_options, verbosity_options
from rfsn.errors import ConfigError
from rfsn.observability import metrics
from rfsn.observability.console import console, shown

if TYPE_CHECKING:
    from rfsn.batch.evaluate import EvalConfig
    from rfsn.batch.validate import Validity


class Graded(Instances, Sandboxed, Served, Logged):
    """The options ``rfsn evaluate`` and ``rfsn validate`` share."""

    run_id: str
    report_dir: Path
    instances: Path


class EvaluateArgs(Graded):
    """The options of ``rfsn evaluate``."""

    predictions: str


def _config(args: Graded, predictions: str) -> EvalConfig:
    """The evaluation of ``predictions`` the options ask for, with what each worker needs of
    this process's settings and logging."""
    from rfsn.batch.evaluate import EvalConfig

    settings = setup(args.verbose, args.log_file, **args.overrides())
    if predictions != "gold" and not Path(predictions).is_file():
        raise ConfigError(f"no such predictions file: {predictions}")
    return EvalConfig(
        **args.model_dump(include={"instances", "run_id", "report_dir"}),
        **args.placed(),
        predictions=predictions,
        **worker_setup(settings, args.verbose),
    )


@click.command()
@click.argument("predictions")
@click.option(
    "--instances",
    "instances",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="the instances (JSON or JSON lines, SWE-bench fields)",
)
@click.option("--run-id", required=True, help="names the log directory and the summary")
@click.option(
    "--report-dir",
    type=OutputDir(),
    default=Path("."),
    show_default=True,
    help="where logs/run_evaluation/ and the summary are written",
)
@instances_options
@sandbox_options
@metrics_options
@verbosity_options
@gathered(EvaluateArgs)
def evaluate(args: EvaluateArgs) -> None:
    """Grade PREDICTIONS (a JSON/JSONL file, or `gold`) as the SWE-bench harness does."""
    from rfsn.batch.evaluate import run_evaluation

    config = _config(args, args.predictions)
    with metrics.serving(args.metrics_port, args.metrics_addr, workers=args.in_workers()):
        path, result = run_evaluation(config, console(stderr=True))
    click.echo(_evaluation_summary(path, result))
    if result["submitted_instances"] and result["error_instances"] == result["submitted_instances"]:
        raise SystemExit(1)  # it ran, and nothing came of it


def _evaluation_summary(path: Path, result: dict[str, Any]) -> str:
    """The harness's summary lines, and where the reports are."""
    unknown = result["rfsn"]["unknown_prediction_ids"]
    return (
        f"Total instances: {result['total_instances']}\n"
        f"Instances submitted: {result['submitted_instances']}\n"
        f"Instances completed: {result['completed_instances']}\n"
        f"Instances resolved: {result['resolved_instances']}\n"
        f"Instances unresolved: {result['unresolved_instances']}\n"
        f"Instances with empty patches: {result['empty_patch_instances']}\n"
        f"Instances with errors: {result['error_instances']}\n"
        + (f"Predictions matching no instance (not evaluated): {len(unknown)}\n" if unknown else "")
        + f"Report written to {path}\nHTML report: {result['rfsn']['report_html']}"
    )


@click.command()
@click.argument("instances", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--run-id", default="validate", show_default=True, help="names the log directory and validation.<run-id>.json"
)
@click.option(
    "--report-dir",
    type=OutputDir(),
    default=Path("."),
    show_default=True,
    help="where logs/run_evaluation/ and the results are written",
)
@instances_options
@sandbox_options
@metrics_options
@verbosity_options
@gathered(Graded)
def validate(args: Graded) -> None:
    """Check that each of INSTANCES is usable here: its environment runs the tests, the empty
    patch does not resolve it and the gold patch does. Exit 0 when all are valid, else 1."""
    from rfsn.batch.validate import run_validation

    config = _config(args, "gold")
    with metrics.serving(args.metrics_port, args.metrics_addr, workers=args.in_workers()):
        path, rows = run_validation(config, console(stderr=True))
    console(no_color=True, width=200).print(validity_table(rows))
    valid = sum(row.valid for row in rows)
    click.echo(f"{valid}/{len(rows)} instances valid; results written to {path}")
    if valid < len(rows):
        raise SystemExit(1)


def validity_table(rows: list[Validity]) -> Table:
    """What ``rfsn validate`` found of each instance, ids and reasons as the instances hold them."""
    table = Table("instance", "valid", "gold resolves", "empty resolves", "label", "reason")
    show = {True: "yes", False: "no", None: "-"}
    for row in rows:
        table.add_row(
            shown(row.instance_id),
            show[row.valid],
            show[row.gold_resolves],
            show[row.empty_resolves],
            shown(row.label),
            shown(row.message[:120]),
        )
    return table


@click.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--title", help="heading of the report")
def report(run_dir: Path, title: str | None) -> None:
    """Write RUN_DIR/report.html and report.md (RUN_DIR: a batch --out directory, or
    logs/run_evaluation/<run_id>/<model>)."""
    from rfsn.batch.report import write_reports

    html_path, md_path = write_reports(run_dir, title)
    click.echo(f"{html_path}\n{md_path}")
