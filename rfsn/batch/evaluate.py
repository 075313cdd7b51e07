"""``rfsn evaluate``: grade a predictions file over instances, in SWE-bench's layout.

    <report_dir>/logs/run_evaluation/<run_id>/<model>/<instance_id>/{report.json, ...}
    <report_dir>/logs/run_evaluation/<run_id>/<model>/results.jsonl   (rfsn: outcomes)
    <report_dir>/<model>.<run_id>.json                                (the summary)

An instance whose ``report.json`` exists is not evaluated again (as with the
harness), so an interrupted evaluation resumes where it stopped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from rich.console import Console

from rfsn.batch.executors import LogSetup, check_executor, make_executor
from rfsn.batch.harness.grading import summary
from rfsn.batch.harness.instance import REPORT, EvalTask, evaluate_instance
from rfsn.batch.instances import load_instances, require_sources
from rfsn.batch.outcome import ErrorKind, Outcome, Status, patch_size
from rfsn.batch.predictions import RunStore, load_predictions
from rfsn.batch.progress import RunProgress
from rfsn.batch.report import write_reports
from rfsn.errors import ConfigError, InputError
from rfsn.fsutil import write_atomic
from rfsn.inputs import json_value, read_bounded
from rfsn.models.swebench import Instance, Prediction, model_dir, path_name
from rfsn.observability.console import shown, styled
from rfsn.observability.logging import get_logger
from rfsn.settings import Settings, for_workers

log = get_logger(__name__)

RUN_EVALUATION = Path("logs") / "run_evaluation"


class EvalConfig(BaseModel):
    """What ``rfsn evaluate`` (and ``rfsn validate``) grades, where the logs go, and how it runs."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    instances: Path
    #: a predictions file, or ``gold`` / ``empty``
    predictions: str
    #: names the log directory and the summary
    run_id: str
    report_dir: Path = Path(".")
    workers: int = Field(default=1, ge=1)
    executor: Literal["local", "ray"] = "local"
    ray_address: str | None = None
    repos_dir: Path | None = None
    instance_ids: tuple[str, ...] = ()
    #: seconds of one instance's evaluation
    timeout: float | None = Field(default=None, gt=0)
    #: the settings each worker takes over (``settings.WORKER_SETTINGS``); None: the worker's own
    settings: Settings | None = None
    logs: LogSetup = LogSetup()
    #: check each environment before its graded run, whatever that gives (``rfsn validate``)
    check_first: bool = False

    @model_validator(mode="after")
    def _usable(self) -> EvalConfig:
        check_executor(self.executor, self.ray_address)
        try:
            path_name(self.run_id, "--run-id")
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        return self


def _read_report(path: Path) -> dict[str, Any] | None:
    try:
        value = json_value(read_bounded(path), str(path))
    except InputError:
        return None
    return value if isinstance(value, dict) else None


def run_evaluation(
    config: EvalConfig, console: Console | None = None, command: str = "evaluate"
) -> tuple[Path, dict[str, Any]]:
    """Evaluate, write every log, the summary and the HTML/Markdown report; the summary's path
    (``command`` heads the progress bar)."""
    instances = load_instances(config.instances, config.instance_ids)
    by_id = {i.instance_id: i for i in instances}
    predictions, unknown = _matched(config, instances, by_id, console)
    model = next(iter(predictions.values())).model_name_or_path if predictions else "none"
    run_root = config.report_dir / RUN_EVALUATION / config.run_id
    model_root = run_root / model_dir(model)
    store = RunStore(model_root, predictions=False)
    with store.claim():  # one evaluation of the run directory at a time

        def log_dir(instance_id: str) -> Path:
            return run_root / model_dir(predictions[instance_id].model_name_or_path) / instance_id

        done, tasks = _planned(config, by_id, predictions, store, log_dir)
        executor = make_executor(config.executor, config.workers, config.ray_address, config.logs)
        with RunProgress(
            len(predictions), f"{command} {config.run_id}", "resolved", "unresolved", done, console
        ) as progress:
            for task, result in executor.map_unordered(evaluate_instance, tasks):
                outcome = (
                    result
                    if isinstance(result, Outcome)
                    else Outcome(
                        instance_id=task.instance.instance_id,
                        status=Status.ERROR,
                        error_kind=ErrorKind.WORKER,
                        message=f"{type(result).__name__}: {result}"[:500],
                        patch_lines=patch_size(task.prediction.model_patch),
                        link=task.log_dir.name,
                    )
                )
                store.record(outcome)
                progress.advance(outcome)
        report = _summary(instances, predictions, unknown, store, log_dir)
        path = config.report_dir / f"{model_dir(model)}.{config.run_id}.json"
        html, _ = write_reports(model_root, f"evaluation {config.run_id} ({model})")
        report["rfsn"]["report_html"] = str(html)
        write_atomic(path, json.dumps(report, indent=4) + "\n")
        return path, report


def _matched(
    config: EvalConfig, instances: list[Instance], by_id: dict[str, Instance], console: Console | None
) -> tuple[dict[str, Prediction], list[str]]:
    """The predictions of ``config`` that match an instance, and the ids of those that match none
    (a warning); ConfigError when there are none, or none match."""
    given = load_predictions(config.predictions, instances)
    predictions = {k: p for k, p in given.items() if k in by_id}
    unknown = [k for k in given if k not in by_id]
    if not given:
        raise ConfigError(f"no predictions in {config.predictions}")
    if not predictions:
        raise ConfigError(
            f"no prediction of {config.predictions} matches an instance of "
            f"{config.instances} (first unknown id: {unknown[0]})"
        )
    require_sources(config.instances, [by_id[k] for k, p in predictions.items() if p.model_patch], config.repos_dir)
    if unknown:
        log.warning("evaluate.unknown_predictions", count=len(unknown), ids=unknown[:20])
        if console is not None:
            console.print(
                styled("warning:", "yellow"),
                shown(
                    f"{len(unknown)} prediction(s) match no instance and are not evaluated: "
                    f"{', '.join(unknown[:10])}{' ...' if len(unknown) > 10 else ''}"
                ),
            )
    return predictions, unknown


def _planned(
    config: EvalConfig,
    by_id: dict[str, Instance],
    predictions: dict[str, Prediction],
    store: RunStore,
    log_dir: Callable[[str], Path],
) -> tuple[list[Outcome], list[EvalTask]]:
    """The outcomes the run has already (an empty patch, a report of an earlier run) and the
    evaluations left to do."""
    previous = store.outcomes(latest=True)
    done, tasks = [], []
    for iid, prediction in predictions.items():
        if prediction.model_patch in ("", None):
            outcome = previous.get(iid) or Outcome(instance_id=iid, status=Status.EMPTY_PATCH)
            if iid not in previous:
                store.record(outcome)
            done.append(outcome)
        elif (log_dir(iid) / REPORT).is_file() and iid in previous:
            done.append(previous[iid])
        else:
            tasks.append(
                EvalTask(
                    instance=by_id[iid],
                    prediction=prediction,
                    log_dir=log_dir(iid),
                    repos_dir=config.repos_dir,
                    relative_to=config.instances.resolve().parent,
                    settings=for_workers(config.settings) if config.settings else {},
                    timeout=config.timeout,
                    check_first=config.check_first,
                )
            )
    return done, tasks


def _summary(
    instances: list[Instance],
    predictions: dict[str, Prediction],
    unknown: list[str],
    store: RunStore,
    log_dir: Callable[[str], Path],
) -> dict[str, Any]:
    """The harness's summary of the run, with rfsn's own part (error kinds, durations, caveats)."""
    reports = {iid: r for iid in predictions if (r := _read_report(log_dir(iid) / REPORT)) is not None}
    report = summary([i.instance_id for i in instances], {k: p.model_patch for k, p in predictions.items()}, reports)
    outcomes = store.outcomes(latest=True)
    report["rfsn"] = {
        "error_kinds": {
            k: o.error_kind.value for k, o in sorted(outcomes.items()) if o.status == Status.ERROR and o.error_kind
        },
        "durations": {k: round(o.duration, 3) for k, o in sorted(outcomes.items())},
        # the harness's verdict stands; rfsn says what it would blame on the env
        "caveats": {k: o.caveat for k, o in sorted(outcomes.items()) if o.caveat},
        "unknown_prediction_ids": sorted(unknown),
    }
    return report
