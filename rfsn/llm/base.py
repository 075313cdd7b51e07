"""What flows to and from a model: messages in, text and usage out."""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field


class Message(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: Literal["system", "user", "assistant"]
    content: str


class Reply(BaseModel):
    text: str
    input_tokens: int = Field(ge=0)
    output_tokens: int = Field(ge=0)
    model: str = ""


@runtime_checkable
class ChatModel(Protocol):
    """One chat completion per call; raises ``LLMError`` on a failure that is not transient."""

    provider: str
    model: str

    def complete(self, messages: list[Message], max_tokens: int, temperature: float) -> Reply: ...
