"""Edits out of a model's reply: ``replace_in_file`` tool calls, SEARCH/REPLACE blocks, or
unified diffs in ```diff fences.

    path/to/file.py
    <<<<<<< SEARCH
    exact lines of the current file
    =======
    their replacement
    >>>>>>> REPLACE

A ``replace_in_file(path, search, replace)`` tool call is the same edit, applied by the same
code. Pure: ``reply_edits(reply, files)`` returns the new text of every file the reply changes
(its tool calls when it made any, else its text), or raises ``ReplyError`` saying why not.
"""

from __future__ import annotations

import re

from rfsn.errors import DiffError, InputError, RfsnError
from rfsn.inputs import json_value
from rfsn.llm.base import Reply, Tool, ToolCall
from rfsn.patches import apply_file, parse_patch

_BLOCK = re.compile(
    r"^[ \t]*(?P<path>[^\n<>=`]+?)[ \t]*\n(?:```[^\n]*\n)?<{5,9} SEARCH[ \t]*\n"
    r"(?P<search>.*?)^={5,9}[ \t]*\n(?P<replace>.*?)^>{5,9} REPLACE[ \t]*$",
    re.M | re.S,
)
_DIFF = re.compile(r"^```(?:diff|patch)[ \t]*\n(?P<body>.*?)^```", re.M | re.S)


EDIT_TOOL = Tool(
    name="replace_in_file",
    description="Replace the first occurrence of `search` (lines copied exactly from the current "
    "file, short but unique in it) with `replace`. Call it once per edit.",
    parameters={
        "type": "object",
        "required": ["path", "search", "replace"],
        "properties": {
            "path": {"type": "string", "description": "file path in the repository"},
            "search": {"type": "string"},
            "replace": {"type": "string"},
        },
    },
)


class ReplyError(RfsnError, ValueError):
    """A reply that holds no usable edit; the message says why."""


def _replace(changed: dict[str, str], files: dict[str, str], path: str, search: str, replace: str) -> None:
    """One SEARCH/REPLACE edit (a block or a tool call), on top of the reply's earlier ones."""
    path = path.strip().strip("`*").removeprefix("./")
    text = changed.get(path, files.get(path))
    if text is None:
        raise ReplyError(f"{path} is not a file of the repository")
    if not search or search not in text:
        raise ReplyError(f"the SEARCH text for {path} does not match the file exactly")
    changed[path] = text.replace(search, replace, 1)


def _search_replace(reply: str, files: dict[str, str]) -> dict[str, str]:
    changed: dict[str, str] = {}
    for block in _BLOCK.finditer(reply):
        _replace(changed, files, block.group("path"), block.group("search"), block.group("replace"))
    return changed


def _tool_calls(calls: list[ToolCall], files: dict[str, str]) -> dict[str, str]:
    changed: dict[str, str] = {}
    for call in calls:
        if call.name != EDIT_TOOL.name:
            raise ReplyError(f"there is no tool {call.name!r}; the one tool is {EDIT_TOOL.name}")
        try:
            args = json_value(call.arguments, call.name)
        except InputError as exc:
            raise ReplyError(f"the arguments of {call.name} are not JSON: {exc}") from None
        if not isinstance(args, dict) or not all(isinstance(args.get(k), str) for k in ("path", "search", "replace")):
            raise ReplyError(f"{call.name} takes three strings: path, search and replace")
        _replace(changed, files, args["path"], args["search"], args["replace"])
    return changed


def _diffs(reply: str, files: dict[str, str]) -> dict[str, str]:
    changed: dict[str, str] = {}
    for fence in _DIFF.finditer(reply):
        try:
            for fp in parse_patch(fence.group("body")):
                path = fp.path
                if path not in files and not fp.is_new:
                    raise ReplyError(f"{path} is not a file of the repository")
                new = apply_file(files.get(path), fp)
                if new is not None:
                    changed[path] = new
        except DiffError as exc:
            raise ReplyError(f"the diff does not apply: {exc}") from None
    return changed


def parse_edits(reply: str, files: dict[str, str]) -> dict[str, str]:
    """New text of each file the reply edits; ReplyError if it edits nothing usable."""
    return _changes(_search_replace(reply, files) or _diffs(reply, files), files)


def reply_edits(reply: Reply, files: dict[str, str]) -> dict[str, str]:
    """New text of each file a reply edits: by its tool calls if it made any, else by its text."""
    if reply.tool_calls:
        return _changes(_tool_calls(reply.tool_calls, files), files)
    return parse_edits(reply.text, files)


def _changes(changed: dict[str, str], files: dict[str, str]) -> dict[str, str]:
    changed = {p: t for p, t in changed.items() if t != files.get(p)}
    if not changed:
        raise ReplyError("no replace_in_file call, SEARCH/REPLACE block or ```diff block that changes a file")
    return changed


def as_text(reply: Reply) -> str:
    """The reply as the model will see it again: its text, then its tool calls."""
    calls = "\n".join(f"{c.name}({c.arguments})" for c in reply.tool_calls)
    return "\n".join(part for part in (reply.text, calls) if part)
