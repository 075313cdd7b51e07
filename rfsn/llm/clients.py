"""Chat models on the official SDKs: OpenAI Chat Completions and Anthropic Messages.

The SDK's own retries are off: ``GuardedModel`` retries, so that every attempt
is counted against the budget. Authentication and invalid-request errors are
final: an ``LLMError`` with one line; an invalid request that has tools and says
tools are not supported is a ``ToolsUnsupported`` (asked again without them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

from rfsn.errors import ConfigError, LLMError, ToolsUnsupported
from rfsn.llm.base import Message, Reply, Tool, ToolCall

#: where each provider's key comes from (read by rfsn.settings)
KEY_VARIABLES = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}
TIMEOUT = 120.0
#: what a server that takes no tools says in its 400 (OpenAI-compatible servers word it freely)
_NO_TOOLS = re.compile(
    r"tool.{0,40}(not|un)\s*(supported|available|allowed)|"
    r"(does not|doesn't|cannot|can't) (support|use|take|accept).{0,20}tool",
    re.I,
)


def _refused(provider: str, exc: BaseException, tools: Sequence[Tool]) -> LLMError:
    message = f"{provider} refused the request: {_first_line(exc)}"
    if tools and getattr(exc, "status_code", None) == 400 and _NO_TOOLS.search(str(exc)):
        return ToolsUnsupported(message)
    return LLMError(message)


def _check_base_url(base_url: str | None) -> None:
    if base_url is None:
        return
    parsed = urlparse(base_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"--base-url must be an http(s) URL such as http://127.0.0.1:8000/v1, not {base_url!r}")


class OpenAIChat:
    provider = "openai"

    def __init__(self, model: str, key: str, base_url: str | None = None, timeout: float = TIMEOUT) -> None:
        import openai

        self.model, self.timeout, self._errors = model, timeout, openai
        self._client = openai.OpenAI(api_key=key, base_url=base_url, max_retries=0, timeout=timeout)

    def complete(
        self,
        messages: list[Message],
        max_tokens: int,
        temperature: float,
        tools: Sequence[Tool] = (),
        timeout: float | None = None,
    ) -> Reply:
        extra = _limit(timeout, self.timeout) | (
            {"tools": [{"type": "function", "function": t.model_dump()} for t in tools]} if tools else {}
        )
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                max_tokens=max_tokens,
                temperature=temperature,
                messages=[m.model_dump() for m in messages],  # type: ignore[misc]
                **extra,
            )
        except (
            self._errors.AuthenticationError,
            self._errors.BadRequestError,
            self._errors.PermissionDeniedError,
            self._errors.NotFoundError,
        ) as exc:
            raise _refused(self.provider, exc, tools) from None
        usage = response.usage
        message = response.choices[0].message if response.choices else None
        functions = [getattr(c, "function", None) for c in (message.tool_calls or [])] if message else []
        calls = [ToolCall(name=f.name, arguments=f.arguments or "{}") for f in functions if f]
        return Reply(
            text=(message.content if message else "") or "",
            input_tokens=usage.prompt_tokens if usage else 0,
            output_tokens=usage.completion_tokens if usage else 0,
            model=response.model,
            tool_calls=calls,
        )


class AnthropicChat:
    provider = "anthropic"

    def __init__(self, model: str, key: str, base_url: str | None = None, timeout: float = TIMEOUT) -> None:
        import anthropic

        self.model, self.timeout, self._errors = model, timeout, anthropic
        self._client = anthropic.Anthropic(api_key=key, base_url=base_url, max_retries=0, timeout=timeout)

    def complete(
        self,
        messages: list[Message],
        max_tokens: int,
        temperature: float,
        tools: Sequence[Tool] = (),
        timeout: float | None = None,
    ) -> Reply:
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        chat: Any = [m.model_dump() for m in messages if m.role != "system"]
        extra = _limit(timeout, self.timeout) | (
            {"tools": [{"name": t.name, "description": t.description, "input_schema": t.parameters} for t in tools]}
            if tools
            else {}
        )
        try:
            # this SDK's Messages API takes no temperature: samples use the model's own
            response = self._client.messages.create(
                model=self.model, max_tokens=max_tokens, system=system, messages=chat, **extra
            )
        except (
            self._errors.AuthenticationError,
            self._errors.BadRequestError,
            self._errors.PermissionDeniedError,
            self._errors.NotFoundError,
        ) as exc:
            raise _refused(self.provider, exc, tools) from None
        text = "".join(getattr(block, "text", "") for block in response.content)
        calls = [
            ToolCall(name=block.name, arguments=json.dumps(block.input))
            for block in response.content
            if block.type == "tool_use"
        ]
        return Reply(
            text=text,
            input_tokens=response.usage.input_tokens,
            output_tokens=response.usage.output_tokens,
            model=response.model,
            tool_calls=calls,
        )


def _limit(timeout: float | None, client: float) -> dict[str, Any]:
    """The request's timeout: the caller's where it is shorter than the client's own."""
    return {"timeout": client if timeout is None else min(timeout, client)}


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def make_model(
    provider: str, model: str, base_url: str | None, key: str, timeout: float = TIMEOUT
) -> OpenAIChat | AnthropicChat:
    """A client for ``provider``; an unknown provider or a malformed base URL is a ConfigError."""
    _check_base_url(base_url)
    if provider == "openai":
        return OpenAIChat(model, key, base_url, timeout)
    if provider == "anthropic":
        return AnthropicChat(model, key, base_url, timeout)
    raise ConfigError(f"unknown model provider {provider!r} (known: {', '.join(KEY_VARIABLES)})")


def transient_errors() -> tuple[type[BaseException], ...]:
    """Rate limits, overload, 5xx and connection failures of either SDK: worth retrying."""
    import anthropic
    import openai

    return (
        openai.RateLimitError,
        openai.InternalServerError,
        openai.APIConnectionError,
        anthropic.RateLimitError,
        anthropic.InternalServerError,
        anthropic.APIConnectionError,
    )


def unanswered_errors() -> tuple[type[BaseException], ...]:
    """Failures after which the server may still have done (and billed) the work: the client
    gave up waiting. Such a call is charged its whole reservation."""
    import anthropic
    import openai

    return (openai.APITimeoutError, anthropic.APITimeoutError)
