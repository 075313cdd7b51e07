"""Model replies become candidates in every accepted form; anything else gets a reason."""

from __future__ import annotations

import pytest

from rfsn.llm.base import ToolCall
from rfsn.planners.strategies.replies import Unparseable, parse_reply

FILES = {"calc.py": "def add(a, b):\n    return a - b\n\n\ndef sub(a, b):\n    return a - b\n"}
FIXED = FILES["calc.py"].replace("return a - b", "return a + b", 1)


def test_native_tool_call() -> None:
    call = ToolCall(name="edit_file", arguments={
        "path": "calc.py", "old": "def add(a, b):\n    return a - b", "new": "def add(a, b):\n    return a + b"})
    candidate = parse_reply("", [call], FILES)
    assert candidate.patched == FIXED and candidate.line == 1


def test_search_replace_block() -> None:
    text = ("Here is the fix.\n\ncalc.py\n```python\n<<<<<<< SEARCH\ndef add(a, b):\n    return a - b\n"
            "=======\ndef add(a, b):\n    return a + b\n>>>>>>> REPLACE\n```\n")
    assert parse_reply(text, [], FILES).patched == FIXED


def test_diff_block_with_wrong_line_numbers() -> None:
    text = ("```diff\n--- a/calc.py\n+++ b/calc.py\n@@ -40,2 +40,2 @@\n def add(a, b):\n"
            "-    return a - b\n+    return a + b\n```\n")
    candidate = parse_reply(text, [], FILES)
    assert candidate.patched == FIXED
    assert candidate.diff().startswith("diff --git a/calc.py b/calc.py")


@pytest.mark.parametrize(("text", "reason"), [
    ("I think the bug is in add.", "no edit found"),
    ("calc.py\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n>>>>>>> REPLACE",
     "found 2 times"),
    ("nope.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE", "no such file"),
    ("```diff\n@@ -1 +1 @@\n-a\n+b\n```", "no file header"),
])
def test_unusable_replies_get_a_reason(text: str, reason: str) -> None:
    with pytest.raises(Unparseable, match=reason):
        parse_reply(text, [], FILES)
