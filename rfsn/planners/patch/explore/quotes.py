"""The lines of a project's source that hold a string a problem statement quotes: an error
message, a warning, an option the program printed (for ``mentions``)."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Mapping

#: a quoted string is this long at least, and not a bare name (the names are scored apart)
MIN_QUOTE = 10
#: what a quoted string adds, shared among the places that hold it; held in more places than
#: this, it says nothing of where (a line of code the user's snippet shares with many docstrings)
QUOTE = 3.0
MAX_PLACES = 3

#: where a comment starts a source line: a string quoted in it is prose, not output
_COMMENT = ("#", "//")
_STRING = re.compile(r'"((?:[^"\\\n]|\\.)+)"|\'((?:[^\'\\\n]|\\.)+)\'')
#: where a message's constant parts end: ``{0}``, ``%(name)s``, ``%r``, an escape
_FORMAT_FIELD = re.compile(r"\{[^{}]*\}|%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdrfiexXgGc]|\\.")


def _statement(part: str) -> bool:
    """A string that is a Python statement (``from pkg import *``) is code the project keeps as
    text (a doctest, a template); the user's snippet holds the same line by chance."""
    try:
        return any(not isinstance(node, ast.Expr) for node in ast.parse(part).body)
    except (SyntaxError, ValueError):
        return False


def quoted(text: str, files: Mapping[str, str]) -> dict[tuple[str, int], float]:
    """The lines of the project's source holding a string the text quotes, each weighted by
    ``QUOTE`` shared among the places that hold the same string (at most ``MAX_PLACES``): an
    error message, a warning, an option (``--collect-only``). A literal counts by its constant
    parts, those between format fields, at least ``MIN_QUOTE`` characters long, neither a
    bare name nor a statement. Neither a URL (the project's own, which the issue's links
    contain) nor a string in a comment (``'no solution'``) is a message."""
    places: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for path, source in files.items():
        for match in _STRING.finditer(source):
            literal = match.group(1) or match.group(2)
            for part in _FORMAT_FIELD.split(literal) if len(literal) >= MIN_QUOTE and "://" not in literal else ():
                part = part.strip()
                if (
                    len(part) >= MIN_QUOTE
                    and not part.isidentifier()
                    and part in text
                    and not _statement(part)
                    and not _in_comment(source, match.start())
                ):
                    places[part].add((path, source.count("\n", 0, match.start()) + 1))
    weights: dict[tuple[str, int], float] = defaultdict(float)
    for where in places.values():
        for place in where if len(where) <= MAX_PLACES else ():
            weights[place] += QUOTE / len(where)
    return weights


def _in_comment(source: str, at: int) -> bool:
    return source[source.rfind("\n", 0, at) + 1 : at].lstrip().startswith(_COMMENT)
