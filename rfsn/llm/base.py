"""What flows to and from a model: messages and tools in; text, tool calls and usage out.

The tool types are provider-neutral: each client maps them to its API (OpenAI
``tools``/``tool_calls``, Anthropic ``tools``/``tool_use`` blocks).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field


class Message(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: Literal["system", "user", "assistant"]
    content: str


class Tool(BaseModel):
    """A function the model may call: its name, what it does, and a JSON schema of its arguments."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str
    parameters: dict[str, Any]


class ToolCall(BaseModel):
    """One call the model made; ``arguments`` is the JSON text it wrote (it may not parse)."""

    name: str
    arguments: str = "{}"


class Reply(BaseModel):
    text: str
    input_tokens: int = Field(ge=0)
    output_tokens: int = Field(ge=0)
    model: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)


@runtime_checkable
class ChatModel(Protocol):
    """One chat completion per call; raises ``LLMError`` on a failure that is not transient,
    ``ToolsUnsupported`` when the server refuses a request because it has tools. ``timeout``:
    the seconds this call may wait for its answer (None: the client's own limit)."""

    provider: str
    model: str

    def complete(
        self,
        messages: list[Message],
        max_tokens: int,
        temperature: float,
        tools: Sequence[Tool] = (),
        timeout: float | None = None,
    ) -> Reply: ...
