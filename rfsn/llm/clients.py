"""The two ChatModel implementations, on the official SDKs (imported when built, not before).

The SDKs' own retries are off (``max_retries=0``): :mod:`rfsn.llm.metered` retries,
so that every attempt is authorized and counted by the budget. SDK exceptions become
rfsn's: :class:`Retryable` (429, 5xx, connection) or a final LLMError.
"""

from __future__ import annotations

import json
from typing import Any

from rfsn.llm.base import (
    ChatModel,
    ChatReply,
    LLMAuthError,
    LLMError,
    LLMRequestError,
    Message,
    ToolCall,
    ToolSpec,
    Usage,
)
from rfsn.llm.config import LLMConfig


class Retryable(LLMError):
    """A failure worth another attempt: rate limit, overload, 5xx, no connection, timeout."""


def _translate(exc: Exception, sdk: Any, provider: str) -> LLMError:
    if isinstance(exc, sdk.APIConnectionError):  # includes APITimeoutError
        return Retryable(f"{provider}: connection failed: {type(exc).__name__}")
    if isinstance(exc, sdk.APIStatusError):
        status = exc.status_code
        line = f"{provider}: HTTP {status}: {_short(exc)}"
        if status == 429 or status >= 500:
            return Retryable(line)
        if status in (401, 403):
            return LLMAuthError(line)
        return LLMRequestError(line)
    return LLMError(f"{provider}: {type(exc).__name__}: {_short(exc)}")


def _short(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        message = error.get("message") if isinstance(error, dict) else None
        if message:
            return str(message).splitlines()[0][:200]
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


class AnthropicModel:
    provider = "anthropic"

    def __init__(self, config: LLMConfig) -> None:
        import anthropic

        self._sdk = anthropic
        self.model = config.model
        self._client = anthropic.Anthropic(api_key=config.api_key.get_secret_value(),
                                           base_url=config.base_url, max_retries=0,
                                           timeout=config.timeout)

    def complete(self, messages: list[Message], *, max_tokens: int,
                 tools: list[ToolSpec] | None = None) -> ChatReply:
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        kwargs: dict[str, Any] = {
            "model": self.model, "max_tokens": max_tokens,
            "messages": [{"role": m.role, "content": m.content} for m in messages if m.role != "system"],
        }
        if system:
            kwargs["system"] = system
        if tools:
            kwargs["tools"] = [{"name": t.name, "description": t.description,
                                "input_schema": t.parameters} for t in tools]
        try:
            resp = self._client.messages.create(**kwargs)
        except self._sdk.APIError as exc:
            raise _translate(exc, self._sdk, self.provider) from None
        text = "".join(b.text for b in resp.content if b.type == "text")
        calls = [ToolCall(name=b.name, arguments=dict(b.input)) for b in resp.content
                 if b.type == "tool_use"]
        usage = Usage(input_tokens=resp.usage.input_tokens, output_tokens=resp.usage.output_tokens)
        return ChatReply(text=text, tool_calls=calls, usage=usage, model=resp.model)


class OpenAIModel:
    provider = "openai"

    def __init__(self, config: LLMConfig) -> None:
        import openai

        self._sdk = openai
        self.model = config.model
        self._client = openai.OpenAI(api_key=config.api_key.get_secret_value(),
                                     base_url=config.base_url, max_retries=0,
                                     timeout=config.timeout)

    def complete(self, messages: list[Message], *, max_tokens: int,
                 tools: list[ToolSpec] | None = None) -> ChatReply:
        kwargs: dict[str, Any] = {
            "model": self.model, "max_tokens": max_tokens,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
        }
        if tools:
            kwargs["tools"] = [{"type": "function", "function": {
                "name": t.name, "description": t.description, "parameters": t.parameters}}
                for t in tools]
        try:
            resp = self._client.chat.completions.create(**kwargs)
        except self._sdk.APIError as exc:
            raise _translate(exc, self._sdk, self.provider) from None
        usage = Usage(input_tokens=resp.usage.prompt_tokens if resp.usage else 0,
                      output_tokens=resp.usage.completion_tokens if resp.usage else 0)
        if not resp.choices:
            return ChatReply(usage=usage, model=resp.model or self.model)
        message = resp.choices[0].message
        calls = []
        for call in message.tool_calls or []:
            function = getattr(call, "function", None)
            if function is None:
                continue
            try:
                arguments = json.loads(function.arguments or "{}")
            except json.JSONDecodeError:
                arguments = {"_unparsed": function.arguments}
            calls.append(ToolCall(name=function.name,
                                  arguments=arguments if isinstance(arguments, dict) else {}))
        return ChatReply(text=message.content or "", tool_calls=calls, usage=usage,
                         model=resp.model or self.model)


def build(config: LLMConfig) -> ChatModel:
    """The client for ``config.provider``; the SDK is imported here."""
    return AnthropicModel(config) if config.provider == "anthropic" else OpenAIModel(config)
