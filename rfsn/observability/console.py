"""The one way rfsn prints to a terminal through rich: data is never markup.

Test ids, instance ids, reasons, a model's rationale: text from a repository,
an instance file or a model is printed as it is. ``console`` makes every rich
console with markup, emoji codes and highlighting off (``[/x]``, ``[a;b]`` and
``:x:`` stay text), and ``shown`` writes control characters as escapes, so no
cell can move the cursor, recolour the terminal or break a row in two. Style
comes from ``rich.text.Text`` objects, never from the text itself.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.text import Text

#: control characters, and those that reorder or break a line on screen (bidirectional overrides
#: and isolates, the line and paragraph separators): a printed id shows each as its escape
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def console(stderr: bool = False, **options: Any) -> Console:
    """A rich console that reads no markup, emoji code or highlight into what it prints."""
    return Console(stderr=stderr, markup=False, emoji=False, highlight=False, **options)


def shown(text: str) -> str:
    """``text`` on one line, each control character as its escape (``\\n``, ``\\x1b``, ``\\u202e``)."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def styled(text: str, style: str) -> Text:
    """``text`` (shown) in ``style``."""
    return Text(shown(text), style=style)
