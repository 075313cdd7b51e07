"""USD per million tokens. Built-ins for common models; ``[llm.prices."model"]`` adds or overrides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from rfsn.errors import ConfigError


class Price(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float = Field(ge=0, description="USD per million input tokens")
    output: float = Field(ge=0, description="USD per million output tokens")

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input + output_tokens * self.output) / 1_000_000


BUILTIN: dict[str, Price] = {
    "claude-opus-4-1": Price(input=15.0, output=75.0),
    "claude-sonnet-4-5": Price(input=3.0, output=15.0),
    "claude-3-5-haiku-latest": Price(input=0.8, output=4.0),
    "gpt-4o": Price(input=2.5, output=10.0),
    "gpt-4o-mini": Price(input=0.15, output=0.6),
    "gpt-4.1": Price(input=2.0, output=8.0),
    "gpt-4.1-mini": Price(input=0.4, output=1.6),
}


def price_for(model: str, table: Mapping[str, Any]) -> Price | None:
    """The price of ``model`` from the ``[llm.prices]`` table, else the built-ins, else None."""
    configured = table.get(model)
    if configured is not None:
        try:
            return Price.model_validate(configured)
        except ValueError as exc:
            raise ConfigError(f"invalid [llm.prices.{model!r}]: {exc}") from None
    return BUILTIN.get(model)
