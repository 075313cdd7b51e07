"""Read-only tools a model may call while it looks for the code: list a directory, search the
text, view a range of a file.

The model never reads the disk itself. Each call becomes a proposal (``ListDir``, ``Search``,
``ReadFile``) that the planner hands to the controller, so the gate sees it, the executor
serves it from the workspace and the trajectory records it; the answer (or the gate's
refusal) goes back to the model as text. :func:`converse` runs one conversation: it asks
the model, and while the model only reads, it yields each call as a :class:`Lookup` and asks
again with the answers. A conversation is bounded by ``MAX_LOOKUPS`` calls and
``MAX_ROUNDS`` model calls, all under the model's own caps; past them the tools are no
longer offered and the model must answer.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Sequence

from rfsn.inputs import json_value
from rfsn.llm.base import ChatModel, Message, Reply, Tool, ToolCall
from rfsn.models import ListDir, Proposal, ReadFile, Search
from rfsn.observability.logging import get_logger
from rfsn.planners.base import VIEW_LINES, Feedback, Lookup
from rfsn.planners.patch.replies import as_text

log = get_logger(__name__)

MAX_LOOKUPS = 12
MAX_ROUNDS = 6
#: lines a view shows at most
MAX_VIEW_LINES = 400

LIST_DIR = Tool(
    name="list_dir",
    description="List a directory of the repository (directories end with /).",
    parameters={"type": "object", "properties": {"path": {"type": "string"}}},
)
SEARCH_CODE = Tool(
    name="search_code",
    description="Search the repository's text files for a string; answers path:line: text per "
    "match. Set regex to true to search for a Python regular expression instead.",
    parameters={
        "type": "object",
        "required": ["query"],
        "properties": {"query": {"type": "string"}, "path": {"type": "string"}, "regex": {"type": "boolean"}},
    },
)
VIEW_FILE = Tool(
    name="view_file",
    description=f"Show lines start..end of a file, numbered (at most {MAX_VIEW_LINES} lines).",
    parameters={
        "type": "object",
        "required": ["path"],
        "properties": {"path": {"type": "string"}, "start": {"type": "integer"}, "end": {"type": "integer"}},
    },
)
READ_TOOLS = (LIST_DIR, SEARCH_CODE, VIEW_FILE)
READ_NAMES = frozenset(t.name for t in READ_TOOLS)
GUIDE = (
    "You may read the repository first: list_dir, search_code and view_file answer from "
    "its files. Read what you need, then answer."
)


def lookup(call: ToolCall) -> Lookup | str:
    """The proposal a read-only tool call asks for, or why there is none."""
    try:
        args = json_value(call.arguments or "{}", f"the arguments of {call.name}")
        if not isinstance(args, dict):
            raise ValueError("arguments must be a JSON object")
        path = str(args.get("path") or ".")
        if call.name == "list_dir":
            return Lookup(call, ListDir(path=path, rationale="the model lists a directory"))
        if call.name == "search_code":
            query = str(args["query"])
            pattern = query if args.get("regex") else re.escape(query)
            return Lookup(call, Search(pattern=pattern, path=path, rationale=f"the model searches for {query[:80]!r}"))
        start = max(1, int(args.get("start") or 1))
        end = int(args.get("end") or start + VIEW_LINES - 1)
        end = min(max(start, end), start + MAX_VIEW_LINES - 1)
        return Lookup(call, ReadFile(path=path, rationale=f"the model reads lines {start}-{end}"), span=(start, end))
    except (ValueError, KeyError, TypeError) as exc:  # pydantic's ValidationError is a ValueError
        return f"unusable arguments: {exc}"[:500]


def converse(
    model: ChatModel,
    messages: list[Message],
    max_tokens: int,
    temperature: float,
    tools: Sequence[Tool] = (),
    heard: list[str] | None = None,
) -> Generator[Lookup, None, Reply]:
    """Ask ``model``; while its reply only reads, serve each read (yielded as a Lookup) and ask
    again. Returns the first reply that does more than read, or the last one once the bounds
    are spent. ``messages`` grows by the reading rounds, so a caller can continue it; each
    read's answer (``### tool(arguments)`` and what it gave) is also appended to ``heard``."""
    lookups, rounds = MAX_LOOKUPS, MAX_ROUNDS
    while True:
        reading = lookups > 0 and rounds > 1
        rounds -= 1
        reply = model.complete(
            messages, max_tokens, temperature, tools=[*tools, *READ_TOOLS] if reading else list(tools)
        )
        reads = [c for c in reply.tool_calls if c.name in READ_NAMES]
        if not reads or len(reads) != len(reply.tool_calls) or not reading:
            return reply
        answers = []
        for call in reads[:lookups]:
            lookups -= 1
            item = lookup(call)
            if isinstance(item, Lookup):
                yield item
            answer = item.answer if isinstance(item, Lookup) else item
            log.info("model.lookup", tool=call.name, arguments=call.arguments[:200], answer=len(answer))
            answers.append(f"### {call.name}({call.arguments})\n{answer}")
        if heard is not None:
            heard.extend(answers)
        messages += [
            Message(role="assistant", content=as_text(reply)),
            Message(role="user", content="\n\n".join(answers) + "\n\nRead more, or answer."),
        ]


def served(
    conversation: Generator[Lookup, None, Reply],
) -> Generator[Proposal, Feedback, Reply]:
    """Drive a conversation from a planner's plan: each lookup's proposal goes to the
    controller and its feedback back to the lookup. Returns the conversation's reply."""
    try:
        item = next(conversation)
        while True:
            item.answered((yield item.proposal))
            item = next(conversation)
    except StopIteration as stop:
        return stop.value
