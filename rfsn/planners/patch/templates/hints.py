"""Hints in the code that raise a candidate's rank, whatever template made it.

An import that nothing uses is a name the author meant to use: a candidate
that puts one to use (``rounding=ROUND_HALF_UP`` where ROUND_HALF_UP is
imported and unused) is much more likely to be the fix.
"""

from __future__ import annotations

import ast
import re

from rfsn.planners.code.candidates import Candidate, common_prefix, common_suffix

UNUSED_IMPORT_BOOST = 4.0
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def unused_imports(source: str) -> set[str]:
    """Names imported at module level and referenced nowhere else in the file."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    imported: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            imported |= {(a.asname or a.name).split(".")[0] for a in stmt.names if a.name != "*"}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    mentioned = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return imported - used - mentioned  # a name in a string (e.g. __all__) counts as used


def _added_words(candidate: Candidate) -> set[str]:
    """The words the lines around where each file's text changed have after the change and
    did not have before (a diff of the whole file per candidate took seconds before the first
    screening): a deletion adds none, whatever its neighbour lines hold."""
    words: set[str] = set()
    for change in candidate.changes():
        old, new = change.original, change.patched
        head = common_prefix(old, new)
        tail = common_suffix(old[head:], new[head:])
        words |= _words_around(new, head, tail) - _words_around(old, head, tail)
    return words


def _words_around(text: str, head: int, tail: int) -> set[str]:
    """The words of the whole lines of ``text`` between its first ``head`` and last ``tail`` characters."""
    lo, hi = text.rfind("\n", 0, head) + 1, text.find("\n", len(text) - tail)
    return set(_WORD.findall(text[lo : hi if hi >= 0 else len(text)]))


def boost(candidates: list[Candidate]) -> list[Candidate]:
    """Candidates re-scored for the hints they follow, best first."""
    unused: dict[str, set[str]] = {}
    scored = []
    for candidate in candidates:
        if candidate.path not in unused:
            unused[candidate.path] = unused_imports(candidate.original) if candidate.path.endswith(".py") else set()
        hinted = unused[candidate.path] and _added_words(candidate) & unused[candidate.path]
        bonus = UNUSED_IMPORT_BOOST if hinted else 1.0
        scored.append(candidate.model_copy(update={"score": candidate.score * bonus}) if bonus > 1 else candidate)
    return sorted(scored, key=lambda c: -c.score)
