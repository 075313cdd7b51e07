"""A ChatModel that authorizes every attempt with the budget, retries what is worth it, counts all.

Retried, with exponential backoff and full jitter: 429, 5xx, connection errors and
timeouts (:class:`Retryable`). Never retried: authentication (401/403) and invalid
requests (400, 404, 422). Each attempt, failed or not, is one call for the budget.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import structlog

from rfsn.llm.base import (
    ChatModel,
    ChatReply,
    LLMBudgetExhausted,
    LLMUnavailable,
    Message,
    ToolSpec,
)
from rfsn.llm.budget import LLMBudget, estimate_prompt
from rfsn.llm.clients import Retryable
from rfsn.observability import metrics

log = structlog.get_logger(__name__)


class MeteredModel:
    def __init__(self, inner: ChatModel, budget: LLMBudget, *, attempts: int = 4,
                 backoff: float = 1.0, sleep: Callable[[float], None] = time.sleep) -> None:
        self.inner, self.budget = inner, budget
        self.provider, self.model = inner.provider, inner.model
        self.attempts, self.backoff, self.sleep = attempts, backoff, sleep
        self.retries = 0
        #: why the budget refused a call, once it did
        self.exhausted: str | None = None

    def complete(self, messages: list[Message], *, max_tokens: int,
                 tools: list[ToolSpec] | None = None) -> ChatReply:
        prompt = estimate_prompt(messages, tools)
        for attempt in range(1, self.attempts + 1):
            try:
                limit = self.budget.authorize(prompt, max_tokens)
            except LLMBudgetExhausted as exc:
                self.exhausted = str(exc)
                raise
            started = time.monotonic()
            try:
                reply = self.inner.complete(messages, max_tokens=limit, tools=tools)
            except Retryable as exc:
                self.budget.failed_calls += 1
                self._observe("retried" if attempt < self.attempts else "failed", started)
                log.warning("llm_call_failed", model=self.model, attempt=attempt, error=str(exc))
                if attempt == self.attempts:
                    raise LLMUnavailable(f"{exc} (gave up after {attempt} attempts)") from None
                self.retries += 1
                self.sleep(random.uniform(0, self.backoff * 2 ** (attempt - 1)))
                continue
            except Exception:
                self.budget.failed_calls += 1
                self._observe("failed", started)
                raise
            cost = self.budget.charge(reply.usage)
            self._observe("ok", started)
            labels = {"provider": self.provider, "model": self.model}
            metrics.LLM_TOKENS.labels(kind="input", **labels).inc(reply.usage.input_tokens)
            metrics.LLM_TOKENS.labels(kind="output", **labels).inc(reply.usage.output_tokens)
            metrics.LLM_COST.labels(**labels).inc(cost)
            log.info("llm_call", model=self.model, attempt=attempt, max_tokens=limit,
                     input_tokens=reply.usage.input_tokens, output_tokens=reply.usage.output_tokens,
                     cost=cost, seconds=round(time.monotonic() - started, 3))
            return reply
        raise AssertionError("unreachable")  # pragma: no cover

    def _observe(self, status: str, started: float) -> None:
        metrics.LLM_CALLS.labels(provider=self.provider, model=self.model, status=status).inc()
        metrics.LLM_CALL_SECONDS.labels(provider=self.provider, model=self.model).observe(
            time.monotonic() - started)
