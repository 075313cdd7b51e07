"""The run store: atomic appends, torn tails, the prediction line as commit point."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from rfsn.batch.outcome import Outcome, Status
from rfsn.batch.predictions import JsonlLog, RunStore
from rfsn.models.swebench import Prediction


def outcome(iid: str, status: Status = Status.FIXED) -> Outcome:
    return Outcome(instance_id=iid, status=status, duration=1.0)


def test_record_then_resume(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.record(outcome("a"), Prediction(instance_id="a", model_patch="p"))
    store.record(outcome("a"), Prediction(instance_id="a", model_patch="again"))  # ignored
    again = RunStore(tmp_path)
    assert set(again.outcomes()) == {"a"}
    lines = (tmp_path / "predictions.jsonl").read_text().splitlines()
    assert [json.loads(x) for x in lines] == [{"instance_id": "a", "model_name_or_path": "rfsn", "model_patch": "p"}]


def test_torn_last_line_is_ignored_then_cut(tmp_path: Path) -> None:
    """A process killed mid-write leaves half a line; it is neither read nor kept."""
    store = RunStore(tmp_path)
    store.record(outcome("a"), Prediction(instance_id="a", model_patch="p"))
    with (tmp_path / "predictions.jsonl").open("a") as fh:
        fh.write('{"instance_id": "b", "model_pa')
    assert RunStore(tmp_path).committed_ids() == {"a"}
    store = RunStore(tmp_path)
    store.record(outcome("b"), Prediction(instance_id="b", model_patch="q"))
    records = [json.loads(x) for x in (tmp_path / "predictions.jsonl").read_text().splitlines()]
    assert [r["instance_id"] for r in records] == ["a", "b"]


def test_outcome_without_prediction_is_not_committed(tmp_path: Path) -> None:
    """Killed between the two appends, or an infrastructure error: the instance runs again."""
    store = RunStore(tmp_path)
    store.record(outcome("a", Status.ERROR))
    assert RunStore(tmp_path).outcomes() == {}
    assert set(RunStore(tmp_path).outcomes(committed_only=False)) == {"a"}


def _append_many(path: str, worker: int) -> None:
    log = JsonlLog(Path(path))
    for i in range(200):
        log.append({"instance_id": f"{worker}-{i}", "pad": "x" * 5000})


def test_concurrent_appends_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(str(path), w)) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    records = list(JsonlLog(path).records())
    assert len(records) == 600
    assert len({r["instance_id"] for r in records}) == 600


def test_an_append_that_cannot_be_written_is_an_output_error(tmp_path: Path) -> None:
    """A log whose directory is a file: one OutputError naming the path, never a bare OSError."""
    from rfsn.errors import OutputError

    (tmp_path / "blocked").write_text("a file, not a directory")
    log = JsonlLog(tmp_path / "blocked" / "log.jsonl")
    with pytest.raises(OutputError, match=r"cannot append to .*log\.jsonl"):
        log.append({"instance_id": "x"})
