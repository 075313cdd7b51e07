"""Native tool calling through the real openai and anthropic SDKs, against the loopback server:
tool calls come back provider-neutral, become the same edits as SEARCH/REPLACE blocks, and a
server that takes no tools still gets the plain-text fallbacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rfsn.errors import ConfigError, LLMError, ToolsUnsupported
from rfsn.llm.base import Reply, ToolCall
from rfsn.llm.budget import GuardedModel, LLMBudget
from rfsn.llm.clients import make_model, transient_errors
from rfsn.llm.fake_server import FakeServer, Scripted
from rfsn.llm.record import RECORD, Recorder
from rfsn.planners.patch.replies import EDIT_TOOL, ReplyError, parse_edits, reply_edits
from tests.llm.test_models import ASK, KEY

FILES = {"shop/pricing.py": "def f(q):\n    if q > 10:\n        return 1\n    return 0\n"}
EDIT = {"path": "shop/pricing.py", "search": "    if q > 10:", "replace": "    if q >= 10:"}
BLOCK = f"shop/pricing.py\n<<<<<<< SEARCH\n{EDIT['search']}\n=======\n{EDIT['replace']}\n>>>>>>> REPLACE\n"


def guarded(server: FakeServer, provider: str, recorder: Recorder | None = None) -> GuardedModel:
    client = make_model(provider, "m", server.base_url(provider), KEY)
    return GuardedModel(client, LLMBudget(), recorder, transient_errors(), backoff=0.01)


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_tool_calls_come_back_through_the_sdk(provider: str) -> None:
    script = Scripted(
        text="Fixing the bound.", tool_calls=(("replace_in_file", EDIT),), input_tokens=40, output_tokens=20
    )
    with FakeServer([script]) as server:
        reply = guarded(server, provider).complete(ASK, 300, 0.0, tools=[EDIT_TOOL])
    assert [call.name for call in reply.tool_calls] == ["replace_in_file"]
    assert json.loads(reply.tool_calls[0].arguments) == EDIT
    assert reply.text == "Fixing the bound." and (reply.input_tokens, reply.output_tokens) == (40, 20)
    (offered,) = server.requests[0]["tools"]
    if provider == "openai":
        assert offered == {"type": "function", "function": EDIT_TOOL.model_dump()}
    else:
        assert offered == {
            "name": EDIT_TOOL.name,
            "description": EDIT_TOOL.description,
            "input_schema": EDIT_TOOL.parameters,
        }


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_a_server_without_tools_is_asked_again_without_them(provider: str) -> None:
    with FakeServer([Scripted(text=BLOCK)], tools=False) as server:
        model = guarded(server, provider)
        reply = model.complete(ASK, 300, 0.0, tools=[EDIT_TOOL])
        model.complete(ASK, 300, 0.0, tools=[EDIT_TOOL])
    # the refused request and its retry without tools; then no tools are offered again
    assert ["tools" in body for body in server.requests] == [True, False, False]
    assert model.budget.calls == 3 and not model.tools_accepted
    assert reply_edits(reply, FILES)["shop/pricing.py"].count(">= 10") == 1


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_an_invalid_request_that_is_not_about_tools_is_final(provider: str) -> None:
    with FakeServer([Scripted(status=400, text="max_tokens is too large")]) as server:
        model = guarded(server, provider)
        with pytest.raises(LLMError, match="too large") as info:
            model.complete(ASK, 300, 0.0, tools=[EDIT_TOOL])
    assert not isinstance(info.value, ToolsUnsupported) and len(server.requests) == 1


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_tools_and_tool_calls_are_recorded_and_replayed(provider: str, tmp_path: Path) -> None:
    with FakeServer([Scripted(tool_calls=(("replace_in_file", EDIT),))]) as server:
        live = guarded(server, provider, Recorder(tmp_path / "live" / RECORD))
        first = live.complete(ASK, 300, 0.0, tools=[EDIT_TOOL])
    entry = json.loads((tmp_path / "live" / RECORD).read_text())
    assert entry["request"]["tools"] == [EDIT_TOOL.model_dump()]
    assert entry["reply"]["tool_calls"] == [first.tool_calls[0].model_dump()]
    replayed = guarded(server, provider, Recorder(tmp_path / "again" / RECORD, tmp_path / "live"))
    assert replayed.complete(ASK, 300, 0.0, tools=[EDIT_TOOL]).tool_calls == first.tool_calls
    with pytest.raises(ConfigError, match="holds no answer"):  # the tools are part of the request
        replayed.complete(ASK, 300, 0.0)


def test_a_tool_call_is_the_same_edit_as_a_search_replace_block() -> None:
    by_tool = reply_edits(
        Reply(
            text="",
            input_tokens=0,
            output_tokens=0,
            tool_calls=[ToolCall(name="replace_in_file", arguments=json.dumps(EDIT))],
        ),
        FILES,
    )
    assert (
        by_tool
        == parse_edits(BLOCK, FILES)
        == {"shop/pricing.py": FILES["shop/pricing.py"].replace("q > 10", "q >= 10")}
    )
    # a reply with no tool calls falls back to its text
    assert reply_edits(Reply(text=BLOCK, input_tokens=0, output_tokens=0), FILES) == by_tool


@pytest.mark.parametrize(
    ("name", "arguments", "reason"),
    [
        ("replace_in_file", "{not json", "not JSON"),
        ("run_shell", json.dumps(EDIT), "there is no tool 'run_shell'"),
        ("replace_in_file", json.dumps({"path": "shop/pricing.py", "search": "x"}), "three strings"),
        ("replace_in_file", json.dumps({**EDIT, "search": "    if q < 10:"}), "does not match"),
        ("replace_in_file", json.dumps({**EDIT, "path": "../etc/passwd"}), "not a file of the repository"),
        ("replace_in_file", json.dumps({**EDIT, "replace": EDIT["search"]}), "no replace_in_file call"),
    ],
)
def test_an_unusable_tool_call_says_why(name: str, arguments: str, reason: str) -> None:
    reply = Reply(text="", input_tokens=0, output_tokens=0, tool_calls=[ToolCall(name=name, arguments=arguments)])
    with pytest.raises(ReplyError, match=reason):
        reply_edits(reply, FILES)
