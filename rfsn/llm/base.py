"""The ChatModel protocol and the data that crosses it.

    LLMError(RfsnError)          a model call that failed for good (exit 2 at the CLI)
    ├── LLMAuthError             the key was refused (401/403): never retried
    ├── LLMRequestError          the request was refused (400, 404, 422): never retried
    ├── LLMUnavailable           429, 5xx or no connection, after the retries ran out
    └── LLMBudgetExhausted       the next call would not fit in what is left of a cap
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from rfsn.errors import RfsnError


class LLMError(RfsnError):
    pass


class LLMAuthError(LLMError):
    pass


class LLMRequestError(LLMError):
    pass


class LLMUnavailable(LLMError):
    pass


class LLMBudgetExhausted(LLMError):
    pass


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Literal["system", "user", "assistant"]
    content: str


class ToolSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    parameters: dict[str, Any] = Field(description="JSON schema of the arguments")


class ToolCall(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class Usage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens


class ChatReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    model: str = ""


class ChatModel(Protocol):
    """One request, one reply. Implementations do not retry: ``metered`` does, counting."""

    provider: str
    model: str

    def complete(self, messages: list[Message], *, max_tokens: int,
                 tools: list[ToolSpec] | None = None) -> ChatReply: ...
