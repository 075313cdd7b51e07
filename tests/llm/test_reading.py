"""The model reads the repository through the gate: list_dir, search_code and view_file calls
from the real SDKs become ListDir/Search/ReadFile proposals that a real Gate approves (or
refuses) and the executor serves from the workspace; the answers go back in the next request,
and a conversation stays within its bounds."""

from __future__ import annotations

import json
from collections.abc import Generator
from pathlib import Path

import pytest

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.controller.executor import Executor
from rfsn.gate import Gate, GateContext, GatePolicy
from rfsn.llm.base import Message, Reply
from rfsn.llm.budget import GuardedModel, LLMBudget
from rfsn.llm.clients import make_model, transient_errors
from rfsn.llm.fake_server import FakeServer, Scripted
from rfsn.models import ListDir, Phase, ReadFile, Search
from rfsn.planners.base import Feedback, Lookup
from rfsn.planners.patch.explore.tools import MAX_ROUNDS, READ_NAMES, converse, lookup
from rfsn.planners.patch.replies import EDIT_TOOL
from rfsn.sandbox.fake import FakeSandbox
from rfsn.workspace import Workspace, prepare
from tests.llm.test_models import KEY

PRICING = "BULK = 10\n\n\ndef discount(q):\n    if q > BULK:\n        return 0.1\n    return 0.0\n"
EDIT = {"path": "shop/pricing.py", "search": "    if q > BULK:", "replace": "    if q >= BULK:"}
ASK = [Message(role="user", content="Fix the bulk discount.")]


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    project = tmp_path / "p"
    for rel, text in {
        "shop/__init__.py": "",
        "shop/pricing.py": PRICING,
        ".env": "TOKEN=hunter2\n",
        "tests/test_pricing.py": "from shop.pricing import discount\n",
    }.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text)
    import subprocess

    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    return prepare(str(project), tmp_path / "ws")


def guarded(server: FakeServer, provider: str) -> GuardedModel:
    return GuardedModel(
        make_model(provider, "m", server.base_url(provider), KEY), LLMBudget(), None, transient_errors(), backoff=0.01
    )


def serve(conversation: Generator[Lookup, None, Reply], workspace: Workspace, seen: list[tuple[str, bool]]) -> Reply:
    """What the controller does with each lookup: the gate, then the executor."""
    gate, executor = Gate(GatePolicy()), Executor(FakeSandbox(workspace.path), PythonBuildpack(), workspace, 60)
    context = GateContext(workspace=workspace.path, phase=Phase.PATCH, buildpack="python")
    try:
        item = next(conversation)
        while True:
            decision, approved = gate.approve(item.proposal, context)
            seen.append((item.proposal.intent, decision.accepted))
            item.answered(Feedback(decision, executor.run(approved) if approved else None))
            item = next(conversation)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_the_model_searches_lists_and_views_then_edits(provider: str, workspace: Workspace) -> None:
    script = [
        Scripted(tool_calls=(("search_code", {"query": "q > BULK"}), ("list_dir", {"path": "shop"}))),
        Scripted(tool_calls=(("view_file", {"path": "shop/pricing.py", "start": 4, "end": 6}),)),
        Scripted(text="Found it.", tool_calls=(("replace_in_file", EDIT),)),
    ]
    seen: list[tuple[str, bool]] = []
    with FakeServer(script) as server:
        reply = serve(converse(guarded(server, provider), list(ASK), 500, 0.0, [EDIT_TOOL]), workspace, seen)
    assert [c.name for c in reply.tool_calls] == ["replace_in_file"]
    assert seen == [("search", True), ("list_dir", True), ("read_file", True)]
    second, third = json.dumps(server.requests[1]), json.dumps(server.requests[2])
    assert "shop/pricing.py:5:     if q > BULK:" in second
    assert "__init__.py\\npricing.py" in second
    assert "    4  def discount(q):\\n    5      if q > BULK:\\n    6          return 0.1" in third
    assert "    7" not in third.split("### view_file", 1)[1]
    offered = {t.get("name") or t["function"]["name"] for t in server.requests[0]["tools"]}
    assert offered == {"replace_in_file", *READ_NAMES}


def test_a_secret_is_neither_read_nor_found(workspace: Workspace) -> None:
    script = [
        Scripted(
            tool_calls=(
                ("view_file", {"path": ".env"}),
                ("search_code", {"query": "TOKEN"}),
                ("view_file", {"path": "../../etc/passwd"}),
            )
        ),
        Scripted(text="nothing to fix"),
    ]
    seen: list[tuple[str, bool]] = []
    with FakeServer(script) as server:
        serve(converse(guarded(server, "openai"), list(ASK), 500, 0.0), workspace, seen)
    assert seen == [("read_file", False), ("search", True), ("read_file", False)]
    answers = json.dumps(server.requests[1])
    assert "hunter2" not in answers
    assert answers.count("refused by the safety gate") == 2
    assert "### search_code" in answers and "(nothing)" in answers


def test_a_model_that_only_reads_is_stopped_and_must_answer(workspace: Workspace) -> None:
    script = [Scripted(tool_calls=(("view_file", {"path": "shop/pricing.py"}),))]
    seen: list[tuple[str, bool]] = []
    with FakeServer(script) as server:
        reply = serve(converse(guarded(server, "anthropic"), list(ASK), 500, 0.0, [EDIT_TOOL]), workspace, seen)
    assert len(server.requests) == MAX_ROUNDS and len(seen) == MAX_ROUNDS - 1
    last = {t["name"] for t in server.requests[-1]["tools"]}
    assert last == {"replace_in_file"}  # the read tools are no longer offered
    assert [c.name for c in reply.tool_calls] == ["view_file"]  # the caller sees it as unusable


@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        ("view_file", {"path": "a.py", "start": 3}, ReadFile(path="a.py")),
        ("view_file", {"path": "a.py", "start": 10, "end": 5000}, ReadFile(path="a.py")),
        ("list_dir", {}, ListDir(path=".")),
        ("search_code", {"query": "a.b("}, Search(pattern=r"a\.b\(")),
        ("search_code", {"query": "a.b(", "regex": True}, None),
    ],
)
def test_calls_become_proposals(name: str, arguments: dict[str, object], expected: object) -> None:
    from rfsn.llm.base import ToolCall

    item = lookup(ToolCall(name=name, arguments=json.dumps(arguments)))
    if expected is None:  # an invalid regular expression is left for the gate to refuse
        assert isinstance(item, Lookup) and item.proposal.intent == "search"
        return
    assert isinstance(item, Lookup)
    assert item.proposal.model_dump(exclude={"rationale"}) == expected.model_dump(exclude={"rationale"})  # type: ignore[attr-defined]
    if name == "view_file":
        start, end = item.span
        assert start == arguments["start"] and end - start + 1 <= 400


@pytest.mark.parametrize("arguments", ['{"path": "a.py", "start": "x"}', "[1, 2]", "{not json", '{"path": ""}'])
def test_unusable_arguments_are_answered_not_proposed(arguments: str) -> None:
    from rfsn.llm.base import ToolCall

    item = lookup(ToolCall(name="search_code" if arguments == '{"path": ""}' else "view_file", arguments=arguments))
    assert isinstance(item, str) and item.startswith("unusable arguments")


def test_missing_files_and_directories_are_outcomes_not_crashes(workspace: Workspace) -> None:
    gate, executor = Gate(GatePolicy()), Executor(FakeSandbox(workspace.path), PythonBuildpack(), workspace, 60)
    context = GateContext(workspace=workspace.path, phase=Phase.PATCH, buildpack="python")
    for proposal in (
        ReadFile(path="shop"),
        ReadFile(path="nope.py"),
        ListDir(path="shop/pricing.py"),
        ListDir(path="nowhere"),
    ):
        _, approved = gate.approve(proposal, context)
        assert approved is not None
        outcome = executor.run(approved)
        assert not outcome.ok and outcome.detail.startswith("no ")
