"""Predictions in SWE-bench's format, and the append-only logs that make runs resumable.

A run's state lives in two JSON-lines files: ``results.jsonl`` (an Outcome
per instance) and, for inference, ``predictions.jsonl``. Each record is one
line written with a single ``write`` on an ``O_APPEND`` descriptor under an
exclusive lock, then fsynced. A process killed mid-write can leave at most one
torn last line, without its newline; readers ignore it and the next writer
cuts it off before appending. The predictions line is written last: it is the
commit point, so an instance is either recorded in full or re-run, never
recorded twice.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from pydantic import BaseModel

from rfsn.batch.outcome import Outcome
from rfsn.batch.records import load_models
from rfsn.errors import OutputError
from rfsn.fsutil import PRIVATE_MODE, append_line, claimed
from rfsn.inputs import json_value
from rfsn.models.swebench import Instance, Prediction

PREDICTIONS = "predictions.jsonl"
RESULTS = "results.jsonl"
LOCK = ".rfsn-run.lock"
GOLD = "gold"


def load_predictions(source: str, instances: Iterable[Instance]) -> dict[str, Prediction]:
    """Predictions keyed by instance id; ``gold`` means each instance's reference patch."""
    if source == GOLD:
        return {
            i.instance_id: Prediction(instance_id=i.instance_id, model_name_or_path=GOLD, model_patch=i.patch)
            for i in instances
        }

    def check(prediction: Prediction) -> None:
        if "model_patch" not in (prediction.model_fields_set | set(prediction.model_extra or {})):
            raise ValueError("model_patch is missing")

    return {p.instance_id: p for p in load_models(Path(source), Prediction, "prediction", check)}


class JsonlLog:
    """An append-only JSON-lines file, safe against concurrent writers and sudden death."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def records(self) -> Iterator[dict[str, object]]:
        """Every complete record; a torn last line (no newline) is ignored."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        for number, line in enumerate(data.split(b"\n")[:-1], start=1):
            if not line.strip():
                continue
            value = json_value(line, str(self.path), number)
            if isinstance(value, dict):
                yield value

    def append(self, record: BaseModel | dict[str, object]) -> None:
        """Append one record under an exclusive lock; OutputError if it cannot be written (a
        short write leaves a torn line, which records() ignores and the next append cuts)."""
        payload = record.model_dump(mode="json") if isinstance(record, BaseModel) else record
        line = json.dumps(payload, ensure_ascii=False)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, PRIVATE_MODE)
        except OSError as exc:
            raise OutputError(f"cannot append to {self.path}: {exc.strerror or exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.fchmod(fd, PRIVATE_MODE)  # the same mode whatever the umask, and for older runs' files
            _cut_torn_tail(fd)
            append_line(fd, self.path, line)
        finally:
            os.close(fd)  # also releases the lock


def _cut_torn_tail(fd: int) -> None:
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return
    end = size
    while end > 0:  # find the last newline, scanning back a chunk at a time
        start = max(0, end - (1 << 16))
        chunk = os.pread(fd, end - start, start)
        if b"\n" in chunk:
            os.ftruncate(fd, start + chunk.rfind(b"\n") + 1)
            return
        end = start
    os.ftruncate(fd, 0)


class RunStore:
    """The resumable state of one run directory (the only writer is the run's parent process,
    which holds `claim` while it runs)."""

    def __init__(self, root: Path, predictions: bool = True) -> None:
        self.root = root
        self.results = JsonlLog(root / RESULTS)
        self.predictions = JsonlLog(root / PREDICTIONS) if predictions else None
        self._committed: set[str] | None = None

    def claim(self) -> AbstractContextManager[None]:
        """The directory for one run at a time: a second run of it fails at once, rather than
        repeat the first run's instances and record them twice."""
        return claimed(self.root / LOCK, f"output directory {self.root}")

    def outcomes(self, latest: bool = False, committed_only: bool = True) -> dict[str, Outcome]:
        """Recorded outcomes, the first (or ``latest``) per instance. For inference, unless
        ``committed_only`` is False, only those whose prediction line was written."""
        committed = self.committed_ids() if self.predictions and committed_only else None
        found: dict[str, Outcome] = {}
        for record in self.results.records():
            outcome = Outcome.model_validate(record)
            if committed is not None and outcome.instance_id not in committed:
                continue  # not committed: it runs again
            if latest or outcome.instance_id not in found:
                found[outcome.instance_id] = outcome
        return found

    def committed_ids(self) -> set[str]:
        if self.predictions is None:
            return set()
        if self._committed is None:
            self._committed = {str(r["instance_id"]) for r in self.predictions.records() if "instance_id" in r}
        return self._committed

    def prediction_records(self) -> list[dict[str, object]]:
        """Predictions, one per instance (the first), in the order they were written."""
        assert self.predictions is not None
        seen: set[str] = set()
        kept = []
        for record in self.predictions.records():
            key = str(record.get("instance_id"))
            if key not in seen:
                seen.add(key)
                kept.append(record)
        return kept

    def record(self, outcome: Outcome, prediction: Prediction | None = None) -> None:
        """Append the outcome, then (the commit point) the prediction, if any."""
        if outcome.instance_id in self.committed_ids():
            return  # already recorded
        self.results.append(outcome)
        if self.predictions is not None and prediction is not None:
            self.predictions.append(
                prediction.model_dump(mode="json", include={"instance_id", "model_name_or_path", "model_patch"})
            )
            self.committed_ids().add(outcome.instance_id)
