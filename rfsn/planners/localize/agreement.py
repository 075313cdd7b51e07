"""Which target groups agree on where the fault is: one fault whose failures print many messages.

Each group is ranked alone from the per-test coverage the groups tried together measured; it
points at the function (a line outside any function: the line) holding most of its top-scored
lines (a group whose tests ran no line of the project: its first stack frame in the project's
source), and groups pointing at the same function agree. A group whose ranking is flat, empty,
unmeasured or split evenly between functions points at none and agrees with none. Pure:
groups, coverage and sources in.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Mapping, Sequence

from rfsn.models.sessions import FailureGroup
from rfsn.planners.localize.callees import function_spans
from rfsn.planners.localize.focus import is_flat
from rfsn.planners.localize.sbfl import rank
from rfsn.planners.localize.signatures import ran_project

Coverage = Mapping[str, Mapping[str, list[int]]]


def _spans(path: str, source: str, language: str) -> list[tuple[str, int, int]]:
    if path.endswith(".py"):
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            return []
        return [
            (n.name, n.lineno, n.end_lineno or n.lineno)
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
    return function_spans(source, language)


def function_at(path: str, line: int, source: str, language: str) -> str:
    """The innermost function holding ``path:line``, or the line itself."""
    return _where(path, line, _spans(path, source, language))


def _where(path: str, line: int, spans: Sequence[tuple[str, int, int]]) -> str:
    holding = [(last - first, name, first) for name, first, last in spans if first <= line <= last]
    if not holding:
        return f"{path}:{line}"
    _, name, first = min(holding)
    return f"{path}:{name}@{first}"


def pointed(
    tests: Sequence[str],
    coverage: Coverage,
    passing: Sequence[str],
    sources: Mapping[str, str],
    language: str,
    formula: str = "ochiai",
    frames: Sequence[tuple[str, int]] = (),
) -> str:
    """The function holding most of ``tests``' top-scored lines, ranked alone ("": none); where
    none of them ran a line of the project, the function holding the first of their stack
    ``frames`` in the project's source (as a group with no coverage is localized)."""
    measured = [t for t in tests if ran_project(coverage.get(t, {}))]
    if not measured:
        path, line = frames[0] if frames else ("", 0)
        return function_at(path, line, sources.get(path, ""), language) if path else ""
    by_test = {t: {f: set(lines) for f, lines in files.items()} for t, files in coverage.items()}
    ranked = rank(by_test, measured, [t for t in passing if t in by_test], formula)
    if is_flat(ranked):
        return ""
    spans: dict[str, list[tuple[str, int, int]]] = {}
    found: Counter[str] = Counter()
    for loc in ranked:
        if loc.score < ranked[0].score:
            break
        if loc.file not in spans:
            spans[loc.file] = _spans(loc.file, sources.get(loc.file, ""), language)
        found[_where(loc.file, loc.line, spans[loc.file])] += 1
    (first, most), *rest = found.most_common(2)
    return "" if rest and rest[0][1] == most else first


def agreeing(pointing: Sequence[tuple[FailureGroup, str]]) -> list[list[FailureGroup]]:
    """The sets of two or more groups that point at one function (``pointed``), largest first."""
    sets: dict[str, list[FailureGroup]] = {}
    for group, where in pointing:
        if where:
            sets.setdefault(where, []).append(group)
    return sorted((s for s in sets.values() if len(s) > 1), key=lambda s: -sum(len(g.tests) for g in s))
