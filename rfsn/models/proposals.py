"""Proposals: what a planner asks the controller to do, one intent each.

The public JSON form (trajectories, ``rfsn gate check``) is the model dump of these classes,
discriminated by ``intent``; each may carry a ``rationale`` and the ``phase`` it was made in::

    {"intent": "edit", "patch": "<unified diff>"}
    {"intent": "edit", "path": "pkg/mod.py", "old": "a < b", "new": "a <= b"}
    {"intent": "run_tests", "tests": ["tests/test_x.py::test_y"]}
    {"intent": "run_command", "argv": ["python", "-m", "pytest", "-x"]}
    {"intent": "read_file", "path": "pkg/mod.py"}
    {"intent": "search", "pattern": "def parse", "path": "pkg"}
    {"intent": "list_dir", "path": "pkg"}
    {"intent": "finish", "reason": "tests pass"}
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from rfsn.models.probes import Probe


class Phase(StrEnum):
    REPRODUCE = "reproduce"
    LOCALIZE = "localize"
    PATCH = "patch"
    VERIFY = "verify"


class _ProposalBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    phase: Phase | None = Field(default=None, description="phase the planner was in")
    rationale: str = Field(default="", max_length=4000, description="why, in a sentence")


class RunTests(_ProposalBase):
    """Run the suite, or only the given test ids (ecosystem form)."""

    intent: Literal["run_tests"] = "run_tests"
    tests: tuple[str, ...] = ()
    timeout: float | None = Field(default=None, gt=0, description="per-run timeout, seconds")
    cold_start: float = Field(
        default=0.0,
        ge=0,
        description="seconds more for a run the warm runner does not fork (it starts cold): the "
        "start-up a screening limit learned from forked runs leaves out",
    )
    coverage: bool = Field(default=False, description="collect per-test line coverage")
    measure_within: float | None = Field(
        default=None,
        gt=0,
        description=(
            "seconds a coverage plan's runs after the first (per-file and per-test measurement) may "
            "take; they stop there with what they measured (none: what is left of the timeout)"
        ),
    )
    max_failures: int | None = Field(
        default=None, ge=1, description="stop the run once this many tests failed (screening)"
    )
    case_limit: bool = Field(
        default=True,
        description=(
            "False: no per-test limit in this run (the targets alone: how long a failing test takes "
            "says nothing of how long it takes once it passes; the run's own limit bounds it)"
        ),
    )
    leave_out: tuple[str, ...] = Field(
        default=(),
        description=(
            "test files a run of the whole suite leaves out, where the session names that suite's "
            "files (a large or narrowed suite): they collected nothing at baseline and hold no target "
            "(the planner's baseline names what runs in ``tests``)"
        ),
    )
    collect: tuple[str, ...] | None = Field(
        default=None,
        description=(
            "first widen what the whole suite collects from now on (``CollectCapable``): by the test "
            "files of the runner the project declares, and these files; a run that names files the "
            "runner cannot take in does not run (none: no widening)"
        ),
    )
    probe: Probe | None = Field(
        default=None,
        description=(
            "record what one function evaluates to on these tests (``ProbeCapable``), as "
            "``TestReport.probed``; a runner that cannot runs them plainly"
        ),
    )


class RunCommand(_ProposalBase):
    """Run one program with an argv list (never a shell string)."""

    intent: Literal["run_command"] = "run_command"
    argv: tuple[str, ...] = Field(min_length=1)
    timeout: float | None = Field(default=None, gt=0)


class ReadFile(_ProposalBase):
    intent: Literal["read_file"] = "read_file"
    path: str


class Search(_ProposalBase):
    """Search a regular expression in the files under ``path``."""

    intent: Literal["search"] = "search"
    pattern: str = Field(min_length=1, max_length=500)
    path: str = "."


class ListDir(_ProposalBase):
    """List a directory of the workspace: its entries, each directory with a trailing slash."""

    intent: Literal["list_dir"] = "list_dir"
    path: str = "."


class Edit(_ProposalBase):
    """A unified diff relative to the repo root, or one exact old/new replacement."""

    intent: Literal["edit"] = "edit"
    patch: str | None = None
    path: str | None = None
    old: str | None = None
    new: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Edit:
        replacement = (self.path, self.old, self.new)
        if self.patch is not None and any(v is not None for v in replacement):
            raise ValueError("an edit is either a patch or a path/old/new replacement, not both")
        if self.patch is None and any(v is None for v in replacement):
            raise ValueError("an edit needs a patch, or all of path, old and new")
        return self


class Finish(_ProposalBase):
    intent: Literal["finish"] = "finish"
    reason: str = ""


Proposal = Annotated[
    RunTests | RunCommand | ReadFile | Search | ListDir | Edit | Finish,
    Field(discriminator="intent"),
]
PUBLIC_INTENTS = ("run_tests", "run_command", "read_file", "search", "list_dir", "edit", "finish")

_ADAPTER: TypeAdapter[Proposal] = TypeAdapter(Proposal)


def parse_proposal(data: Any) -> Proposal:
    """Validate the public JSON form (a dict or a JSON string) into a proposal."""
    if isinstance(data, str | bytes):
        return _ADAPTER.validate_json(data)
    return _ADAPTER.validate_python(data)
