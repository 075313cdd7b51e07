"""Caps hold by construction: the usage the server reports never exceeds them."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from rfsn.errors import ConfigError
from rfsn.llm.base import LLMBudgetExhausted, Message
from rfsn.llm.budget import LLMBudget
from rfsn.llm.clients import build
from rfsn.llm.config import LLMConfig
from rfsn.llm.fake_server import FakeLLMServer, Scripted
from rfsn.llm.metered import MeteredModel
from rfsn.llm.prices import Price, price_for

UNUSABLE = Scripted(text="I am not sure what you mean. " * 400)  # ~2,800 tokens, never a patch


def _spend_until_exhausted(server: FakeLLMServer, provider: str, budget: LLMBudget) -> int:
    """A model loop that feeds every unusable reply back, as the planner does; returns calls."""
    url = server.anthropic_url if provider == "anthropic" else server.openai_url
    cfg = LLMConfig(provider=provider, model="m", base_url=url, api_key=SecretStr("k"))
    model = MeteredModel(build(cfg), budget, sleep=lambda s: None)
    messages = [Message(role="user", content="fix the bug in calc.py")]
    with pytest.raises(LLMBudgetExhausted):
        for _ in range(100):
            reply = model.complete(messages, max_tokens=1024)
            budget.unparseable += 1
            messages += [Message(role="assistant", content=reply.text[:600]),
                         Message(role="user", content="no diff or SEARCH/REPLACE block found")]
    return len(server.requests)


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
@pytest.mark.parametrize("cap", [500, 3000, 9000])
def test_token_cap_is_never_exceeded_by_reported_usage(provider: str, cap: int) -> None:
    with FakeLLMServer(default=UNUSABLE) as server:
        budget = LLMBudget(max_tokens=cap)
        calls = _spend_until_exhausted(server, provider, budget)
    assert server.reported_tokens <= cap
    assert budget.tokens == server.reported_tokens and budget.calls == calls >= 1
    assert all(r["body"]["max_tokens"] <= 1024 for r in server.requests)
    if cap < 1024:
        assert server.requests[0]["body"]["max_tokens"] < 1024  # lowered to what the cap pays


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_cost_cap_is_never_exceeded_by_reported_usage(provider: str) -> None:
    price = Price(input=3.0, output=15.0)
    with FakeLLMServer(default=UNUSABLE) as server:
        budget = LLMBudget(max_cost=0.05, price=price)
        _spend_until_exhausted(server, provider, budget)
    assert price.cost(server.reported_input, server.reported_output) <= 0.05
    assert budget.cost == pytest.approx(price.cost(server.reported_input, server.reported_output))


def test_call_cap_counts_failed_calls_too() -> None:
    with FakeLLMServer([Scripted(status=429)] * 2, default=UNUSABLE) as server:
        budget = LLMBudget(max_calls=3)
        assert _spend_until_exhausted(server, "openai", budget) == 3
    assert (budget.calls, budget.failed_calls, budget.unparseable) == (3, 2, 1)


def test_a_call_that_cannot_fit_is_not_made() -> None:
    with FakeLLMServer(default=UNUSABLE) as server:
        budget = LLMBudget(max_tokens=40)  # the prompt alone is estimated above this
        assert _spend_until_exhausted(server, "anthropic", budget) == 0


def test_max_cost_needs_a_price() -> None:
    with pytest.raises(ConfigError, match="needs a price"):
        LLMBudget(max_cost=1.0, price=price_for("unknown-model", {}))
    assert price_for("my-model", {"my-model": {"input": 1, "output": 2}}) == Price(input=1, output=2)
    assert price_for("gpt-4o-mini", {}) is not None
    with pytest.raises(ConfigError, match="invalid"):
        price_for("m", {"m": {"input": -1, "output": 2}})
