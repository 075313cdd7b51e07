"""The model layer through the real anthropic and openai SDK clients, against a loopback server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rfsn.errors import BudgetExhausted, ConfigError, LLMError
from rfsn.llm.base import Message
from rfsn.llm.budget import GuardedModel, LLMBudget
from rfsn.llm.clients import make_model, transient_errors
from rfsn.llm.factory import ModelRequest, open_model
from rfsn.llm.fake_server import FakeServer, Scripted
from rfsn.llm.record import RECORD, Recorder
from rfsn.settings import Settings
from rfsn.settings.llm import Price

ASK = [Message(role="system", content="be brief"), Message(role="user", content="fix it")]
KEY = "sk-test-0123456789abcdefghijklmnop"


def guarded(
    server: FakeServer, provider: str, budget: LLMBudget | None = None, recorder: Recorder | None = None
) -> GuardedModel:
    client = make_model(provider, "m", server.base_url(provider), KEY)
    return GuardedModel(client, budget or LLMBudget(), recorder, transient_errors(), backoff=0.01)


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_text_and_usage_come_back_through_the_sdk(provider: str) -> None:
    with FakeServer([Scripted(text="hello", input_tokens=11, output_tokens=7)]) as server:
        model = guarded(server, provider)
        reply = model.complete(ASK, 300, 0.0)
    assert reply.text == "hello" and (reply.input_tokens, reply.output_tokens) == (11, 7)
    assert model.budget.totals() == {"tokens": 18, "cost": 0.0, "llm_calls": 1, "input_tokens": 11, "output_tokens": 7}
    body = server.requests[0]
    assert body["model"] == "m" and body["max_tokens"] == 300
    if provider == "anthropic":
        assert body["system"] == "be brief" and body["messages"] == [{"role": "user", "content": "fix it"}]


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
@pytest.mark.parametrize("status", [429, 500])
def test_rate_limits_and_server_errors_are_retried_and_counted(provider: str, status: int) -> None:
    with FakeServer([Scripted(status=status), Scripted(status=status), Scripted(text="ok")]) as server:
        model = guarded(server, provider)
        assert model.complete(ASK, 100, 0.0).text == "ok"
    assert len(server.requests) == 3 and model.budget.calls == 3


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
@pytest.mark.parametrize("status", [429, 500])
def test_a_server_that_keeps_failing_is_one_line_after_the_last_attempt(provider: str, status: int) -> None:
    with FakeServer([Scripted(status=status, text="overloaded")]) as server:
        model = guarded(server, provider)
        with pytest.raises(LLMError, match=f"{provider} still failing after 4 attempts") as info:
            model.complete(ASK, 100, 0.0)
    assert len(server.requests) == 4 and model.budget.calls == 4 and "\n" not in str(info.value)


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
@pytest.mark.parametrize("status", [401, 400])
def test_auth_and_invalid_requests_are_never_retried(provider: str, status: int) -> None:
    with FakeServer([Scripted(status=status), Scripted(text="never")]) as server:
        model = guarded(server, provider)
        with pytest.raises(LLMError, match=f"{provider} refused the request") as info:
            model.complete(ASK, 100, 0.0)
    assert len(server.requests) == 1 and "\n" not in str(info.value)


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_a_token_cap_holds_even_when_every_reply_is_useless(provider: str) -> None:
    """The server answers garbage and reports usage; the sum it reported never exceeds the cap."""
    cap = 5_000
    with FakeServer([Scripted(text="no idea", input_tokens=400, output_tokens=300)]) as server:
        # ASK * 20 estimates at ~600 prompt tokens: the server's 400 are within it
        model = guarded(server, provider, LLMBudget(max_tokens=cap))
        with pytest.raises(BudgetExhausted):
            for _ in range(1000):
                model.complete(ASK * 20, 2048, 0.0)
    reported = sum(400 + 300 for _ in server.requests)
    assert reported <= cap and model.budget.tokens == reported
    # the output limit was lowered to what the budget could still pay for
    assert min(body["max_tokens"] for body in server.requests) < 2048


def test_a_cost_cap_holds_and_needs_a_price() -> None:
    with pytest.raises(ConfigError, match="needs a price"):
        LLMBudget(max_cost=1.0)
    price = Price(input=3.0, output=15.0)
    with FakeServer([Scripted(text="x", input_tokens=30, output_tokens=1000)]) as server:
        model = guarded(server, "openai", LLMBudget(max_cost=0.1, price=price))
        with pytest.raises(BudgetExhausted):
            for _ in range(1000):
                model.complete(ASK, 1000, 0.0)
    spent = sum(30 * 3.0 + min(1000, body["max_tokens"]) * 15.0 for body in server.requests) / 1e6
    assert abs(model.budget.cost - spent) < 1e-9 and spent <= 0.1
    assert server.requests[-1]["max_tokens"] < 1000  # the last call was cut to what was left


def test_a_server_that_counts_more_input_than_estimated_raises_the_estimate() -> None:
    with FakeServer([Scripted(text="x", input_tokens=500, output_tokens=10)]) as server:
        model = guarded(server, "openai", LLMBudget(max_tokens=20_000))
        model.complete(ASK, 100, 0.0)
    assert model.ratio > 5  # ASK estimates at well under 100 tokens


def test_a_call_cap_holds() -> None:
    with FakeServer([Scripted(text="x")]) as server:
        model = guarded(server, "anthropic", LLMBudget(max_calls=2))
        model.complete(ASK, 100, 0.0)
        model.complete(ASK, 100, 0.0)
        with pytest.raises(BudgetExhausted, match="call budget"):
            model.complete(ASK, 100, 0.0)
    assert len(server.requests) == 2


def test_replay_answers_from_the_record_with_the_server_gone(tmp_path: Path) -> None:
    with FakeServer([Scripted(text="first"), Scripted(text="second")]) as server:
        live = guarded(server, "openai", recorder=Recorder(tmp_path / "live" / RECORD))
        answers = [live.complete(ASK, 100, 0.0).text, live.complete(ASK, 100, 0.7).text]
    replayed = guarded(server, "openai", recorder=Recorder(tmp_path / "again" / RECORD, replay_from=tmp_path / "live"))
    assert [replayed.complete(ASK, 100, 0.0).text, replayed.complete(ASK, 100, 0.7).text] == answers
    with pytest.raises(ConfigError, match="holds no answer"):
        replayed.complete([Message(role="user", content="something new")], 100, 0.0)


def test_missing_keys_models_and_bad_urls_are_config_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="set OPENAI_API_KEY"):
        open_model("openai", Settings(), ModelRequest(model="m"))
    keyed = Settings(openai_api_key=KEY)
    with pytest.raises(ConfigError, match="needs a model"):
        open_model("openai", keyed)
    with pytest.raises(ConfigError, match="--base-url must be an http"):
        open_model("openai", keyed, ModelRequest(model="m", base_url="localhost:8000"))


def test_the_key_never_reaches_the_record_or_the_events(tmp_path: Path) -> None:
    from structlog.testing import capture_logs

    with FakeServer([Scripted(text=f"echo {KEY}")]) as server:
        settings = Settings(openai_api_key=KEY, home=tmp_path / "home")
        model = open_model(
            "openai", settings, ModelRequest(model="m", base_url=server.base_url("openai")), out_dir=tmp_path
        )
        with capture_logs() as events:
            model.complete(ASK, 100, 0.0)
    headers = {k.lower(): v for k, v in server.headers[0].items()}
    assert headers["authorization"] == f"Bearer {KEY}"  # it went to the server only
    record = (tmp_path / RECORD).read_text()
    assert KEY not in json.dumps(json.loads(record.splitlines()[0])["request"])
    assert events and KEY not in json.dumps(events, default=str)  # logged, and never the key


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_a_call_abandoned_on_timeout_is_charged_its_reservation(provider: str) -> None:
    """The client gives up waiting, the server finishes and bills anyway: the budget charges the
    abandoned call's whole reservation, so what it counts never falls below what was spent."""
    from rfsn.llm.clients import unanswered_errors

    slow = Scripted(text="late", input_tokens=40, output_tokens=60, delay=1.5)
    with FakeServer([slow, Scripted(text="ok", input_tokens=40, output_tokens=60)]) as server:
        client = make_model(provider, "m", server.base_url(provider), KEY, 0.3)
        budget = LLMBudget(max_tokens=2000)
        model = GuardedModel(client, budget, None, transient_errors(), backoff=0.01, unanswered=unanswered_errors())
        assert model.complete(ASK, 100, 0.0).text == "ok"
    billed = 2 * (40 + 60)  # the server worked through (and billed) both requests
    assert budget.calls == 2 and budget.tokens >= billed
    assert budget.output_tokens == 100 + 60  # the abandoned call: its whole output limit


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_no_call_waits_past_the_time_the_session_has_left_humanize_e5a3976(provider: str) -> None:
    """A session's time budget holds across a model call: a slow answer is cut when the session's
    clock runs out (BudgetExhausted, not tried again), and no call is made with no time left."""
    import time

    from rfsn.llm.clients import unanswered_errors

    with FakeServer([Scripted(text="late", delay=20)]) as server:
        model = GuardedModel(
            make_model(provider, "m", server.base_url(provider), KEY),
            LLMBudget(),
            None,
            transient_errors(),
            backoff=0.01,
            unanswered=unanswered_errors(),
        )
        deadline = time.monotonic() + 1.0
        model.seconds_left = lambda: deadline - time.monotonic()
        with pytest.raises(BudgetExhausted, match="time budget spent waiting for the model"):
            model.complete(ASK, 100, 0.0)
        waited = time.monotonic() - deadline
        assert waited < 3.0 and len(server.requests) == 1 and model.budget.calls == 1
        with pytest.raises(BudgetExhausted, match="time budget spent"):
            model.complete(ASK, 100, 0.0)
        assert len(server.requests) == 1 and model.budget.calls == 1  # none asked with no time left
