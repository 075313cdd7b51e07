"""The patch phase of the plan: a target group's search, its strategy's candidates screened one by
one until enough are plausible, the strategy runs dry or the group's share is spent; partial fixes
paired for a fault in two places."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rfsn.llm.base import ChatModel
from rfsn.models import FailureGroup, TestReport
from rfsn.observability.logging import get_logger
from rfsn.planners.base import Lookup, PatchStrategy, Plan, RepairContext, finds_code
from rfsn.planners.code.candidates import Candidate, combine
from rfsn.planners.code.location import Location
from rfsn.planners.code.sources import read_sources, read_tests
from rfsn.planners.code.testids import located
from rfsn.planners.localize.phase import Localizer
from rfsn.planners.spending import Share
from rfsn.planners.verify.minimal import minimal
from rfsn.planners.verify.obsolete import MAX_OBSOLETE, accepted
from rfsn.planners.verify.screening import Screen
from rfsn.planners.verify.tiers import ScreenResult
from rfsn.planners.verify.trials import Trials

log = get_logger(__name__)
Coverage = dict[str, dict[str, list[int]]]


@dataclass
class Search:
    """One target group's patch search: its evidence, its strategy's candidates and what
    screening found so far, kept so that it can go on where its share cut it short."""

    group: FailureGroup
    locations: list[Location]
    coverage: Coverage
    context: RepairContext | None = None  # none: nothing to search
    screen: Screen | None = None
    candidates: Iterator[Candidate | Lookup] = field(default_factory=lambda: iter(()))
    plausible: list[Candidate] = field(default_factory=list)
    partial: list[tuple[Candidate, frozenset[str]]] = field(default_factory=list)
    screened: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    after_first: int | None = None  # candidates still screened after the first plausible one
    cut: bool = False  # its share was spent: it may go on


def _obsolete_checked(candidate: Candidate, broken: tuple[str, ...] | list[str]) -> Candidate:
    """``candidate`` with only the tests it may call obsolete: those it broke in screening
    (``planners.verify.obsolete.accepted``)."""
    kept = accepted(candidate.obsolete, broken)
    log.info("planner.obsolete", candidate=candidate.description, named=list(candidate.obsolete), accepted=list(kept))
    return candidate.model_copy(update={"obsolete": kept})


@dataclass
class Patcher:
    """The searches of one plan: ``strategy``'s candidates, screened by ``trials``."""

    strategy: PatchStrategy
    trials: Trials
    localizer: Localizer
    workspace: Path
    language: str
    problem: str
    model: ChatModel | None
    #: files the session wrote only to reproduce the problem; tests a fix may break
    scaffolding: list[str]
    may_break: list[str]
    #: the strategies' searches the plan opened, closed with it
    opened: contextlib.ExitStack
    max_plausible: int = 3
    extra: int = 10
    max_pairs: int = 10
    pairs_tried: int = 0
    current: Search | None = None  # the search screened last (it holds what is plausible)

    def search(
        self,
        baseline: TestReport,
        group: FailureGroup,
        locations: list[Location],
        holds: Sequence[Sequence[str]] = (),
        first: Sequence[Candidate] = (),
    ) -> Search:
        """``group``'s search, its strategy's candidates ready (none where the fault could not be
        localized and the strategy does not read the code itself), after ``first``; ``holds``: the
        tests of each group a try of several stands for."""
        targets, unsteady = group.tests, self.localizer.unsteady
        search = Search(group, locations, self.localizer.coverage)
        if locations or finds_code(self.strategy):
            # a target named bare (``test_x``) is shown to a strategy by the id naming its
            # file: a bare name is defined in many test files
            failing = located(targets, baseline.failing)
            search.context = RepairContext(
                workspace=self.workspace,
                language=self.language,
                failing=failing,
                passing=baseline.passing,
                locations=locations,
                problem=self.problem,
                log=baseline.log,
                files=read_sources(self.workspace, self.language),
                tests=read_tests(self.workspace, failing),
                model=self.model,
            )
            search.screen = Screen(
                baseline,
                targets,
                self.localizer.coverage,
                may_break=[*self.may_break],
                tell_broken=MAX_OBSOLETE if self.scaffolding else 0,
                flaky=[] if self.scaffolding else unsteady,
                stale=unsteady if self.scaffolding else [],
                groups=holds,
            )
            candidates = self.strategy.candidates(search.context)
            if isinstance(candidates, Generator):
                self.opened.callback(candidates.close)
            search.candidates = itertools.chain(first, candidates)
        return search

    def patch(self, search: Search, share: Share) -> Plan[bool]:
        """Screen ``search``'s candidates until enough are plausible, the strategy runs dry or
        ``share`` is spent (``search.cut``: it may go on later); whether any was plausible. Its
        group's account is closed unless one was (verify closes it)."""
        ledger = self.trials.ledger
        search.cut = False
        if search.context is None or search.screen is None:
            ledger.close("left", "could not localize the fault")
            return False
        self.localizer.coverage, self.trials.share, self.current = search.coverage, share, search
        plausible = search.plausible
        while True:
            if not plausible and share.spent(ledger.last):
                log.info("planner.share_spent", why=share.why, candidates=ledger.candidates)
                search.cut = True
                break
            if plausible and not self.trials.room_for_one_more(plausible):
                break
            candidate = next(search.candidates, None)
            if candidate is None:
                break
            if isinstance(candidate, Lookup):  # the strategy reads the repository first
                candidate.answered((yield candidate.proposal))
                continue
            if not (yield from self._screen(search, candidate, share)):
                continue
            if plausible:
                search.after_first = self.extra if search.after_first is None else search.after_first - 1
                if search.after_first < 0 or len(plausible) >= self.max_plausible:
                    break
        if not plausible:
            ledger.close(
                "left", share.why if search.cut else f"no plausible patch among {ledger.candidates} candidates"
            )
        return bool(plausible)

    def _screen(self, search: Search, candidate: Candidate, share: Share) -> Plan[bool]:
        """Screen ``candidate`` unless it was (with the same tests set aside) or another try's
        screening showed it cannot fix this group (``Trials.cannot_fix``); whether it was."""
        context, screen, screened = search.context, search.screen, search.screened
        assert context is not None and screen is not None
        named = candidate.obsolete
        if named:
            candidate = _obsolete_checked(candidate, context.broken.get(candidate.diff(), ()))
        if (candidate.diff(), candidate.obsolete) in screened:
            return False  # the same patch with the same tests set aside
        if self.trials.cannot_fix(candidate.diff(), search.group.tests):
            search.group.skipped += 1
            return False
        screened.add((candidate.diff(), candidate.obsolete))
        result = yield from self.trials.run(screen, candidate)
        if result.inconclusive and not result.plausible and share.spent():  # its share cut its run:
            screened.discard((candidate.diff(), candidate.obsolete))  # screened again when the try goes on
            search.candidates = itertools.chain([candidate], search.candidates)
        self._broken(context, candidate, result)
        if named and not candidate.obsolete and self.scaffolding and result.broke and result.targets_held:
            # a patch first screened now, sent with tests called obsolete: they count for
            # those it was seen to break (a set not screened yet: the plain run set none aside)
            again = _obsolete_checked(candidate.model_copy(update={"obsolete": named}), result.broke)
            if again.obsolete:
                screened.add((again.diff(), again.obsolete))
                candidate, result = again, (yield from self.trials.run(screen, again))
                self._broken(context, candidate, result)
        yield from self._judged(search, candidate, result)
        return True

    def _judged(self, search: Search, candidate: Candidate, result: ScreenResult) -> Plan[None]:
        """What ``candidate``'s screening adds to ``search``: a plausible patch, a failure a model
        may answer, or a partial fix (paired with an earlier one)."""
        context, screen = search.context, search.screen
        assert context is not None and screen is not None
        if not result.plausible:  # a model strategy may answer it with one more round
            context.failures[candidate.diff()] = result.output or (
                f"the gate refused it ({result.rejected})" if result.rejected else "it failed"
            )
        if result.plausible:
            context.failures.pop(candidate.diff(), None)  # held, with tests called obsolete
            self._plausible(search, (yield from self._minimal(screen, candidate)))
        elif result.fixed and not search.plausible:
            pair = yield from self._pair(screen, search.partial, candidate, result.fixed, frozenset(search.group.tests))
            search.partial.append((candidate, result.fixed))
            if pair is not None:
                self._plausible(search, (yield from self._minimal(screen, pair)))

    @staticmethod
    def _plausible(search: Search, candidate: Candidate) -> None:
        """``candidate`` kept as plausible, unless a patch it was minimized to is already."""
        if all(p.diff() != candidate.diff() for p in search.plausible):
            search.plausible.append(candidate)

    def _minimal(self, screen: Screen, candidate: Candidate) -> Plan[Candidate]:
        """``candidate`` with the edits its tests do not need dropped (``planners.verify.minimal``)."""
        return (yield from minimal(candidate, screen, self.trials.run, lambda c: self.trials.room_for_one_more([c])))

    def _broken(self, context: RepairContext, candidate: Candidate, result: ScreenResult) -> None:
        """Issue-only: the tests a patch seen to make the reproduction pass broke, kept by its diff;
        the model may call them obsolete (``planners.verify.obsolete``)."""
        if self.scaffolding and not result.plausible and result.broke and result.targets_held:
            known = context.broken.get(candidate.diff(), ())
            context.broken[candidate.diff()] = tuple(dict.fromkeys((*known, *result.broke)))

    def _pair(
        self,
        screen: Screen,
        partial: list[tuple[Candidate, frozenset[str]]],
        candidate: Candidate,
        fixed: frozenset[str],
        targets: frozenset[str],
    ) -> Plan[Candidate | None]:
        """Multi-location bugs: this partial fix with an earlier one that fixes the rest."""
        for other, other_fixed in partial:
            if self.pairs_tried >= self.max_pairs or other_fixed | fixed != targets:
                continue
            pair = combine(other, candidate)
            if pair is None:
                continue
            self.pairs_tried += 1
            result = yield from self.trials.run(screen, pair)
            if result.plausible:
                return pair
        return None
