"""Budgets that hold by construction, and the guard every model call goes through.

Before a call, a conservative estimate of the prompt (two characters a token, scaled up
whenever a server reported more input than estimated) plus the output limit must fit what is
left of the token and money budgets: the output limit is lowered to what is left, and if even
a short reply does not fit, no call is made (``BudgetExhausted``). Every attempt counts as a
call (retries and unparsable replies included); the usage the server reports is added after
each reply. A cached reply counts as a call (status ``cached``) but costs nothing.

Retried, with jittered exponential backoff: the transient errors the client names (rate
limits, overload, 5xx, connection failures); after the last attempt they end as a one-line
``LLMError``. Never retried: every other error. A server that refuses tools is asked again
without them, and not offered tools again this session. A call never waits past the time the
session has left: one cut by it, or asked with none left, is ``BudgetExhausted``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, Field
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from rfsn.errors import BudgetExhausted, ConfigError, LLMError, ToolsUnsupported
from rfsn.llm.base import ChatModel, Message, Reply, Tool
from rfsn.llm.cache import ResponseCache
from rfsn.llm.record import Recorder, request_key
from rfsn.observability.logging import get_logger
from rfsn.observability.metrics import LLM_CALLS, LLM_COST, LLM_SECONDS, LLM_TOKENS
from rfsn.settings.llm import Price

log = get_logger(__name__)
#: the shortest reply worth asking for
MIN_OUTPUT = 64
ATTEMPTS = 4


#: built-in prices (USD per million tokens); ``[llm.prices."model"]`` in rfsn.toml adds or overrides
BUILTIN_PRICES: dict[str, Price] = {
    "gpt-4o": Price(input=2.5, output=10.0),
    "gpt-4o-mini": Price(input=0.15, output=0.6),
    "gpt-4.1": Price(input=2.0, output=8.0),
    "gpt-4.1-mini": Price(input=0.4, output=1.6),
    "claude-sonnet-4-5": Price(input=3.0, output=15.0),
    "claude-opus-4-1": Price(input=15.0, output=75.0),
    "claude-haiku-4-5": Price(input=1.0, output=5.0),
}


def price_of(model: str, table: dict[str, Price]) -> Price | None:
    return {**BUILTIN_PRICES, **table}.get(model)


def estimate_tokens(messages: list[Message]) -> int:
    """An over-estimate of the prompt's tokens: two characters a token, plus framing."""
    return sum(math.ceil(len(m.content) / 2) + 8 for m in messages) + 16


class LLMBudget(BaseModel):
    max_calls: int | None = Field(default=None, gt=0)
    max_tokens: int | None = Field(default=None, gt=0, description="input plus output, whole session")
    max_cost: float | None = Field(default=None, gt=0, description="USD, whole session")
    price: Price | None = None
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0

    def model_post_init(self, __context: object) -> None:
        if self.max_cost is not None and self.price is None:
            raise ConfigError(
                '--max-cost needs a price for the model: add [llm.prices."MODEL"] '
                "(input, output in USD per million tokens) to rfsn.toml"
            )

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def allowance(self, prompt: int, wanted: int) -> int:
        """The output limit this call may have, or BudgetExhausted if it may not be made."""
        if self.max_calls is not None and self.calls >= self.max_calls:
            raise BudgetExhausted(f"model call budget spent ({self.calls} calls)")
        allowed = wanted
        if self.max_tokens is not None:
            allowed = min(allowed, self.max_tokens - self.tokens - prompt)
        if self.max_cost is not None and self.price is not None:
            left = self.max_cost - self.cost - prompt * self.price.input / 1e6
            allowed = min(allowed, math.floor(left * 1e6 / self.price.output) if left > 0 else 0)
        if allowed < MIN_OUTPUT:
            raise BudgetExhausted(
                f"model budget spent ({self.tokens} tokens, ${self.cost:.4f}, "
                f"{self.calls} calls): the next call could overspend it"
            )
        return allowed

    def totals(self) -> dict[str, Any]:
        """The session's model accounting, as result.json keeps it."""
        return {
            "tokens": self.tokens,
            "cost": round(self.cost, 6),
            "llm_calls": self.calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
        }

    def charge(self, prompt: int, limit: int) -> None:
        """A call abandoned unanswered: the server may have spent the whole reservation."""
        self.record(Reply(text="", input_tokens=prompt, output_tokens=limit))

    def record(self, reply: Reply) -> None:
        self.input_tokens += reply.input_tokens
        self.output_tokens += reply.output_tokens
        if self.price is not None:
            self.cost += (reply.input_tokens * self.price.input + reply.output_tokens * self.price.output) / 1e6


class GuardedModel:
    """A ChatModel behind the budget, retries of transient failures, the cache and the record."""

    def __init__(
        self,
        model: ChatModel,
        budget: LLMBudget,
        recorder: Recorder | None = None,
        transient: tuple[type[BaseException], ...] = (),
        *,
        cache: ResponseCache | None = None,
        backoff: float = 0.5,
        unanswered: tuple[type[BaseException], ...] = (),
    ) -> None:
        self.inner, self.budget, self.recorder, self.transient = model, budget, recorder, transient
        #: failures after which the server may still have billed the call (client timeouts)
        self.unanswered = unanswered
        self.cache, self.backoff = cache, backoff
        self.provider, self.model = model.provider, model.model
        #: how far the server's input counts have exceeded the estimate (never below 1)
        self.ratio = 1.0
        #: False once the server refused a request for its tools
        self.tools_accepted = True
        #: the seconds the session has left (None: no clock); no call waits past them
        self.seconds_left: Callable[[], float] | None = None

    def complete(
        self,
        messages: list[Message],
        max_tokens: int,
        temperature: float,
        tools: Sequence[Tool] = (),
        timeout: float | None = None,
    ) -> Reply:
        retrying = Retrying(
            retry=retry_if_exception_type(self.transient),
            stop=stop_after_attempt(ATTEMPTS),
            reraise=True,
            wait=wait_random_exponential(multiplier=self.backoff, max=16 * self.backoff),
        )
        try:
            for attempt in retrying:
                with attempt:
                    try:
                        offered = tools if self.tools_accepted else ()
                        return self._once(messages, max_tokens, temperature, offered, timeout)
                    except ToolsUnsupported:
                        log.info("llm.tools_unsupported", model=self.model)
                        self.tools_accepted = False
                        return self._once(messages, max_tokens, temperature, (), timeout)
        except self.transient as exc:
            line = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
            raise LLMError(f"{self.provider} still failing after {ATTEMPTS} attempts: {line}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _answer(
        self,
        key: str,
        request: dict[str, Any],
        messages: list[Message],
        limit: int,
        temperature: float,
        tools: Sequence[Tool],
        timeout: float | None,
    ) -> tuple[Reply, bool]:
        """The reply, and whether it came free (from the cache, or a cached one replayed)."""
        if self.recorder is not None and self.recorder.replaying:
            return self.recorder.replay(key, request)
        cached = self.cache.get(key) if self.cache is not None else None
        if cached is not None:
            return cached, True
        reply = self.inner.complete(messages, limit, temperature, tools, timeout=timeout)
        if self.cache is not None:
            self.cache.put(key, reply)
        return reply, False

    def _time_left(self, asked: float | None = None) -> float | None:
        """The seconds a call may wait (``asked``, cut to the session's); BudgetExhausted when
        the session has none left."""
        if self.seconds_left is None:
            return asked
        left = self.seconds_left()
        if left <= 0:
            raise BudgetExhausted("time budget spent waiting for the model")
        return left if asked is None else min(asked, left)

    def _once(
        self, messages: list[Message], max_tokens: int, temperature: float, tools: Sequence[Tool], asked: float | None
    ) -> Reply:
        estimate = estimate_tokens(messages) + sum(math.ceil(len(t.model_dump_json()) / 2) for t in tools)
        prompt = math.ceil(estimate * self.ratio)
        limit, timeout = self.budget.allowance(prompt, max_tokens), self._time_left(asked)
        key, request = request_key(self.provider, self.model, messages, limit, temperature, tools)
        self.budget.calls += 1
        started = time.monotonic()
        try:
            reply, free = self._answer(key, request, messages, limit, temperature, tools, timeout)
        except BaseException as exc:
            LLM_CALLS.labels(self.model, "error").inc()
            log.info("llm.call_failed", model=self.model, error=type(exc).__name__)
            if isinstance(exc, self.unanswered):
                self.budget.charge(prompt, limit)
            if isinstance(exc, self.transient):
                self._time_left()  # a call the session's clock cut is not tried again
            raise
        LLM_SECONDS.labels(self.model).observe(time.monotonic() - started)
        LLM_CALLS.labels(self.model, "cached" if free else "ok").inc()
        if self.recorder is not None and not self.recorder.replaying:
            self.recorder.write(key, request, reply, cached=free)
        log.info(
            "llm.call",
            model=self.model,
            input_tokens=reply.input_tokens,
            output_tokens=reply.output_tokens,
            max_tokens=limit,
            cached=free,
            tool_calls=len(reply.tool_calls),
        )
        if free:
            return reply
        self.budget.record(reply)
        self.ratio = max(self.ratio, reply.input_tokens / estimate)
        LLM_TOKENS.labels(self.model, "input").inc(reply.input_tokens)
        LLM_TOKENS.labels(self.model, "output").inc(reply.output_tokens)
        if self.budget.price is not None:
            LLM_COST.labels(self.model).inc(
                (reply.input_tokens * self.budget.price.input + reply.output_tokens * self.budget.price.output) / 1e6
            )
        return reply
