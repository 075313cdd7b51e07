"""A model's reply turned into candidate edits: native tool calls, SEARCH/REPLACE blocks, diffs.

Pure: ``parse_reply(text, tool_calls, files)`` returns candidates, or raises
:class:`Unparseable` with the reason the model is told when its reply is fed back.
A ```diff block is read hunk by hunk as search (context and ``-`` lines) and
replace (context and ``+`` lines), so line numbers a model got wrong do not matter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from rfsn.planners.candidates import Candidate, FileChange

SEARCH_REPLACE = re.compile(
    r"(?P<path>[^\s`]+)\s*\n(?:```[\w-]*\n)?<<<<<<< SEARCH\n(?P<old>.*?)\n?=======\n(?P<new>.*?)\n?"
    r">>>>>>> REPLACE", re.DOTALL)
DIFF_BLOCK = re.compile(r"```(?:diff|patch)\n(?P<body>.*?)```", re.DOTALL)
EDIT_TOOL = "edit_file"


class Unparseable(ValueError):
    """The reply holds no edit rfsn can apply; the message is the reason given back."""


def parse_reply(text: str, tool_calls: Sequence[Any], files: Mapping[str, str], *,
                source: str = "model") -> Candidate:
    """One candidate with every edit of the reply (tool calls first, then blocks of text)."""
    edits: list[tuple[str, str, str]] = []
    for call in tool_calls:
        if call.name != EDIT_TOOL:
            raise Unparseable(f"unknown tool {call.name!r}: only {EDIT_TOOL} is offered")
        args = call.arguments
        if not all(isinstance(args.get(k), str) for k in ("path", "old", "new")):
            raise Unparseable(f"{EDIT_TOOL} needs string arguments path, old and new")
        edits.append((args["path"], args["old"], args["new"]))
    for match in SEARCH_REPLACE.finditer(text):
        edits.append((match["path"], match["old"], match["new"]))
    for block in DIFF_BLOCK.finditer(text):
        edits += _diff_edits(block["body"])
    if not edits:
        raise Unparseable("no edit found: answer with the edit_file tool, a ```diff block, "
                          "or SEARCH/REPLACE blocks preceded by the file path")
    return _candidate(edits, files, source)


def _diff_edits(body: str) -> list[tuple[str, str, str]]:
    edits: list[tuple[str, str, str]] = []
    path = ""
    old: list[str] = []
    new: list[str] = []

    def flush() -> None:
        if path and (old or new):
            edits.append((path, "".join(old), "".join(new)))
        old.clear()
        new.clear()

    for line in body.splitlines(keepends=True):
        if line.startswith("+++ "):
            flush()
            path = line[4:].strip().split("\t")[0].removeprefix("b/")
        elif line.startswith(("--- ", "diff --git", "index ")):
            continue
        elif line.startswith("@@"):
            flush()
        elif line.startswith("-"):
            old.append(line[1:])
        elif line.startswith("+"):
            new.append(line[1:])
        elif line.startswith(" ") or line == "\n":
            old.append(line[1:] if line != "\n" else line)
            new.append(line[1:] if line != "\n" else line)
    flush()
    if not edits:
        raise Unparseable("the ```diff block has no file header (+++ b/PATH) or no hunk")
    return edits


def _candidate(edits: list[tuple[str, str, str]], files: Mapping[str, str], source: str) -> Candidate:
    patched: dict[str, str] = {}
    for path, old, new in edits:
        if path not in files:
            raise Unparseable(f"{path}: no such file among those shown (paths are repo-relative)")
        text = patched.get(path, files[path])
        count = text.count(old) if old else 0
        if count != 1:
            what = "not found" if count == 0 else f"found {count} times"
            raise Unparseable(f"{path}: the text to replace is {what}; quote it exactly and uniquely")
        patched[path] = text.replace(old, new, 1)
    changes = [FileChange(path=p, original=files[p], patched=t) for p, t in patched.items()
               if t != files[p]]
    if not changes:
        raise Unparseable("the edits change nothing")
    head, *rest = changes
    line = files[head.path][: files[head.path].find(edits[0][1])].count("\n") + 1
    return Candidate(path=head.path, line=line, template=source,
                     description=f"{source} edit of {', '.join(c.path for c in changes)}",
                     score=1.0, original=head.original, patched=head.patched, others=tuple(rest))
