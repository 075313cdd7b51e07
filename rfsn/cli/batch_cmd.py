"""``rfsn batch``, ``rfsn evaluate``, ``rfsn report``: SWE-bench-style runs.

Exit status: 0 when the run completed (whatever the resolve rate), 1 when a batch
or an evaluation ran but every instance ended in error, 2 on bad input (a malformed line is reported
with its line number) or when the run cannot start.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click
from rich.table import Table

from rfsn.batch.executors import LogSetup
from rfsn.cli.common import (
    PLANNER,
    SECONDS,
    OutputDir,
    console_level,
    env_options,
    metrics_options,
    model_options,
    registry_option,
    require_model_planner,
    sandbox_option,
    setup,
    verbosity_options,
)
from rfsn.observability import metrics
from rfsn.observability.console import console, shown
from rfsn.settings import Settings

if TYPE_CHECKING:
    from rfsn.batch.evaluate import EvalConfig
    from rfsn.batch.validate import Validity

_EXECUTOR = click.Choice(["local", "ray"])


def _executor_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--workers", type=click.IntRange(min=1), default=1, show_default=True, help="instances run in parallel"
    )(func)
    func = click.option(
        "--executor", type=_EXECUTOR, default="local", show_default=True, help="local worker processes, or Ray tasks"
    )(func)
    func = click.option("--ray-address", help="Ray cluster to join (default: a local Ray)")(func)
    func = click.option(
        "--repos-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="local mirrors: DIR/owner__name, DIR/owner/name or DIR/name",
    )(func)
    func = click.option(
        "--instance-ids", "instance_ids", multiple=True, help="only these instances (repeatable, or space separated)"
    )(func)
    return click.option(
        "--timeout",
        type=SECONDS,
        help="seconds per instance: batch, the repair session's wall-clock "
        "budget from when its sandbox is ready; evaluate, the test run",
    )(func)


def _in_workers(executor: Literal["local", "ray"], workers: int, ray_address: str | None) -> bool:
    """Whether sessions run in worker processes of this machine (their metrics are summed):
    local workers, or the tasks of a Ray instance this command starts. The tasks of a Ray
    cluster named by ``--ray-address`` run elsewhere and are not counted by the endpoint.
    """
    return (executor == "local" and workers > 1) or (executor == "ray" and not ray_address)


def _worker_setup(settings: Settings, verbose: bool) -> dict[str, Any]:
    """What each evaluation worker needs of this process's settings and logging."""
    return {"settings": settings, "logs": LogSetup(level=console_level(verbose, settings), json_file=settings.log_file)}


def _ids(values: tuple[str, ...]) -> tuple[str, ...]:
    """The ids of ``--instance-ids``; given only blanks (an empty shell variable), an input error."""
    from rfsn.errors import ConfigError

    ids = tuple(i for value in values for i in value.split())
    if values and not ids:
        raise ConfigError("--instance-ids names no instance (an empty value: leave the option out to run them all)")
    return ids


def _eval_config(settings: Settings, verbose: bool, *, instance_ids: tuple[str, ...], **fields: Any) -> EvalConfig:
    """The configuration ``rfsn evaluate`` and ``rfsn validate`` share: their options, as
    typed, plus what each worker needs of this process's settings and logging."""
    from rfsn.batch.evaluate import EvalConfig

    return EvalConfig(**fields, instance_ids=_ids(instance_ids), **_worker_setup(settings, verbose))


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
@_executor_options
@sandbox_option
@registry_option
@metrics_options
@verbosity_options
def evaluate(
    predictions: str,
    instances: Path,
    run_id: str,
    report_dir: Path,
    workers: int,
    executor: Literal["local", "ray"],
    ray_address: str | None,
    repos_dir: Path | None,
    instance_ids: tuple[str, ...],
    timeout: float | None,
    sandbox: str | None,
    registry: str | None,
    metrics_port: int | None,
    metrics_addr: str,
    verbose: bool,
    log_file: Path | None,
) -> None:
    """Grade PREDICTIONS (a JSON/JSONL file, or `gold`) as the SWE-bench harness does."""
    from rfsn.batch.evaluate import run_evaluation
    from rfsn.errors import ConfigError

    settings = setup(verbose, log_file, sandbox=sandbox, registry=registry)
    if predictions != "gold" and not Path(predictions).is_file():
        raise ConfigError(f"no such predictions file: {predictions}")
    config = _eval_config(
        settings,
        verbose,
        instances=instances,
        predictions=predictions,
        run_id=run_id,
        report_dir=report_dir,
        workers=workers,
        executor=executor,
        ray_address=ray_address,
        repos_dir=repos_dir,
        instance_ids=instance_ids,
        timeout=timeout,
    )
    with metrics.serving(metrics_port, metrics_addr, workers=_in_workers(executor, workers, ray_address)):
        path, result = run_evaluation(config, console(stderr=True))
    click.echo(
        f"Total instances: {result['total_instances']}\n"
        f"Instances submitted: {result['submitted_instances']}\n"
        f"Instances completed: {result['completed_instances']}\n"
        f"Instances resolved: {result['resolved_instances']}\n"
        f"Instances unresolved: {result['unresolved_instances']}\n"
        f"Instances with empty patches: {result['empty_patch_instances']}\n"
        f"Instances with errors: {result['error_instances']}\n"
        + (
            f"Predictions matching no instance (not evaluated): {len(result['rfsn']['unknown_prediction_ids'])}\n"
            if result["rfsn"]["unknown_prediction_ids"]
            else ""
        )
        + f"Report written to {path}\nHTML report: {result['rfsn']['report_html']}"
    )
    if result["submitted_instances"] and result["error_instances"] == result["submitted_instances"]:
        raise SystemExit(1)  # it ran, and nothing came of it


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
@_executor_options
@sandbox_option
@registry_option
@metrics_options
@verbosity_options
def validate(
    instances: Path,
    run_id: str,
    report_dir: Path,
    workers: int,
    executor: Literal["local", "ray"],
    ray_address: str | None,
    repos_dir: Path | None,
    instance_ids: tuple[str, ...],
    timeout: float | None,
    sandbox: str | None,
    registry: str | None,
    metrics_port: int | None,
    metrics_addr: str,
    verbose: bool,
    log_file: Path | None,
) -> None:
    """Check that each of INSTANCES is usable here: its environment runs the tests, the empty
    patch does not resolve it and the gold patch does. Exit 0 when all are valid, else 1."""
    from rfsn.batch.validate import run_validation

    settings = setup(verbose, log_file, sandbox=sandbox, registry=registry)
    config = _eval_config(
        settings,
        verbose,
        instances=instances,
        predictions="gold",
        run_id=run_id,
        report_dir=report_dir,
        workers=workers,
        executor=executor,
        ray_address=ray_address,
        repos_dir=repos_dir,
        instance_ids=instance_ids,
        timeout=timeout,
    )
    with metrics.serving(metrics_port, metrics_addr, workers=_in_workers(executor, workers, ray_address)):
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
@_executor_options
@sandbox_option
@registry_option
@env_options
@metrics_options
@verbosity_options
def batch(
    instances: Path,
    out_dir: Path,
    planner: str,
    oracle_tests: bool,
    model_name: str,
    no_cache: bool,
    model: str | None,
    base_url: str | None,
    max_cost: float | None,
    max_tokens: int | None,
    max_calls: int | None,
    workers: int,
    executor: Literal["local", "ray"],
    ray_address: str | None,
    repos_dir: Path | None,
    instance_ids: tuple[str, ...],
    timeout: float | None,
    sandbox: str | None,
    registry: str | None,
    as_of: str | None,
    python: str | None,
    metrics_port: int | None,
    metrics_addr: str,
    verbose: bool,
    log_file: Path | None,
) -> None:
    """Repair every instance of INSTANCES (SWE-bench JSON/JSONL); resumes where a run stopped.

    --timeout is the wall-clock budget of one repair session, in seconds. Without
    --oracle-tests an instance is issue-only (no test_patch, no FAIL_TO_PASS): the templates
    need a failing test, a model planner writes one from the problem statement.
    """
    from rfsn.batch.infer import BatchConfig, run_batch
    from rfsn.batch.outcome import Status
    from rfsn.batch.predictions import PREDICTIONS, RunStore
    from rfsn.batch.report import model_totals
    from rfsn.controller.session import RepairOptions, session_model

    require_model_planner(
        planner,
        model=model,
        base_url=base_url,
        max_cost=max_cost,
        max_tokens=max_tokens,
        max_calls=max_calls,
        no_cache=no_cache,
    )
    settings = setup(verbose, log_file, sandbox=sandbox, registry=registry, as_of=as_of, python=python)
    options = RepairOptions(
        planner=planner, model=model, base_url=base_url, max_cost=max_cost, max_tokens=max_tokens, max_calls=max_calls
    )
    session_model(options, settings, out=None)  # a missing key or bad URL: before any instance
    per_instance = options.model_dump(
        include={"model", "base_url", "max_cost", "max_tokens", "max_calls"}, exclude_none=True
    )
    config = BatchConfig(
        instances=instances,
        out_dir=out_dir,
        workers=workers,
        executor=executor,
        ray_address=ray_address,
        planner=planner,
        oracle_tests=oracle_tests,
        repos_dir=repos_dir,
        instance_ids=_ids(instance_ids),
        timeout=timeout,
        model_name=model_name,
        cache=not no_cache,
        model_options=per_instance,
        **_worker_setup(settings, verbose),
    )
    with metrics.serving(metrics_port, metrics_addr, workers=_in_workers(executor, workers, ray_address)):
        outcomes = run_batch(config, console(stderr=True))
    counts = {s: sum(1 for o in outcomes.values() if o.status == s) for s in Status}
    totals = model_totals(list(outcomes.values()))
    store = RunStore(out_dir)
    again = sorted(set(outcomes) - store.committed_ids())
    predictions = out_dir / PREDICTIONS
    click.echo(
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
    if outcomes and counts[Status.ERROR] == len(outcomes):
        raise SystemExit(1)  # it ran, and nothing came of it
