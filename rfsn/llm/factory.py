"""The model a session uses: the provider's client behind the budget, the retries and the record."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from rfsn.errors import ConfigError
from rfsn.llm.budget import GuardedModel, LLMBudget, price_of
from rfsn.llm.cache import FILE, ResponseCache
from rfsn.llm.clients import KEY_VARIABLES, make_model, transient_errors, unanswered_errors
from rfsn.llm.record import RECORD, Recorder
from rfsn.observability.logging import register_secret
from rfsn.settings import Settings


def provider_key(provider: str, settings: Settings) -> str:
    secret = settings.openai_api_key if provider == "openai" else settings.anthropic_api_key
    if secret is None or not secret.get_secret_value():
        raise ConfigError(f"the {provider} planner needs an API key: set {KEY_VARIABLES[provider]}")
    register_secret(secret.get_secret_value())
    return secret.get_secret_value()


class ModelRequest(BaseModel):
    """What a session asks of its model: which one, where, its caps, and where answers may come from."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(default=None, description="model name; None: the settings' ([llm] model)")
    base_url: str | None = Field(default=None, description="server base URL; None: the settings' ([llm] base_url)")
    max_cost: float | None = Field(default=None, gt=0, description="USD for model calls")
    max_tokens: int | None = Field(default=None, gt=0, description="model tokens, input plus output")
    max_calls: int | None = Field(default=None, gt=0, description="model calls")
    replay: Path | None = Field(default=None, description="answer every call from this session's record")
    cache: bool = Field(default=True, description="use the response cache (when [llm] cache allows it too)")


def open_model(
    provider: str, settings: Settings, request: ModelRequest | None = None, out_dir: Path | None = None
) -> GuardedModel:
    """The guarded model for a session; every bad setting is a ConfigError before any call.

    The response cache is used when both ``request.cache`` and ``[llm] cache`` allow it, and never
    in a replay."""
    request = request or ModelRequest()
    name = request.model or settings.llm.model
    if not name:
        raise ConfigError(f"the {provider} planner needs a model: --model NAME (or [llm] model)")
    url = request.base_url or settings.llm.base_url
    replay = request.replay
    key = "replay" if replay is not None else provider_key(provider, settings)
    client = make_model(provider, name, url, key, settings.llm.timeout)
    budget = LLMBudget(
        max_calls=request.max_calls,
        max_tokens=request.max_tokens,
        max_cost=request.max_cost,
        price=price_of(name, settings.llm.prices),
    )
    recorder = Recorder(out_dir / RECORD, replay) if out_dir is not None else None
    cached = request.cache and settings.llm.cache and replay is None and out_dir is not None
    return GuardedModel(
        client,
        budget,
        recorder,
        transient_errors(),
        cache=ResponseCache(settings.home / FILE, url or "") if cached else None,
        backoff=settings.llm.retry_backoff,
        unanswered=unanswered_errors(),
    )
