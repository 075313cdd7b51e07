"""Which provider, model, base URL and key a session uses; every mistake is one line, early.

Sources, highest first: the flags (``--model``, ``--base-url``), the ``[llm]`` table of
rfsn.toml (``model``, ``base_url``, ``anthropic_api_key``/``openai_api_key``), then the
providers' own variables ``ANTHROPIC_API_KEY`` / ``OPENAI_API_KEY``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from rfsn.errors import ConfigError

Provider = Literal["anthropic", "openai"]
PROVIDERS: tuple[Provider, ...] = ("anthropic", "openai")
DEFAULT_MODELS: dict[str, str] = {"anthropic": "claude-sonnet-4-5", "openai": "gpt-4o-mini"}
KEY_VARIABLES: dict[str, str] = {"anthropic": "ANTHROPIC_API_KEY", "openai": "OPENAI_API_KEY"}


class LLMConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: Provider
    model: str = Field(min_length=1)
    base_url: str | None = Field(default=None, description="passed to the SDK as its base URL")
    api_key: SecretStr = Field(description="never printed: SecretStr hides it in reprs")
    timeout: float = Field(default=120.0, gt=0, description="seconds for one HTTP request")


def check_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"malformed --base-url {url!r}: expected http(s)://host[:port][/path]")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ConfigError(f"malformed --base-url {url!r}: {exc}") from None
    return url.rstrip("/")


def resolve(provider: str, *, model: str | None, base_url: str | None,
            table: Mapping[str, Any], environ: Mapping[str, str]) -> LLMConfig:
    """The configuration for ``provider``; ConfigError for an unknown one, a bad URL, no key."""
    if provider not in PROVIDERS:
        raise ConfigError(f"unknown model provider {provider!r} (known: {', '.join(PROVIDERS)})")
    url = base_url or table.get("base_url")
    key = table.get(f"{provider}_api_key") or environ.get(KEY_VARIABLES[provider])
    if not key:
        raise ConfigError(f"no API key for {provider}: set {KEY_VARIABLES[provider]} "
                          f"or {provider}_api_key in the [llm] table of rfsn.toml")
    return LLMConfig(provider=provider, model=model or table.get("model") or DEFAULT_MODELS[provider],
                     base_url=check_base_url(url) if url else None, api_key=SecretStr(key),
                     timeout=float(table.get("timeout", 120.0)))
