"""Protocols of the swappable planning parts, and what flows between them and the controller.

Planner        proposes the next step and learns from each decision and outcome
PatchStrategy  turns a localized fault into ranked candidate edits
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeAlias, TypeVar, runtime_checkable

from rfsn.llm.base import ChatModel, ToolCall
from rfsn.models import GateDecision, ListDir, Outcome, Phase, Proposal, ReadFile, Search, Verdict
from rfsn.planners.code.candidates import Candidate
from rfsn.planners.code.location import Location

__all__ = ["Feedback", "Lookup", "PatchStrategy", "Plan", "Planner", "RepairContext", "Verdict"]

#: lines a view shows when the model names no end
VIEW_LINES = 120
MAX_ANSWER = 12_000


@dataclass(frozen=True)
class Feedback:
    """What became of a proposal: the gate's decision and, if it ran, the outcome."""

    decision: GateDecision
    outcome: Outcome | None = None

    @property
    def ok(self) -> bool:
        return self.decision.accepted and self.outcome is not None and self.outcome.ok


T = TypeVar("T")
#: a part of a plan: it yields proposals, receives each one's Feedback, and returns a T
Plan: TypeAlias = Generator[Proposal, Feedback, T]


@dataclass
class Lookup:
    """One read-only tool call on its way through the controller: the planner proposes
    ``proposal`` and hands the feedback to :meth:`answered`."""

    call: ToolCall
    proposal: ReadFile | Search | ListDir
    answer: str = ""
    span: tuple[int, int] = (1, VIEW_LINES)

    def answered(self, feedback: Feedback) -> None:
        if not feedback.decision.accepted:
            self.answer = f"refused by the safety gate: {feedback.decision.reason}"
        elif feedback.outcome is None or not feedback.outcome.ok:
            self.answer = feedback.outcome.detail if feedback.outcome else "it did not run"
        elif isinstance(self.proposal, ReadFile):
            self.answer = _numbered(feedback.outcome.content or "", *self.span)
        else:
            self.answer = feedback.outcome.content or "(nothing)"
        self.answer = self.answer[:MAX_ANSWER]


def _numbered(text: str, start: int, end: int) -> str:
    lines = text.splitlines()
    if start > len(lines):
        return f"the file has {len(lines)} lines"
    shown = "\n".join(f"{n:5d}  {lines[n - 1]}" for n in range(start, min(end, len(lines)) + 1))
    return shown + ("" if end >= len(lines) else f"\n(the file has {len(lines)} lines)")


@dataclass
class RepairContext:
    """What a patch strategy gets to work from (read-only)."""

    workspace: Path
    language: str
    failing: list[str]
    passing: list[str]
    locations: list[Location]
    problem: str = ""
    log: str = ""
    files: dict[str, str] = field(default_factory=dict)
    #: the failing targets' test files (path -> text), as the workspace holds them
    tests: dict[str, str] = field(default_factory=dict)
    #: the language model of the model planners (None for the offline ones)
    model: ChatModel | None = None
    #: filled as screening goes: the failure output of each candidate that was not plausible,
    #: by its diff (a model strategy may answer it with one more round)
    failures: dict[str, str] = field(default_factory=dict)
    #: filled as screening goes, in a session with a reproduction: the baseline-passing tests
    #: each candidate broke, by its diff (a model may call them obsolete: ``planners.verify.obsolete``)
    broken: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: how many of a model's samples proposed each patch, by ``choice.agreement_key``
    votes: dict[str, int] = field(default_factory=dict)


@runtime_checkable
class Planner(Protocol):
    phase: Phase

    def next(self) -> Proposal:
        """The next proposal; a Finish once the planner is done."""
        ...

    def observe(self, feedback: Feedback) -> None:
        """The decision on (and outcome of) the proposal ``next`` returned last."""
        ...

    def verdict(self) -> Verdict:
        """How the session ended, valid once a Finish was accepted."""
        ...


@runtime_checkable
class PatchStrategy(Protocol):
    """Makes candidate edits; it may also declare ``FindsCode`` and ``ReadsCode``."""

    name: str

    def candidates(self, context: RepairContext) -> Iterable[Candidate | Lookup]:
        """Candidate edits, most promising first. A strategy that reads the repository as it
        goes (a model's tools) yields a Lookup; it is answered before the next item is taken."""
        ...


@runtime_checkable
class FindsCode(Protocol):
    """A strategy that, with ``finds_code = True`` (a model with its tools), is asked even when
    the localization found nothing; the others are not."""

    finds_code: bool


@runtime_checkable
class ReadsCode(Protocol):
    """A strategy that, with ``reads_code = True`` (a model alone), takes the focused coverage
    run's evidence as it is, where the others get it sharpened by a whole-suite coverage run
    when it is flat."""

    reads_code: bool


def finds_code(strategy: PatchStrategy) -> bool:
    """Can ``strategy`` find what to change without a localization?"""
    return isinstance(strategy, FindsCode) and strategy.finds_code is True


def reads_code(strategy: PatchStrategy) -> bool:
    """Does ``strategy`` choose what to change by reading the code (suspiciousness a supplement)?"""
    return isinstance(strategy, ReadsCode) and strategy.reads_code is True
