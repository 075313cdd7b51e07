"""The real Anthropic and OpenAI SDK clients against the loopback fake server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from rfsn.errors import ConfigError
from rfsn.llm import config as llm_config
from rfsn.llm.base import LLMAuthError, LLMRequestError, LLMUnavailable, Message, ToolSpec
from rfsn.llm.budget import LLMBudget
from rfsn.llm.clients import build
from rfsn.llm.config import LLMConfig
from rfsn.llm.fake_server import FakeLLMServer, Scripted
from rfsn.llm.metered import MeteredModel

KEY = "sk-test-secret-0123456789"
PROMPT = [Message(role="system", content="you fix bugs"), Message(role="user", content="fix it")]
EDIT = ToolSpec(name="edit", description="replace text",
                parameters={"type": "object", "properties": {"old": {"type": "string"}}})


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as srv:
        yield srv


def _model(server: FakeLLMServer, provider: str, budget: LLMBudget | None = None) -> MeteredModel:
    url = server.anthropic_url if provider == "anthropic" else server.openai_url
    cfg = LLMConfig(provider=provider, model="fake-model", base_url=url, api_key=SecretStr(KEY))
    return MeteredModel(build(cfg), budget or LLMBudget(), sleep=lambda s: None)


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_text_tool_calls_and_usage_come_back_through_the_sdk(server: FakeLLMServer,
                                                             provider: str) -> None:
    server.script = [Scripted(text="hello", tool_calls=[{"name": "edit", "arguments": {"old": "x"}}],
                              input_tokens=11, output_tokens=7)]
    budget = LLMBudget()
    reply = _model(server, provider, budget).complete(PROMPT, max_tokens=100, tools=[EDIT])
    assert reply.text == "hello"
    assert [(c.name, c.arguments) for c in reply.tool_calls] == [("edit", {"old": "x"})]
    assert (reply.usage.input_tokens, reply.usage.output_tokens) == (11, 7)
    assert (budget.input_tokens, budget.output_tokens, budget.calls) == (11, 7, 1)
    body = server.requests[0]["body"]
    assert body["max_tokens"] == 100 and body["model"] == "fake-model"
    if provider == "anthropic":
        assert body["system"] == "you fix bugs" and body["tools"][0]["input_schema"]
    else:
        assert body["messages"][0]["role"] == "system" and body["tools"][0]["type"] == "function"


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
@pytest.mark.parametrize("status", [429, 500])
def test_rate_limits_and_server_errors_are_retried_and_counted(server: FakeLLMServer,
                                                               provider: str, status: int) -> None:
    server.script = [Scripted(status=status), Scripted(status=status), Scripted(text="ok")]
    budget = LLMBudget()
    model = _model(server, provider, budget)
    assert model.complete(PROMPT, max_tokens=50).text == "ok"
    assert len(server.requests) == 3
    assert (budget.calls, budget.failed_calls, model.retries) == (3, 2, 2)


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_retries_give_up_with_one_line(server: FakeLLMServer, provider: str) -> None:
    server.default = Scripted(status=503, text="overloaded")
    with pytest.raises(LLMUnavailable, match="gave up after 4 attempts") as info:
        _model(server, provider).complete(PROMPT, max_tokens=50)
    assert len(server.requests) == 4 and "\n" not in str(info.value)


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
@pytest.mark.parametrize(("status", "error"), [(401, LLMAuthError), (400, LLMRequestError)])
def test_auth_and_invalid_requests_are_never_retried(server: FakeLLMServer, provider: str,
                                                     status: int, error: type[Exception]) -> None:
    server.default = Scripted(status=status, text="bad key or request")
    with pytest.raises(error, match=f"HTTP {status}: bad key or request") as info:
        _model(server, provider).complete(PROMPT, max_tokens=50)
    assert len(server.requests) == 1
    assert KEY not in str(info.value) and "\n" not in str(info.value)


def test_connection_refused_is_retried_then_unavailable() -> None:
    with FakeLLMServer() as srv:
        url = srv.openai_url
    cfg = LLMConfig(provider="openai", model="m", base_url=url, api_key=SecretStr(KEY))
    budget = LLMBudget()
    with pytest.raises(LLMUnavailable, match="connection failed"):
        MeteredModel(build(cfg), budget, attempts=2, sleep=lambda s: None).complete(
            PROMPT, max_tokens=50)
    assert (budget.calls, budget.failed_calls) == (2, 2)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"provider": "gemini"}, "unknown model provider 'gemini'"),
    ({"provider": "openai", "environ": {}}, "no API key for openai: set OPENAI_API_KEY"),
    ({"provider": "anthropic", "base_url": "localhost:8000"}, "malformed --base-url"),
    ({"provider": "anthropic", "base_url": "http://h:notaport/v1"}, "malformed --base-url"),
])
def test_configuration_mistakes_are_one_line_errors(kwargs: dict, message: str) -> None:
    args = {"model": None, "base_url": None, "table": {},
            "environ": {"ANTHROPIC_API_KEY": KEY, "OPENAI_API_KEY": KEY}} | kwargs
    provider = args.pop("provider")
    with pytest.raises(ConfigError, match=message):
        llm_config.resolve(provider, **args)


def test_key_and_model_come_from_the_table_or_the_environment() -> None:
    cfg = llm_config.resolve("openai", model=None, base_url="http://127.0.0.1:9/v1/",
                             table={"model": "m1"}, environ={"OPENAI_API_KEY": KEY})
    assert (cfg.model, cfg.base_url, cfg.api_key.get_secret_value()) == (
        "m1", "http://127.0.0.1:9/v1", KEY)
    assert KEY not in repr(cfg)
    cfg = llm_config.resolve("anthropic", model="x", base_url=None,
                             table={"anthropic_api_key": "k2"}, environ={})
    assert (cfg.model, cfg.api_key.get_secret_value()) == ("x", "k2")
