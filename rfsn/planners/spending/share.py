"""A try's share of the session's budget: its part of what is left, by its weight among the tries to come.

No try takes the budget before the others are tried: each has a share of what is left when it
starts, and the last has all of it. A try that runs dry early leaves the rest to the next; the tries
their share cut short go on with what the others left. A try's localization measures per-test
coverage within ``MEASURING`` of its share (of the groups it stands for, whose tries reuse it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: the part of a group's share its localization's per-test measurement may take
MEASURING = 0.5
#: the most of what is left of a share a rerun of a cut-off screening run may take
RERUN = 0.5


@dataclass
class Share:
    """One group's part of the budget; ``spent()`` says when it is gone and ``why`` how."""

    seconds_left: Callable[[], float] | None
    steps_left: Callable[[], int] | None
    seconds: float | None = None  # none: all that is left
    steps: float | None = None
    why: str = ""
    serves: int = 1
    bounded: bool = False  # the last share too ends with its clocks (they hold something back)
    _at: tuple[float, int] = (0.0, 0)

    @classmethod
    def of(
        cls,
        weights: Sequence[float],
        seconds_left: Callable[[], float] | None,
        steps_left: Callable[[], int] | None,
        serves: int = 1,
        bounded: bool = False,
    ) -> Share:
        """The share of the first of the tries still to come, whose ``weights`` these are: its
        part of what is left (all of it for the last); ``serves``: the groups whose tries reuse
        what its localization measures."""
        at = (seconds_left() if seconds_left else 0.0, steps_left() if steps_left else 0)
        share = cls(seconds_left, steps_left, serves=serves, bounded=bounded, _at=at)
        return share.reweigh(weights) if len(weights) > 1 or bounded else share

    def reweigh(self, weights: Sequence[float]) -> Share:
        """The share again, of what was left at its start, as the first of ``weights``."""
        part = weights[0] / sum(weights) if len(weights) > 1 else 1.0 if self.bounded else None
        self.seconds = self._at[0] * part if part is not None and self.seconds_left else None
        self.steps = self._at[1] * part if part is not None and self.steps_left else None
        return self

    def measuring(self) -> float | None:
        """Seconds the localization's per-test measurement may take (none: no clock): of its
        share, as many times as the groups it serves, within what is left."""
        if not self.seconds_left:
            return None
        whole = self._at[0] if self.seconds is None else min(self._at[0], self.seconds * self.serves)
        return max(1.0, whole * MEASURING)

    def left(self) -> float | None:
        """Seconds left of the share (none: it is all that is left, or there is no clock)."""
        if self.seconds is None or self.seconds_left is None:
            return None
        return self.seconds - (self._at[0] - self.seconds_left())

    def holds_rerun(self, timeout: float) -> bool:
        """Whether a rerun with ``timeout`` takes at most ``RERUN`` of what is left of the share
        (always where it is all that is left): one hanging candidate does not take the try's turn."""
        left = self.left()
        return left is None or timeout <= RERUN * left

    def bound(self, timeout: float) -> float:
        """A run's ``timeout`` cut to what is left of the share (at least a second)."""
        left = self.left()
        return timeout if left is None else max(1.0, min(timeout, left))

    def spent(self, next_seconds: float = 0.0) -> bool:
        """Whether the share is gone, or cannot hold one more candidate of ``next_seconds`` (the
        try's last one took that long): an overrun is taken from the tries still to come."""
        if self.seconds is not None and self.seconds_left is not None:
            used = self._at[0] - self.seconds_left()
            if used + next_seconds >= self.seconds and used > 0:
                more = f"; a candidate takes {next_seconds:.0f} s" if used < self.seconds else ""
                self.why = f"its share of the budget spent ({used:.0f} of {self.seconds:.0f} s{more})"
        if self.steps is not None and self.steps_left is not None and not self.why:
            used_steps = self._at[1] - self.steps_left()
            if used_steps >= self.steps and used_steps > 0:
                self.why = f"its share of the budget spent ({used_steps} of {self.steps:.0f} steps)"
        return bool(self.why)
