"""Budgets of a session: steps, wall time, tokens, money. Spending past one ends the session."""

from __future__ import annotations

import time

from pydantic import BaseModel, Field

from rfsn.errors import BudgetExhausted

__all__ = ["DEFAULT_MAX_STEPS", "Budget", "BudgetExhausted", "Usage"]

#: about three steps per candidate (apply, screen, revert): room for the planner's 500 candidates
DEFAULT_MAX_STEPS = 2000


class Budget(BaseModel):
    max_steps: int = Field(default=DEFAULT_MAX_STEPS, gt=0, description="proposals, accepted or not")
    max_seconds: float = Field(default=1800.0, gt=0, description="wall time of the session")
    max_tokens: int | None = Field(default=None, description="LLM tokens (None: unlimited)")
    max_cost: float | None = Field(default=None, description="LLM dollars (None: unlimited)")


class Usage:
    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.steps = 0
        self.tokens = 0
        self.cost = 0.0
        self.started = time.monotonic()

    def start(self) -> None:
        """Start the wall clock again: a session's time budget is for the repair, counted from
        when its sandbox is ready, not for building the environment (bounded by its own limit)."""
        self.started = time.monotonic()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    @property
    def seconds_left(self) -> float:
        return self.budget.max_seconds - self.seconds

    def check(self) -> None:
        b = self.budget
        if self.steps >= b.max_steps:
            raise BudgetExhausted(f"step budget spent ({self.steps} steps)")
        if self.seconds >= b.max_seconds:
            raise BudgetExhausted(f"time budget spent ({b.max_seconds:g}s)")
        if b.max_tokens is not None and self.tokens >= b.max_tokens:
            raise BudgetExhausted(f"token budget spent ({self.tokens} tokens)")
        if b.max_cost is not None and self.cost >= b.max_cost:
            raise BudgetExhausted(f"cost budget spent (${self.cost:.2f})")
