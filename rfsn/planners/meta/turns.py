"""The target groups' tries in turn: each localized, then patched with its share of the budget.

A fix of one is a fix: once a try's plausible patch settles the session, only the tries of groups
it leaves failing go on (``spending.going_on``); a try of several that fixes none puts next the
groups it fixed a test of. What the tries that ran dry left goes to those their share cut short.
"""

from __future__ import annotations

from collections.abc import Callable

from rfsn.models import FailureGroup, Phase, TestReport
from rfsn.observability.logging import get_logger
from rfsn.planners.base import Plan
from rfsn.planners.localize.groups import Agreement
from rfsn.planners.patch.phase import Patcher, Search
from rfsn.planners.spending import Share, Try, fixed_together, going_on, reserved

log = get_logger(__name__)
Tried = list[tuple[Search, Try]]


class Turns:
    """The tries of one plan: ``patcher``'s searches, localized by its localizer, accounted in its
    trials' ledger; ``groups``: the plan's report of the groups, in place; ``fixes``: the searches
    whose plausible patch settled the session, in the order found (appended to in place)."""

    def __init__(
        self, patcher: Patcher, groups: list[FailureGroup], fixes: list[Search], enter: Callable[[Phase], None]
    ) -> None:
        self.patcher, self.groups, self.fixes, self.enter = patcher, groups, fixes, enter
        self.trials, self.localizer = patcher.trials, patcher.localizer
        self.ledger = self.trials.ledger
        self.agreement = Agreement(self.localizer)

    def tried(self, baseline: TestReport, turns: list[Try]) -> Plan[Tried]:
        """One try at a time, each with its share. Once a try's plausible patch settles the session,
        the tries go on on what verifying the fixes together leaves (``fixes``: a session that ends in
        their tries returns the first, ``unverified``)."""
        searches: Tried = []
        clocks = (self.trials.seconds_left, self.trials.steps_left)
        for n, turn in enumerate(turns):
            share = Share.of([t.weight for t in turns[n:]], *clocks, turn.stands_for, bounded=bool(self.fixes))
            self.ledger.begin(turn.group)
            self.enter(Phase.LOCALIZE)
            log.info(
                "planner.group",
                group=n + 1,
                of=len(turns),
                cause=turn.group.cause[:80],
                tests=len(turn.group.tests),
                evidence=turn.group.evidence,
                share_seconds=share.seconds,
                share_steps=share.steps,
            )
            locations = yield from self.localizer.localize(baseline, turn.group.tests, share.measuring())
            searches.append((self.patcher.search(baseline, turn.group, locations, turn.holds, turn.first), turn))
            if n == 0 and turn.stands_for > 1:
                self.agreement.agreed(baseline, turns, share, self.groups)
            search = searches[-1][0]
            if (yield from self.patch(search, share)) and self.settles(search):
                self.fixes.append(search)
                suite = self.trials.suites.get(search.plausible[0].diff())
                turns[n + 1 :] = going_on(turns[n + 1 :], suite)
                more = ": the tries of the groups it leaves failing go on" if n + 1 < len(turns) else ""
                if more or len(self.fixes) > 1:  # verify opens the first fix's account again
                    self.ledger.close("left", f"a plausible patch ({search.plausible[0].description}){more}")
                clocks = reserved(self.trials.seconds_left, self.trials.steps_left, suite) if more else clocks
            elif turn.stands_for > 1 and not search.plausible:
                turns[n + 1 :] = fixed_together(turns[n + 1 :], search.partial, self.groups)
        return searches

    def resumed(self, searches: Tried) -> Plan[Search | None]:
        """What the tries that ran dry left goes to those their share cut short, in turn."""
        cut = [(s, t) for s, t in searches if s.cut and not s.plausible]
        while cut:
            for n, (search, _) in enumerate(cut):
                share = Share.of([t.weight for _, t in cut[n:]], self.trials.seconds_left, self.trials.steps_left)
                self.ledger.begin(search.group)
                log.info(
                    "planner.group_resumed",
                    cause=search.group.cause[:80],
                    share_seconds=share.seconds,
                    share_steps=share.steps,
                )
                if (yield from self.patch(search, share)) and self.settles(search):
                    return search
            cut = [(s, t) for s, t in cut if s.cut and not s.plausible]
        return None

    def patch(self, search: Search, share: Share) -> Plan[bool]:
        self.enter(Phase.PATCH)
        return (yield from self.patcher.patch(search, share))

    def settles(self, search: Search) -> bool:
        best = search.plausible[0]
        return self.agreement.settles(
            search.group, best, self.trials.suites.get(best.diff()), self.trials.left_failing, self.ledger
        )
