"""The ``[llm]`` table of the settings: the model planners' provider, model, server and prices."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rfsn.settings.values import Seconds


class Price(BaseModel):
    """A model's price in USD per million tokens."""

    model_config = ConfigDict(extra="forbid")

    input: float = Field(ge=0)
    output: float = Field(ge=0)


class LLMSettings(BaseModel):
    """The ``[llm]`` table: the model planners' provider, model, server and prices."""

    model_config = ConfigDict(extra="forbid")

    provider: Literal["openai", "anthropic"] = Field(default="openai", description="the hybrid planner's provider")
    model: str | None = Field(default=None, description="model name (--model)")
    base_url: str | None = Field(default=None, description="server base URL (--base-url)")
    prices: dict[str, Price] = Field(default_factory=dict, description='USD per million tokens: [llm.prices."MODEL"]')
    cache: bool = Field(
        default=True,
        description="answer a request asked before from the response "
        "cache under the rfsn home (--no-cache turns it off)",
    )
    timeout: Seconds = Field(
        default=120.0, description="seconds for one model call; a call that takes longer is abandoned and retried"
    )
    retry_backoff: Seconds = Field(
        default=0.5,
        description="seconds: the scale of the jittered exponential backoff between retries (at most 16 times it)",
    )
