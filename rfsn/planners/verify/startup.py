"""A screening run's start-up: its seconds outside its tests, learned from the runs before it.

The baseline is a cold run (the interpreter, the project's imports, the collection); a screening
run forked from a warm runner has none of it, and a limit that carried it would let a looping
candidate hold its run for seconds where its tests take milliseconds.
"""

from __future__ import annotations

from collections import deque

from rfsn.models import TestReport

#: a run's start-up is the largest of the last this many screening runs' that ran to their end
STARTUP_WINDOW = 20


class StartUps:
    def __init__(self, cold: float) -> None:
        """``cold``: the baseline's start-up."""
        self.cold = cold
        self.seen: deque[float] = deque(maxlen=STARTUP_WINDOW)

    def ran(self, report: TestReport | None) -> None:
        """A run of selected tests learned from, when it ran to its end with its tests' durations."""
        if report and report.durations and not (report.timed_out or report.signalled):
            self.seen.append(max(0.0, report.duration - sum(report.durations.values())))

    def forked(self) -> float:
        """The start-up a run's limit carries: the largest seen, the cold one before any."""
        return max(self.seen) if self.seen else self.cold

    def cold_start(self) -> float:
        """Seconds a run that starts cold after all (one a warm runner does not fork) needs more."""
        return max(0.0, self.cold - self.forked())
