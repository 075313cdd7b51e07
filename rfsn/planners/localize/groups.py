"""The target groups' localizations compared, in the plan: the groups that agree on where the fault
is are one try, and a plausible patch that leaves a group agreeing with it failing does not end
the session (``agreement`` says which agree)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rfsn.models import FailureGroup, TestReport, TestStatus
from rfsn.observability.logging import get_logger
from rfsn.planners.code.candidates import Candidate
from rfsn.planners.code.sources import read_sources
from rfsn.planners.localize.agreement import agreeing, function_at, pointed
from rfsn.planners.localize.phase import Localizer
from rfsn.planners.spending import Ledger, Share, Try, regrouped, weight

log = get_logger(__name__)


@dataclass
class Agreement:
    localizer: Localizer
    #: each target group tried alone and the function its localization points at ("": none)
    pointing: list[tuple[FailureGroup, str]] = field(default_factory=list)

    def agreed(self, baseline: TestReport, turns: list[Try], share: Share, groups: list[FailureGroup]) -> None:
        """Once the groups together (``turns[0]``) are localized, the groups whose localizations
        agree are one try weighing as the sum of what it holds (``turns``, ``share`` and the plan's
        ``groups`` in place)."""
        loc = self.localizer
        alone = [t.group for t in turns[1:] if t.stands_for == 1 and not t.group.shape]
        sources = read_sources(loc.workspace, loc.language)
        self.pointing = [
            (
                g,
                pointed(
                    g.tests,
                    loc.coverage,
                    baseline.passing,
                    sources,
                    loc.language,
                    loc.formula,
                    loc.source_frames(baseline, g.tests, sources),
                ),
            )
            for g in alone
        ]
        sets = agreeing(self.pointing)
        log.info(
            "planner.groups_agree",
            sets=[len(s) for s in sets],
            of=len(alone),
            causes=[[g.cause[:40] for g in s] for s in sets],
        )
        if sets and len(sets[0]) == len(alone):  # all agree: the groups together are that try
            turns[0].weight = sum(weight(g) for g in alone)
            turns[1:] = [t for t in turns[1:] if all(t.group is not g for g in alone)]
            share.reweigh([t.weight for t in turns])
            turns[0].group.evidence.append("their localizations agree: one fault")
        elif sets:
            turns[1:] = regrouped(turns[1:], sets)
            groups[1:1] = [t.group for t in turns[1 : 1 + len(sets)]]

    def settles(
        self,
        group: FailureGroup,
        best: Candidate,
        suite: TestReport | None,
        left_failing: dict[str, frozenset[str]],
        ledger: Ledger,
    ) -> bool:
        """Whether ``group``'s plausible patch ``best`` may end the session: no test of a group
        agreeing with it (pointing at the function it edits, or where its group points) still fails
        in its ``suite`` run. Those that do are left failing by it for every later try."""
        own = {where for g, where in self.pointing if g is group}
        source = read_sources(self.localizer.workspace, self.localizer.language).get(best.path, "")
        at = {function_at(best.path, best.line, source, self.localizer.language), *own} - {""}
        still = sorted(
            t
            for g, where in self.pointing
            if where in at and g is not group
            for t in g.tests
            if suite is not None
            and t not in group.tests
            and suite.tests.get(t) in (TestStatus.FAILED, TestStatus.ERROR)
        )
        if not still:
            return True
        log.info("planner.fix_leaves_agreeing", candidate=best.description, failing=still[:10], of=len(still))
        left_failing[best.diff()] = left_failing.get(best.diff(), frozenset()) | set(still)
        ledger.close(
            "left",
            f"a plausible patch ({best.description}) leaves {len(still)} failing "
            "tests of groups agreeing with it: the tries go on",
        )
        return False
