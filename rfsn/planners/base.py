"""Protocols of the swappable planning parts, and what flows between them and the controller.

    Planner        proposes the next step and learns from each decision and outcome
    PatchStrategy  turns a localized fault into ranked candidate edits
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from rfsn.llm.base import ChatModel
from rfsn.models import Phase, Proposal, Verdict
from rfsn.planners.candidates import Candidate
from rfsn.planners.feedback import Feedback
from rfsn.planners.localize import Location

if TYPE_CHECKING:
    from rfsn.planners.explore.tools import Lookup

__all__ = ["Feedback", "PatchStrategy", "Planner", "RepairContext", "Verdict"]


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
    #: the language model of the model planners (None for the offline ones)
    model: ChatModel | None = None
    #: filled as screening goes: the failure output of each candidate that was not plausible,
    #: by its diff (a model strategy may answer it with one more round)
    failures: dict[str, str] = field(default_factory=dict)
    #: filled as screening goes, in a session with a reproduction: the baseline-passing tests
    #: each candidate broke, by its diff (a model may call them obsolete: ``planners.obsolete``)
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
