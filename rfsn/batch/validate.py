"""``rfsn validate``: is each instance usable in this environment?

An instance is valid when its environment validation passes (at the base
commit with ``test_patch``, FAIL_TO_PASS fail and PASS_TO_PASS pass, so an
empty patch cannot resolve it) and the gold patch resolves it. This is an
evaluation of ``gold`` (same environments, same cache, same logs); each row
says which of the two failed, with the infrastructure label and reason.

    <report_dir>/validation.<run_id>.json
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel
from rich.console import Console

from rfsn.batch.evaluate import RUN_EVALUATION, EvalConfig, run_evaluation
from rfsn.batch.outcome import ErrorKind, Outcome, Status
from rfsn.batch.predictions import GOLD, RunStore
from rfsn.fsutil import write_atomic


class Validity(BaseModel):
    instance_id: str
    valid: bool
    #: the gold patch resolves the instance (None: not graded, the environment failed first)
    gold_resolves: bool | None
    #: the empty patch resolves it: False once the base fails FAIL_TO_PASS (None: unknown)
    empty_resolves: bool | None
    label: str
    message: str = ""


def judge(instance_id: str, outcome: Outcome | None) -> Validity:
    """Pure: what the gold evaluation of one instance says of the instance."""
    if outcome is None:
        return Validity(instance_id=instance_id, valid=False, gold_resolves=None, empty_resolves=None, label="not_run")
    if outcome.status in (Status.RESOLVED, Status.UNRESOLVED):
        resolved = outcome.status is Status.RESOLVED
        return Validity(
            instance_id=instance_id,
            valid=resolved,
            gold_resolves=resolved,
            empty_resolves=False,
            label="valid" if resolved else "gold_unresolved",
            message="" if resolved else _unresolved(outcome),
        )
    if outcome.status is Status.EMPTY_PATCH:
        return Validity(
            instance_id=instance_id, valid=False, gold_resolves=False, empty_resolves=None, label="no_gold_patch"
        )
    kind = outcome.error_kind or ErrorKind.WORKER
    return Validity(
        instance_id=instance_id,
        valid=False,
        gold_resolves=None,
        empty_resolves=None,
        label=kind.value,
        message=outcome.message,
    )


def flaky(row: Validity, again: Outcome | None) -> Validity:
    """Pure: ``row`` (gold unresolved) with what a second evaluation said: gold that resolves the
    second time makes the instance flaky, its verdict changing from run to run."""
    if again is None or again.status is not Status.RESOLVED:
        return row
    return Validity(
        instance_id=row.instance_id,
        valid=False,
        gold_resolves=None,
        empty_resolves=False,
        label=ErrorKind.FLAKY.value,
        message="the gold patch resolved the instance in one of two evaluations: its verdict changes from run to run",
    )


def _outcomes(config: EvalConfig) -> dict[str, Outcome]:
    return RunStore(config.report_dir / RUN_EVALUATION / config.run_id / GOLD, predictions=False).outcomes(latest=True)


def _unresolved(outcome: Outcome) -> str:
    """Why gold is unresolved: the harness's verdict, and rfsn's caveat beside it if any."""
    return "the gold patch does not resolve the instance" + (
        f" (as the harness grades it; caveat: {outcome.caveat})" if outcome.caveat else ""
    )


def run_validation(config: EvalConfig, console: Console | None = None) -> tuple[Path, list[Validity]]:
    """Evaluate gold over the instances; write and return one row per instance.

    Gold that does not resolve an instance is evaluated once more (run ``<run_id>.again``): a
    verdict that changes between the two runs is the instance's flakiness, not the patch's."""
    config = config.model_copy(update={"predictions": GOLD, "check_first": True})
    _, report = run_evaluation(config, console, "validate")
    ids = sorted({*report["submitted_ids"], *report["incomplete_ids"]})
    first = _outcomes(config)
    rows = [judge(iid, first.get(iid)) for iid in ids]
    unresolved = [row.instance_id for row in rows if row.label == "gold_unresolved"]
    if unresolved:
        again = config.model_copy(update={"run_id": f"{config.run_id}.again", "instance_ids": tuple(unresolved)})
        run_evaluation(again, console, "validate")
        second = _outcomes(again)
        rows = [flaky(row, second.get(row.instance_id)) if row.instance_id in unresolved else row for row in rows]
    path = config.report_dir / f"validation.{config.run_id}.json"
    write_atomic(path, json.dumps([row.model_dump() for row in rows], indent=2) + "\n")
    return path, rows
