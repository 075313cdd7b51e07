"""Caps on model spending that hold by construction.

Before each call, :meth:`LLMBudget.authorize` takes a conservative estimate of the
prompt (its UTF-8 bytes: a token is never shorter than a byte for the BPE
vocabularies of these providers, plus a per-message allowance for the chat
template) and lowers the call's output limit to what is left of every cap. If
not even ``MIN_OUTPUT`` tokens fit, the call is not made. A call is counted when it
is authorized, so failed calls, retries and unparseable replies all count.
"""

from __future__ import annotations

import json
import math

from rfsn.errors import ConfigError
from rfsn.llm.base import LLMBudgetExhausted, Message, ToolSpec, Usage
from rfsn.llm.prices import Price

MIN_OUTPUT = 16
PER_MESSAGE = 16


def estimate_prompt(messages: list[Message], tools: list[ToolSpec] | None = None) -> int:
    """An upper bound on the input tokens of a request."""
    body = json.dumps([m.model_dump() for m in messages] + [t.model_dump() for t in tools or []])
    return len(body.encode("utf-8")) + PER_MESSAGE * (len(messages) + len(tools or []) + 1)


class LLMBudget:
    def __init__(self, *, max_cost: float | None = None, max_tokens: int | None = None,
                 max_calls: int | None = None, price: Price | None = None) -> None:
        if max_cost is not None and price is None:
            raise ConfigError("--max-cost needs a price for the model: add [llm.prices.\"MODEL\"] "
                              "input/output (USD per million tokens) to rfsn.toml")
        self.max_cost, self.max_tokens, self.max_calls = max_cost, max_tokens, max_calls
        self.price = price
        self.calls = 0
        self.failed_calls = 0
        self.unparseable = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.cost = 0.0

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def authorize(self, prompt_tokens: int, max_tokens: int) -> int:
        """Count one call and return its output limit; LLMBudgetExhausted if it cannot fit."""
        if self.max_calls is not None and self.calls >= self.max_calls:
            raise LLMBudgetExhausted(f"call budget spent ({self.calls} calls)")
        allowed = max_tokens
        if self.max_tokens is not None:
            allowed = min(allowed, self.max_tokens - self.tokens - prompt_tokens)
        if self.max_cost is not None and self.price is not None:
            left = self.max_cost - self.cost - prompt_tokens * self.price.input / 1_000_000
            if self.price.output > 0:
                allowed = min(allowed, math.floor(left * 1_000_000 / self.price.output))
            elif left < 0:
                allowed = 0
        if allowed < MIN_OUTPUT:
            raise LLMBudgetExhausted(
                f"the next call does not fit in the budget (about {prompt_tokens} prompt tokens; "
                f"spent {self.tokens} tokens, ${self.cost:.4f}, {self.calls} calls)")
        self.calls += 1
        return allowed

    def charge(self, usage: Usage) -> float:
        """Add a reply's reported usage; returns its cost."""
        self.input_tokens += usage.input_tokens
        self.output_tokens += usage.output_tokens
        cost = self.price.cost(usage.input_tokens, usage.output_tokens) if self.price else 0.0
        self.cost += cost
        return cost
