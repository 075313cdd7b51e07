"""The model a session uses: the provider's client behind the budget, the retries and the record."""

from __future__ import annotations

from pathlib import Path

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


def open_model(
    provider: str,
    settings: Settings,
    *,
    model: str | None = None,
    base_url: str | None = None,
    max_cost: float | None = None,
    max_tokens: int | None = None,
    max_calls: int | None = None,
    out_dir: Path | None = None,
    replay: Path | None = None,
    cache: bool = True,
) -> GuardedModel:
    """The guarded model for a session; every bad setting is a ConfigError before any call.

    The response cache is used when both ``cache`` and ``[llm] cache`` allow it, and never
    in a replay."""
    name = model or settings.llm.model
    if not name:
        raise ConfigError(f"the {provider} planner needs a model: --model NAME (or [llm] model)")
    url = base_url or settings.llm.base_url
    key = "replay" if replay is not None else provider_key(provider, settings)
    client = make_model(provider, name, url, key, settings.llm.timeout)
    budget = LLMBudget(
        max_calls=max_calls, max_tokens=max_tokens, max_cost=max_cost, price=price_of(name, settings.llm.prices)
    )
    recorder = Recorder(out_dir / RECORD, replay) if out_dir is not None else None
    cached = cache and settings.llm.cache and replay is None and out_dir is not None
    return GuardedModel(
        client,
        budget,
        recorder,
        transient_errors(),
        cache=ResponseCache(settings.home / FILE, url or "") if cached else None,
        backoff=settings.llm.retry_backoff,
        unanswered=unanswered_errors(),
    )
