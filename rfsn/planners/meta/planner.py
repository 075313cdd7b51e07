"""The phase planner: the plan (``_run``) conducted as a ``Planner``, and the verdict it ends on."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from rfsn.llm.base import ChatModel
from rfsn.models import FailureGroup, Finish, Phase, Proposal, SessionStatus, TestReport
from rfsn.observability.logging import bind, get_logger
from rfsn.planners.base import Feedback, PatchStrategy, Plan, Verdict, reads_code
from rfsn.planners.code.candidates import Candidate
from rfsn.planners.localize.phase import Localizer
from rfsn.planners.meta.turns import Turns
from rfsn.planners.patch.phase import Patcher, Search
from rfsn.planners.reproduce.baseline import Baseline
from rfsn.planners.reproduce.phase import Reproducer
from rfsn.planners.spending import Ledger, settled, tries
from rfsn.planners.verify.choice import Ranked, rank_plausible
from rfsn.planners.verify.phase import Ending, Verifier, alternatives
from rfsn.planners.verify.screening import MAX_RECHECKED
from rfsn.planners.verify.trials import Trials
from rfsn.planners.verify.types import TypeCheck

log = get_logger(__name__)


class PlanOptions(BaseModel):
    """What a phase plan is configured with."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    language: str = Field(description="the buildpack's name: the language the code is read as")
    workdir: str = Field(description="the repository's path in the sandbox")
    targets: tuple[str, ...] = Field(default=(), description="the tests to fix (none: those the baseline fails)")
    problem: str = Field(default="", description="the problem statement, when one is given")
    formula: str = Field(default="ochiai", description="the suspiciousness formula localization ranks by")
    max_plausible: int = Field(default=3, description="plausible patches a search stops at")
    extra_after_plausible: int = Field(default=10, description="candidates screened after the first plausible one")
    max_pairs: int = Field(default=10, description="pairs of candidates combined, at most")
    probes: bool = Field(
        default=False,
        description="the runner can probe what a function evaluates to (``ProbeCapable``): verify then "
        "checks the types of each plausible patch (``verify.types``)",
    )


class PhasePlanner:
    """The default planner: the plan of the four phases over ``strategy``'s candidates, in
    ``workspace``, as ``options`` configure it."""

    def __init__(
        self,
        strategy: PatchStrategy,
        workspace: Path,
        options: PlanOptions,
        *,
        model: ChatModel | None = None,
        seconds_left: Callable[[], float] | None = None,
        steps_left: Callable[[], int] | None = None,
        baseline: Baseline | None = None,
    ) -> None:
        """``seconds_left``, ``steps_left``: the session's wall seconds and steps left (none: no
        limit the plan weighs). ``baseline``: what the plan's runs of the whole suite run."""
        self.strategy, self.workspace, self.options, self.model = strategy, workspace, options, model
        self.seconds_left, self.steps_left = seconds_left, steps_left
        self.phase = Phase.REPRODUCE
        self.best: Candidate | None = None
        #: the target tests that fail at the start, once the baseline ran
        self.failing_before: list[str] = []
        #: files the session wrote only to reproduce the problem: never part of the patch
        self.scaffolding: list[str] = []
        self._plan = (baseline or Baseline()).conduct(self._run())
        self._started = False
        self._last: Proposal = Finish(reason="gave up: the plan has not started")
        self._feedback: Feedback | None = None
        self._verdict: Verdict | None = None
        self._ledger = Ledger()
        #: the targets by cause, in the order they are tried, then the environment's
        self._groups: list[FailureGroup] = []
        #: the searches whose plausible patch settled the session, in the order found
        self._fixes: list[Search] = []
        self._reproducer: Reproducer | None = None
        self._trials: Trials | None = None
        self._patcher: Patcher | None = None
        #: verify's type check of the plausible patches, and what it found
        self._types = TypeCheck(seconds_left, steps_left)
        #: the strategies' searches the plan opened, closed with it (``close``)
        self._opened = contextlib.ExitStack()

    @property
    def candidates_tried(self) -> int:
        return self._trials.tried if self._trials else 0

    def next(self) -> Proposal:
        if not self._started:
            self._started = True
            self._last = next(self._plan)
            return self._last
        assert self._feedback is not None, "observe() must follow next()"
        feedback, self._feedback = self._feedback, None
        # once the plan ended on a Finish the gate rejected, that Finish is proposed again
        with contextlib.suppress(StopIteration):
            self._last = self._plan.send(feedback)
        return self._last

    def observe(self, feedback: Feedback) -> None:
        self._feedback = feedback

    def close(self) -> None:
        """End the plan and every search it opened, wherever they stand: their ``finally`` blocks
        (a strategy's ``template.budget``) run now, in the session that opened them."""
        self._plan.close()
        self._opened.close()

    def verdict(self) -> Verdict:
        return (
            self._verdict
            if self._verdict is not None
            else Verdict(
                status=SessionStatus.NOT_FIXED,
                message="the planner did not finish",
                candidates_tried=self.candidates_tried,
            )
        )

    def _enter(self, phase: Phase) -> None:
        self.phase = phase
        bind(phase=phase.value)
        log.info("planner.phase", phase=phase.value)

    def groups(self, ended: str = "") -> list[FailureGroup]:
        """The groups and what each spent, the one being tried closed as ``ended`` (the session
        stopped it: its budget, Ctrl-C)."""
        if self._ledger.group is not None:
            self._ledger.close("left", ended)
        return settled(
            [
                g.model_copy(update={"outcome": "known", "why": g.why or "the environment's"})
                if g.kind == "environment"
                else g.model_copy(deep=True)
                for g in self._groups
            ]
        )

    def _stop(self, status: SessionStatus, message: str, **fields: object) -> Plan[None]:
        self._verdict = Verdict(
            status=status,
            message=message,
            candidates_tried=self.candidates_tried,
            groups=self.groups(message),
            **fields,  # type: ignore[arg-type]
        )
        reason = message if self.phase is Phase.VERIFY else f"gave up: {message}"
        yield Finish(phase=self.phase, reason=reason)

    def _run(self) -> Plan[None]:
        self._enter(Phase.REPRODUCE)
        o = self.options
        found = self._reproducer = Reproducer(
            self.workspace, o.language, o.workdir, list(o.targets), o.problem, self.model, self.scaffolding
        )
        stop = yield from found.reproduce()
        self._groups, self.failing_before = found.groups, found.targets
        if stop is not None:
            yield from self._stop(*stop)
            return
        baseline = found.baseline
        assert baseline is not None, "a reproduce phase that does not stop leaves its baseline"
        turns, self._groups = tries(self._groups)
        walk = Turns(self._phases(found), self._groups, self._fixes, self._enter)
        searches = yield from walk.tried(baseline, turns)
        ended = self._fixes[0] if self._fixes else (yield from walk.resumed(searches))
        self._fixes[:] = self._fixes or ([ended] if ended else [])
        # none settled: the first plausible patch; its try's account open again for verify
        search = ended or next((s for s, _ in searches if s.plausible), None)
        if search is not None and self._ledger.group is not search.group:
            self._ledger.begin(search.group)
        if search is None:
            yield from self._stop(
                SessionStatus.NOT_FIXED,
                "; ".join(dict.fromkeys(s.group.why for s, _ in searches)),
                failing_before=self.failing_before,
                failing_after=self.failing_before if any(s.locations for s, _ in searches) else [],
            )
            return
        self._enter(Phase.VERIFY)
        ending = yield from self._verify(baseline, search)
        if self._verifier.best is not None:
            self.best = self._verifier.best
        yield from self._stop(ending.status, ending.message, **ending.fields)

    def _phases(self, found: Reproducer) -> Patcher:
        """The parts of the phases after reproduce, on what it ``found``: the localizer, the trials,
        the patcher and the verifier (kept on the planner); the patcher returned."""
        o = self.options
        self._localizer = Localizer(
            self.workspace,
            o.language,
            o.workdir,
            o.formula,
            reads_code=reads_code(self.strategy),
            seconds_left=self.seconds_left,
            max_unsteady=MAX_RECHECKED,
        )
        trials = self._trials = Trials(
            self._ledger, type(self.strategy).__name__, self.scaffolding, self.seconds_left, self.steps_left
        )
        self._patcher = Patcher(
            self.strategy,
            trials,
            self._localizer,
            self.workspace,
            o.language,
            o.problem,
            self.model,
            self.scaffolding,
            [*found.restated, *found.unproven],
            self._opened,
            o.max_plausible,
            o.extra_after_plausible,
            o.max_pairs,
        )
        self._verifier = Verifier(
            trials,
            self.workspace,
            o.language,
            self.seconds_left,
            self.scaffolding,
            found.restated,
            found.unproven,
            self._localizer.unsteady,
        )
        return self._patcher

    def _patcher_of(self) -> Patcher:
        assert self._patcher is not None, "the plan reproduced the problem first"
        return self._patcher

    def _verify(self, baseline: TestReport, search: Search) -> Plan[Ending]:
        searches = self._fixes or [search]
        for each in searches if self.options.probes else []:  # what the probes see of each plausible patch
            yield from self._types.judge(each.plausible, baseline, each.group.tests, self._localizer.coverage)
        ranked = [self._ranked(baseline, s) for s in searches]
        return (
            yield from self._verifier.verify_fixes(
                ranked, [s.group for s in searches], baseline, search.screen, self._groups
            )
        )

    def _ranked(self, baseline: TestReport, search: Search) -> list[Ranked]:
        """``search``'s plausible patches, best first, by what the choice weighs (and the probes saw)."""
        votes = search.context.votes if search.context else {}
        evidence = self._verifier.evidence(
            baseline,
            search.group.tests,
            search.locations,
            votes,
            self._localizer.coverage,
            self._types.concerns(search.plausible),
            self._types.unevaluated,
        )
        return rank_plausible(search.plausible, evidence)

    def unverified(self, ended: str) -> Verdict | None:
        """The best plausible patch screening found, with its evidence, as the verdict of a
        session whose budget ended before verify confirmed it (none once the plan gave its own
        verdict, or when no candidate was plausible)."""
        search = next(
            (
                s
                for s in [*self._fixes, self._patcher.current if self._patcher else None]
                if s is not None and s.plausible
            ),
            None,
        )
        baseline = self._reproducer.first if self._reproducer else None
        if self._verdict is not None or search is None or not search.plausible or baseline is None:
            return None
        targets = search.group.tests
        ranked = self._ranked(baseline, search)
        self.best = best = ranked[0].candidate
        tiers = "the targets, then the whole suite" if best.diff() in self._patcher_of().trials.suites else "its tiers"
        cut = f"verify was cut by the budget ({ended}): the patch passed screening ({tiers}) and was not run again"
        log.info("planner.unverified", candidate=best.description, ended=ended)
        return Verdict(
            status=SessionStatus.BUDGET_EXHAUSTED,
            patch=best.diff(),
            message=f"{ended}; verify was cut: the plausible patch is returned unverified: {best.description}",
            failing_before=targets,
            candidates_tried=self.candidates_tried,
            concerns=[*ranked[0].concerns, cut],
            groups=self.groups(ended),
            alternatives=alternatives(ranked),
            template=best.template,
            checks=list(best.checks),
        )
