"""The Python reader of the template driver: files parsed with ``ast``."""

from __future__ import annotations

import ast
from functools import partial
from itertools import accumulate

import structlog

from rfsn.planners.templates.driver import generate
from rfsn.planners.templates.python.base import FileContext
from rfsn.planners.templates.python.catalogue import CATALOGUE

log = structlog.get_logger(__name__)
#: the header a nested function is parsed under, at its own indentation
_NESTED = "if 1:\n"


class PythonReader:
    def context(self, path: str, files: dict[str, str]) -> FileContext | None:
        source = files.get(path)
        if source is None or not path.endswith(".py"):
            return None
        try:
            return FileContext(path, source, ast.parse(source), files)
        except SyntaxError:
            log.warning("unparsable_source", path=path)
            return None

    def valid(self, patched: str, context: FileContext, changed: tuple[int, int]) -> bool:
        """Whether ``patched`` parses. Only the top-level statements the change touches are
        parsed: the rest of the file is the original's, whole statements that parsed, so the
        file parses when they do (parsing a large module per candidate took most of the time
        to the first candidate on real projects)."""
        unit = _changed_statements(context, patched, changed)
        try:
            tree = ast.parse(unit or patched)
            nested = unit is not None and unit.startswith(_NESTED)
            if nested and (len(tree.body) != 1 or len(tree.body[0].body) != 1):  # type: ignore[attr-defined]
                ast.parse(patched)  # a line left the function (it dedented): ask the whole file
        except (SyntaxError, ValueError):
            return False
        return True


def _common_prefix(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # slices compare in C: a binary search beats a loop over characters
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:] == b[len(b) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _spans(context: FileContext) -> list[tuple[int, int, int]]:
    """(first line, last line, column) of every function, decorators included, and of every
    top-level statement: the units a change is parsed in (computed once per file)."""
    if "parse_units" not in context.cache:
        nodes: list[ast.stmt] = [n for n in ast.walk(context.tree)
                                 if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        nodes += [n for n in context.tree.body if n not in nodes]
        context.cache["parse_units"] = [
            (min([n.lineno, *(d.lineno for d in getattr(n, "decorator_list", []))]), n.end_lineno or n.lineno,
             n.col_offset) for n in nodes]
    return context.cache["parse_units"]


def _changed_statements(context: FileContext, patched: str, changed: tuple[int, int]) -> str | None:
    """Text that parses exactly when ``patched`` does: the smallest function (or, outside any,
    the top-level statements) around the change, the rest being the original's whole
    statements. A nested function is put under ``if 1:`` at its own indentation. None when
    the change lies outside them all. ``changed``: the range of the original the edit replaced
    (only that range and its replacement are compared, not the whole file)."""
    source = context.source
    lo, hi = changed
    old, new = source[lo:hi], patched[lo:hi + len(patched) - len(source)]
    head = _common_prefix(old, new)
    start = lo + head
    tail = len(source) - hi + _common_suffix(old[head:], new[head:])
    first, last = source.count("\n", 0, start) + 1, source.count("\n", 0, len(source) - tail) + 1
    around = [(a, b, col) for a, b, col in _spans(context) if a <= first and last <= b]
    if around:
        a, b, col = min(around, key=lambda span: span[1] - span[0])
    else:
        touched = [(a, b) for a, b, col in _spans(context) if col == 0 and a <= last and b >= first]
        if not touched or min(a for a, _ in touched) > first or max(b for _, b in touched) < last:
            return None
        a, b, col = min(a for a, _ in touched), max(b for _, b in touched), 0
    if "line_starts" not in context.cache:  # offset of each line's first character, and the end
        context.cache["line_starts"] = [0, *accumulate(len(line) for line in source.splitlines(keepends=True))]
    starts = context.cache["line_starts"]
    begin, end = starts[a - 1], starts[min(b, len(starts) - 1)] + len(patched) - len(source)
    if start <= begin + col:  # the unit's own indentation changed: only the whole file can say
        return None
    return (_NESTED if col else "") + patched[begin:end]


#: ``generate_candidates(files, locations, limit=200, max_locations=25, templates=CATALOGUE)``:
#: ranked, de-duplicated, parsable candidates for the most suspicious Python lines. ``files``
#: maps repo-relative paths to their text (other Python files help cross-file templates).
generate_candidates = partial(generate, PythonReader(), templates=CATALOGUE)
