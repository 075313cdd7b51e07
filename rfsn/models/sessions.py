"""How a session ended: its status, the verdict and patch, the failure groups and what it spent on them."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class SessionStatus(StrEnum):
    FIXED = "fixed"
    NOT_FIXED = "not_fixed"
    NOT_REPRODUCED = "not_reproduced"
    ERROR = "error"
    ENV_ERROR = "env_error"
    BUDGET_EXHAUSTED = "budget_exhausted"
    #: the patch passes the tests and a concern says it may not be the fix (it changes the type of
    #: what the tests run): returned, not claimed
    PLAUSIBLE = "plausible"


class Alternative(BaseModel):
    """Another plausible patch the session found and did not choose."""

    description: str
    patch: str
    concerns: list[str] = Field(default_factory=list, description="signs that it overfits the tests")


class Spent(BaseModel):
    """What a session spent on one location of one group: candidates and their screening seconds."""

    location: str = Field(description="file:line the candidates edit")
    candidates: int = 0
    seconds: float = 0.0


#: what a session did with a group of failures
GroupOutcome = Literal["fixed", "left", "not_tried", "known"]


class FailureGroup(BaseModel):
    """Tests that failed at baseline for one cause (``rfsn.planners.reproduce.targets``), and what the
    session spent on them."""

    cause: str = Field(description="the first line of what they failed with")
    tests: list[str]
    kind: Literal["target", "environment"] = Field(
        description="a target, or the environment's (a missing program or module): known, never targeted"
    )
    outcome: GroupOutcome = Field(default="not_tried", description="what the session did with it")
    why: str = Field(default="", description="why a group was left, or how it ended")
    evidence: list[str] = Field(
        default_factory=list,
        description="why it was tried where it was: "
        "signs of a code fault in the project, or the environment's shape that put it last",
    )
    shape: str = Field(default="", description="the environment's shape of its failures, which put it last")
    seconds: float = Field(default=0.0, description="wall seconds spent on it (localization and candidates)")
    candidates: int = Field(default=0, description="candidates screened for it")
    skipped: int = Field(
        default=0,
        description="candidates it did not screen: another group's try "
        "had screened them and they left its tests failing or hung",
    )
    locations: list[Spent] = Field(default_factory=list, description="its candidates by location, most first")


class Verdict(BaseModel):
    """How a planner ended the session."""

    status: SessionStatus
    message: str = ""
    patch: str = ""
    failing_before: list[str] = Field(default_factory=list)
    failing_after: list[str] = Field(default_factory=list)
    candidates_tried: int = 0
    concerns: list[str] = Field(default_factory=list, description="signs that the chosen patch overfits the tests")
    alternatives: list[Alternative] = Field(default_factory=list, description="the other plausible patches, best first")
    template: str = Field(
        default="", description="the template (pattern) that produced the patch; 'a+b' for edits of several combined"
    )
    checks: list[str] = Field(
        default_factory=list,
        description="the checks the patch passed beyond screening, each with its outcome (minimality)",
    )
    groups: list[FailureGroup] = Field(
        default_factory=list,
        description="the targets by cause, in the order tried (one group when tests "
        "were named or reproduced), then the environment's",
    )


class SessionResult(Verdict):
    """The planner's verdict and what the session spent on it (``result.json``)."""

    session_id: str
    steps: int = 0
    duration: float = Field(default=0.0, description="wall seconds of the whole session")
    environment_seconds: float = Field(
        default=0.0,
        description="wall seconds until the sandbox was ready "
        "(the environment image built or reused, the setup run): outside "
        "the time budget, which counts from then",
    )
    phase_durations: dict[str, float] = Field(default_factory=dict)
    environment: list[str] = Field(
        default_factory=list,
        description="what the environment was built from and why: the Python, the date, the requirements",
    )
    environment_log: str = Field(
        default="",
        description="the file of the session's outputs holding the "
        "whole output of the environment build that failed (env-build.log)",
    )
    tokens: int = Field(default=0, description="model tokens, input plus output")
    cost: float = Field(default=0.0, description="USD for model calls")
    llm_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
