"""What the gate is told about the session: the workspace, the phase, the budgets."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from rfsn.models import Phase


class GateContext(BaseModel):
    """Session state the gate decides against. ``None`` as a maximum means unlimited."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    workspace: Path = Field(description="root of the repository checkout the proposal targets")
    phase: Phase = Field(description="the controller's current phase (authoritative)")
    buildpack: str = Field(default="generic", description="buildpack name, selects allowed commands")
    steps_used: int = Field(default=0, ge=0)
    steps_max: int | None = Field(default=None, ge=0)
    seconds_used: float = Field(default=0.0, ge=0)
    seconds_max: float | None = Field(default=None, ge=0)
    cost_used: float = Field(default=0.0, ge=0)
    cost_max: float | None = Field(default=None, ge=0)
    tokens_used: int = Field(default=0, ge=0)
    tokens_max: int | None = Field(default=None, ge=0)
    reported_tests: frozenset[str] = Field(
        default_factory=frozenset,
        description="test ids the runner itself reported in this session: the runner's names for "
        "tests (a mocha title may hold `;` or `$`), not words a planner made up",
    )
