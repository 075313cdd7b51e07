"""What the group being tried spent, by location: seconds and candidates, written into the group."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rfsn.models.sessions import FailureGroup, GroupOutcome, Spent


@dataclass
class Ledger:
    """Seconds and candidates of the group being tried, by location; written into the group
    when it ends."""

    clock: Callable[[], float] = time.monotonic
    group: FailureGroup | None = None
    started: float = 0.0
    spent: dict[str, Spent] = field(default_factory=dict)
    last: float = 0.0  # the seconds of this try's last candidate (none yet: 0)
    _screening: tuple[Spent, float] | None = None

    def begin(self, group: FailureGroup) -> None:
        """Account for ``group`` from now on (again, with what it spent before, when it goes on)."""
        self.group, self.started, self.last = group, self.clock(), 0.0
        self.spent = {s.location: s.model_copy() for s in group.locations}

    @property
    def candidates(self) -> int:
        return sum(s.candidates for s in self.spent.values())

    def screening(self, location: str) -> None:
        """A candidate at ``location`` is being screened (until ``screened``)."""
        spent = self.spent.setdefault(location, Spent(location=location))
        spent.candidates += 1
        self._screening = (spent, self.clock())

    def screened(self) -> None:
        if self._screening is not None:
            spent, since = self._screening
            self.last = self.clock() - since
            spent.seconds += self.last
            self._screening = None

    def close(self, outcome: GroupOutcome, why: str) -> None:
        """Write what the group being tried spent into it (a candidate the session stopped in
        its screening included), with how it ended."""
        if self.group is None:
            return
        self.screened()
        by = sorted(self.spent.values(), key=lambda s: (-s.candidates, -s.seconds, s.location))
        self.group.outcome = outcome
        self.group.why = why
        self.group.seconds = round(self.group.seconds + self.clock() - self.started, 3)
        self.group.candidates = self.candidates
        self.group.locations = [s.model_copy(update={"seconds": round(s.seconds, 3)}) for s in by]
        self.group = None
