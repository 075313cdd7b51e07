"""Where a session's budget goes: each target group's share of it, and what each group spent.

The groups are tried in order, the likeliest code fault first, each with a share of what the
session has left when it starts: of the seconds and steps left, half for a group, k/(k+1) for
the k groups tried together (they stand for k groups), and all of them for the last. A group that
runs dry early leaves the rest to the next one (whose share is reckoned from
what is left then). Then the groups their share cut short go on, in turn, with what the others
left. A group's localization measures per-test coverage within ``MEASURING`` of its share, and
ranks from what it measured by then.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rfsn.models.results import FailureGroup, GroupOutcome, Spent

#: the part of a group's share its localization's per-test measurement may take
MEASURING = 0.5


@dataclass
class Share:
    """One group's part of the budget; ``spent()`` says when it is gone and ``why`` how."""

    seconds_left: Callable[[], float] | None
    steps_left: Callable[[], int] | None
    seconds: float | None = None  # none: all that is left
    steps: float | None = None
    why: str = ""
    _at: tuple[float, int] = (0.0, 0)

    @classmethod
    def of(cls, groups_left: int, seconds_left: Callable[[], float] | None,
           steps_left: Callable[[], int] | None, together: int = 1) -> Share:
        """The share of the next of ``groups_left`` tries, which stands for ``together`` groups:
        ``together / (together + 1)`` of what is left (half, for one group: the order puts the
        likeliest first), all of it for the last."""
        at = (seconds_left() if seconds_left else 0.0, steps_left() if steps_left else 0)
        if groups_left <= 1:
            return cls(seconds_left, steps_left, _at=at)
        part = together / (together + 1)
        return cls(seconds_left, steps_left, seconds=at[0] * part if seconds_left else None,
                   steps=at[1] * part if steps_left else None, _at=at)

    def measuring(self) -> float | None:
        """Seconds the localization's per-test measurement may take (none: no clock)."""
        whole = self.seconds if self.seconds is not None else self._at[0] if self.seconds_left else None
        return max(1.0, whole * MEASURING) if whole is not None else None

    def spent(self) -> bool:
        if self.seconds is not None and self.seconds_left is not None:
            used = self._at[0] - self.seconds_left()
            if used >= self.seconds and used > 0:
                self.why = f"its share of the budget spent ({used:.0f} of {self.seconds:.0f} s)"
        if self.steps is not None and self.steps_left is not None and not self.why:
            used_steps = self._at[1] - self.steps_left()
            if used_steps >= self.steps and used_steps > 0:
                self.why = f"its share of the budget spent ({used_steps} of {self.steps:.0f} steps)"
        return bool(self.why)


@dataclass
class Ledger:
    """Seconds and candidates of the group being tried, by location; written into the group
    when it ends."""

    clock: Callable[[], float] = time.monotonic
    group: FailureGroup | None = None
    started: float = 0.0
    spent: dict[str, Spent] = field(default_factory=dict)
    _screening: tuple[Spent, float] | None = None

    def begin(self, group: FailureGroup) -> None:
        """Account for ``group`` from now on (again, with what it spent before, when it goes on)."""
        self.group, self.started = group, self.clock()
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
            spent.seconds += self.clock() - since
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
