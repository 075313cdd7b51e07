"""A metered model from the flags, the ``[llm]`` table and the environment: every check up front."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from rfsn.llm.budget import LLMBudget
from rfsn.llm.clients import build
from rfsn.llm.config import resolve
from rfsn.llm.metered import MeteredModel
from rfsn.llm.prices import price_for
from rfsn.observability.logging import register_secret


class LLMOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str = Field(description="anthropic or openai")
    model: str | None = Field(default=None, description="--model")
    base_url: str | None = Field(default=None, description="--base-url, passed to the SDK")
    max_cost: float | None = Field(default=None, gt=0, description="USD for the session")
    max_tokens: int | None = Field(default=None, gt=0, description="input plus output tokens")
    max_calls: int | None = Field(default=None, gt=0, description="calls, failed ones included")


def open_model(options: LLMOptions, table: Mapping[str, Any],
               environ: Mapping[str, str]) -> MeteredModel:
    """ConfigError for an unknown provider, a bad URL, no key, or --max-cost with no price."""
    config = resolve(options.provider, model=options.model, base_url=options.base_url,
                     table=table, environ=environ)
    register_secret(config.api_key.get_secret_value())
    budget = LLMBudget(max_cost=options.max_cost, max_tokens=options.max_tokens,
                       max_calls=options.max_calls,
                       price=price_for(config.model, table.get("prices", {})))
    return MeteredModel(build(config), budget)
