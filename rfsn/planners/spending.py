"""Where a session's budget goes: the tries of the target groups, each one's share, and what each spent.

The target groups are tried in turn (``tries``): those of no environment's shape together first (one
fault may fail tests for several causes), then each in the order of ``planners.reproduce.evidence``,
then the environment-shaped ones together. No try takes the budget before the others are tried: each
has a share of what is left when it starts, by its weight among the tries to come (a group with signs
of a code fault weighs twice one without, an environment-shaped one half; the groups together weigh as
their heaviest until their localization shows which agree (``planners.localize.agreement``): those are
one try weighing as the sum of what it holds, ``regrouped``), and the last has all of it. A try that
runs dry early leaves the rest to the next. A try of several that fixes none puts the groups its best
candidate made a failing test of each pass (not all) one try next, its candidates first
(``fixed_together``). Then the tries their share cut short go on with what the others left. A try's
localization measures per-test coverage within ``MEASURING`` of its share (of the groups it stands
for, whose tries reuse it). Once a fix is in hand, only the tries of the groups it leaves failing go
on (``going_on``), on clocks that hold back what verify needs (``reserved``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rfsn.models.results import TestReport, TestStatus
from rfsn.models.sessions import FailureGroup, GroupOutcome, Spent
from rfsn.planners.code.candidates import Candidate

#: the part of a group's share its localization's per-test measurement may take
MEASURING = 0.5
#: a try's weight in the budget: with signs of a code fault, with none, environment-shaped
EVIDENCED, PLAIN, SHAPED = 2.0, 1.0, 0.5
#: what verify takes, held back from the tries that go on once a fix is in hand: runs of the
#: whole suite as long as the fix's (``verify.trials.VERIFY_MARGIN``), and steps
RESERVED, RESERVED_STEPS = 1.5, 7
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


@dataclass
class Try:
    """One turn of the search: a group, or groups tried together (the tests of each in ``holds``),
    and its weight in the budget."""

    group: FailureGroup
    weight: float
    holds: tuple[tuple[str, ...], ...] = ()
    shaped: bool = False  # environment-shaped: a group of that shape, or those groups together
    #: candidates screened before the strategy's: a try of several saw them fix a test of each group
    first: tuple[Candidate, ...] = ()

    @property
    def stands_for(self) -> int:
        return max(1, len(self.holds))


def weight(group: FailureGroup) -> float:
    return SHAPED if group.shape else EVIDENCED if group.evidence else PLAIN


def _together(groups: list[FailureGroup], cause: str, evidence: str) -> FailureGroup:
    return FailureGroup(
        cause=cause, tests=[t for g in groups for t in g.tests], kind="target", evidence=[evidence] if evidence else []
    )


def _held(groups: Sequence[FailureGroup]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(g.tests) for g in groups)


def tries(groups: Sequence[FailureGroup]) -> tuple[list[Try], list[FailureGroup]]:
    """The tries of ``groups``' targets in turn, and the groups to report (each try's, in the
    order tried, then the environment's)."""
    code = [g for g in groups if g.kind == "target" and not g.shape]
    shaped = [g for g in groups if g.kind == "target" and g.shape]
    turns = [Try(g, weight(g)) for g in code]
    if len(code) > 1:
        joint = _together(
            code,
            f"the {len(code)} groups of no environment's shape together",
            "one fault may fail tests for several causes",
        )
        turns.insert(0, Try(joint, max(t.weight for t in turns), _held(code)))
    if len(shaped) > 1:
        pool = _together(shaped, f"the {len(shaped)} environment-shaped groups together", "")
        pool.evidence = list(dict.fromkeys(e for g in shaped for e in g.evidence))
        turns.append(Try(pool, SHAPED, _held(shaped), shaped=True))
    else:
        turns += [Try(g, SHAPED, shaped=True) for g in shaped]
    pooled = [g for g in shaped if len(shaped) > 1]
    report = [t.group for t in turns] + pooled + [g for g in groups if g.kind != "target"]
    return turns, report


def going_on(turns: Sequence[Try], suite: TestReport | None) -> list[Try]:
    """Of ``turns`` to come once one try's patch settles the session, those that go on: a group of
    no environment's shape whose tests the patch's run of the whole ``suite`` leaves failing
    (none held a run of it: all of them)."""
    return [
        t
        for t in turns
        if not t.shaped and (suite is None or any(suite.tests.get(test) != TestStatus.PASSED for test in t.group.tests))
    ]


def reserved(
    seconds_left: Callable[[], float] | None, steps_left: Callable[[], int] | None, suite: TestReport | None
) -> tuple[Callable[[], float] | None, Callable[[], int] | None]:
    """The session's clocks less what verifying the fixes together, then the first alone, takes:
    twice ``RESERVED`` runs of the whole ``suite`` and ``RESERVED_STEPS``."""
    held = 2 * RESERVED * (suite.duration if suite else 0.0)
    return ((lambda: seconds_left() - held) if seconds_left else None), (
        (lambda: steps_left() - RESERVED_STEPS) if steps_left else None
    )


def regrouped(turns: Sequence[Try], sets: Sequence[Sequence[FailureGroup]]) -> list[Try]:
    """``turns`` with each of ``sets`` (groups whose localizations agree) one try first, weighing
    as the sum of what it holds; the tries of the groups it holds dropped."""
    held = {id(g) for s in sets for g in s}
    joint = [
        Try(
            _together(
                list(s),
                f"the {len(s)} groups whose localizations agree together",
                "their localizations agree: one fault",
            ),
            sum(weight(g) for g in s),
            _held(s),
        )
        for s in sets
    ]
    return joint + [t for t in turns if id(t.group) not in held]


def fixed_together(
    turns: Sequence[Try], partial: Sequence[tuple[Candidate, frozenset[str]]], groups: list[FailureGroup]
) -> list[Try]:
    """``turns`` (after a try of several groups that fixed none) with the tries whose groups its
    candidates (``partial``: each with the targets it made pass) made a failing test of each pass,
    the most such but not all, one try first, screening those candidates first (a fault fixed there
    whatever fails with it in another group); the new try's group in the report's ``groups`` too."""

    def hit(fixed: frozenset[str]) -> list[Try]:
        return [t for t in turns if not t.shaped and all(fixed.intersection(tests) for tests in _parts(t))]

    best = max((hit(fixed) for _, fixed in partial), key=len, default=[])
    if not best or len(best) == sum(not t.shaped for t in turns):
        return list(turns)
    first = tuple(c for c, fixed in partial if hit(fixed) == best)
    lead = Try(best[0].group, best[0].weight, best[0].holds, first=first)
    if len(best) > 1:
        held = tuple(tests for t in best for tests in _parts(t))
        lead = Try(
            FailureGroup(
                cause=f"the {len(held)} groups one candidate fixed a test of together",
                tests=[t for tests in held for t in tests],
                kind="target",
                evidence=["one candidate made a failing test of each pass: one fault"],
            ),
            sum(t.weight for t in best),
            held,
            first=first,
        )
        groups.insert(1, lead.group)
    return [lead, *(t for t in turns if all(t is not b for b in best))]


def _parts(turn: Try) -> tuple[tuple[str, ...], ...]:
    """The tests of each group ``turn`` stands for."""
    return turn.holds or (tuple(turn.group.tests),)


def settled(groups: Sequence[FailureGroup]) -> list[FailureGroup]:
    """``groups`` with why each target group never tried alone was not: a try of groups together
    that held its tests, another group fixed first, or the session's end before its turn."""
    fixed = any(g.outcome == "fixed" for g in groups)
    out = []
    for g in groups:
        if g.kind == "target" and g.outcome == "not_tried" and not g.why:
            held = next(
                (o for o in groups if o is not g and o.outcome != "not_tried" and set(g.tests) < set(o.tests)), None
            )
            alone = "another group was fixed first" if fixed else "the session's budget ended before its turn"
            why = (
                f'tried only with others, in "{held.cause}" ({held.why}); not alone: {alone}'
                if held
                else f"not tried: {alone}"
            )
            g = g.model_copy(update={"outcome": "left" if held is not None else "not_tried", "why": why})
        out.append(g)
    return out


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
