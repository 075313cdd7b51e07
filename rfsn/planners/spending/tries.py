"""The order of the tries of the target groups, each one's weight, and which go on once one fixes.

The target groups are tried in turn (``tries``): those of no environment's shape together first (one
fault may fail tests for several causes), then each in the order of ``planners.reproduce.evidence``,
then the environment-shaped ones together. A group with signs of a code fault weighs twice one
without, an environment-shaped one half; the groups together weigh as their heaviest until their
localization shows which agree (``planners.localize.agreement``): those are one try weighing as the
sum of what it holds (``regrouped``). A try of several that fixes none puts the groups its best
candidate made a failing test of each pass (not all) one try next, its candidates first
(``fixed_together``). Once a fix is in hand, only the tries of the groups it leaves failing go on
(``going_on``), on clocks that hold back what verify needs (``reserved``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rfsn.models.results import TestReport, TestStatus
from rfsn.models.sessions import FailureGroup
from rfsn.planners.code.candidates import Candidate

#: a try's weight in the budget: with signs of a code fault, with none, environment-shaped
EVIDENCED, PLAIN, SHAPED = 2.0, 1.0, 0.5
#: what verify takes, held back from the tries that go on once a fix is in hand: runs of the
#: whole suite as long as the fix's (``verify.trials.VERIFY_MARGIN``), and steps
RESERVED, RESERVED_STEPS = 1.5, 7


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
