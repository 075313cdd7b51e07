"""The trajectory: one JSON line per step, written as the session goes.

Each line is one write, so a crash of rfsn never loses a recorded step nor cuts
one short; the file is fsynced when it closes, not per step (a session records
hundreds of steps a second, and an fsync costs a millisecond or more).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import TracebackType

from rfsn.fsutil import SHARED_MODE, append_line
from rfsn.inputs import json_value, read_bounded
from rfsn.models import GateDecision, Outcome, Proposal

MAX_LOG = 4000


def outcome_summary(outcome: Outcome | None) -> dict[str, object] | None:
    """The outcome without its bulk: logs cut to their tail, coverage left out."""
    if outcome is None:
        return None
    data = outcome.model_dump(mode="json", exclude={"report": {"coverage"}})
    for holder, key in ((data.get("report"), "log"), (data.get("exec"), "output"), (data, "content")):
        if isinstance(holder, dict) and isinstance(holder.get(key), str) and len(holder[key]) > MAX_LOG:
            holder[key] = "..." + holder[key][-MAX_LOG:]
    return data


class Trajectory:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, SHARED_MODE)
        os.fchmod(self._fd, SHARED_MODE)  # the same mode whatever the umask

    def record(
        self, step: int, phase: str, proposal: Proposal, decision: GateDecision, outcome: Outcome | None, seconds: float
    ) -> None:
        line = {
            "step": step,
            "phase": phase,
            "proposal": proposal.model_dump(mode="json", exclude_none=True),
            "decision": decision.model_dump(mode="json"),
            "outcome": outcome_summary(outcome),
            "seconds": round(seconds, 4),
        }
        append_line(self._fd, self.path, json.dumps(line), sync=False)

    def close(self) -> None:
        if self._fd >= 0:
            try:
                os.fsync(self._fd)
            except OSError:  # durable or not, the steps are written
                pass
            finally:
                os.close(self._fd)
                self._fd = -1

    def __enter__(self) -> Trajectory:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()


def read(path: Path) -> list[dict[str, object]]:
    """The recorded steps (a last line cut short by a crash is not one)."""
    text = read_bounded(path)
    return [json_value(line, str(path), n) for n, line in enumerate(text.split("\n")[:-1], start=1) if line]
