"""Edits out of a model's reply: SEARCH/REPLACE blocks, or unified diffs in ```diff fences.

    path/to/file.py
    <<<<<<< SEARCH
    exact lines of the current file
    =======
    their replacement
    >>>>>>> REPLACE

Pure: ``parse_edits(reply, files)`` returns the new text of every file the
reply changes, or raises ``ReplyError`` saying why it cannot be used (that
reason goes back to the model once).
"""

from __future__ import annotations

import re

from rfsn.errors import DiffError
from rfsn.gate.diff import apply_file, parse_patch

_BLOCK = re.compile(r"^[ \t]*(?P<path>[^\n<>=`]+?)[ \t]*\n(?:```[^\n]*\n)?<{5,9} SEARCH[ \t]*\n"
                    r"(?P<search>.*?)^={5,9}[ \t]*\n(?P<replace>.*?)^>{5,9} REPLACE[ \t]*$",
                    re.M | re.S)
_DIFF = re.compile(r"^```(?:diff|patch)[ \t]*\n(?P<body>.*?)^```", re.M | re.S)


class ReplyError(ValueError):
    """A reply that holds no usable edit; the message says why."""


def _search_replace(reply: str, files: dict[str, str]) -> dict[str, str]:
    changed: dict[str, str] = {}
    for block in _BLOCK.finditer(reply):
        path = block.group("path").strip().strip("`*").removeprefix("./")
        text = changed.get(path, files.get(path))
        if text is None:
            raise ReplyError(f"{path} is not a file of the repository")
        search, replace = block.group("search"), block.group("replace")
        if search not in text:
            raise ReplyError(f"the SEARCH text for {path} does not match the file exactly")
        changed[path] = text.replace(search, replace, 1)
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
    changed = _search_replace(reply, files) or _diffs(reply, files)
    changed = {p: t for p, t in changed.items() if t != files.get(p)}
    if not changed:
        raise ReplyError("no SEARCH/REPLACE block or ```diff block that changes a file")
    return changed
