"""The Python reader of the template driver: files parsed with ``ast``."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from functools import partial
from itertools import accumulate, chain

import structlog

from rfsn.planners.code.candidates import Candidate, common_prefix, common_suffix
from rfsn.planners.patch.templates.driver import generate
from rfsn.planners.patch.templates.python.base import FileContext
from rfsn.planners.patch.templates.python.catalogue import CATALOGUE
from rfsn.planners.patch.templates.python.material import EMPTY, Material, from_tests

log = structlog.get_logger(__name__)
#: the header a nested function is parsed under, at its own indentation
_NESTED = "if 1:\n"


class PythonReader:
    def __init__(self, material: Material = EMPTY) -> None:
        self.material = material  # what the session's failing tests hold, for every file

    def context(self, path: str, files: dict[str, str]) -> FileContext | None:
        source = files.get(path)
        if source is None or not path.endswith(".py"):
            return None
        try:
            return FileContext(path, source, ast.parse(source), files, self.material)
        except SyntaxError:
            log.warning("unparsable_source", path=path)
            return None

    def valid(self, patched: str, context: FileContext, changed: tuple[int, int]) -> bool:
        """Whether ``patched`` parses. Only the statements the change touches are parsed, the
        smallest unit first: the rest of the file is the original's, whole statements that
        parsed, so the file parses when they do (parsing a large module, or a 445-line function,
        per candidate took most of the time to the first candidate on real projects)."""
        for unit, conclusive in chain(_units(context, patched, changed), [(None, True)]):
            try:
                tree = ast.parse(patched if unit is None else unit)
            except (SyntaxError, ValueError):
                if conclusive:
                    return False
                continue  # lines of several, whose indentation a larger unit may hold
            if (
                unit is None
                or not unit.startswith(_NESTED)
                or (len(tree.body) == 1 and len(tree.body[0].body) == 1 and not tree.body[0].orelse)  # type: ignore[attr-defined]
            ):
                return True
            # a line left the unit (it dedented, became the wrapper's ``else``, or the statement
            # became two): ask a larger one
        return True


def _units(context: FileContext, patched: str, changed: tuple[int, int]) -> Iterator[tuple[str, bool]]:
    """The texts that parse when ``patched`` does, smallest first, each with whether its syntax
    error is the file's: the statement around the edit (its error is the file's when the edit
    lies within one line and leaves its indentation), then the function or top-level statements."""
    statement = _changed_statement(context, patched, changed)
    if statement is not None and not _continued(statement[0]):
        yield statement
    around = _changed_statements(context, patched, changed)
    if around is not None and not _continued(around):
        yield around, True


def _continued(unit: str) -> bool:
    """Whether a line of the unit ends in a backslash that joins it to a line the unit does not
    hold as the file does (its last line, or a header's before the ``pass`` put in for its body)."""
    return bool(re.search(r"\\\n(?:[ \t]*pass\n)?\Z", unit))


def _spans(context: FileContext) -> list[tuple[int, int, int]]:
    """(first line, last line, column) of every function, decorators included, and of every
    top-level statement: the units a change is parsed in (computed once per file)."""
    if "parse_units" not in context.cache:
        nodes: list[ast.stmt] = [
            n for n in ast.walk(context.tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        nodes += [n for n in context.tree.body if n not in nodes]
        context.cache["parse_units"] = [
            (
                min([n.lineno, *(d.lineno for d in getattr(n, "decorator_list", []))]),
                n.end_lineno or n.lineno,
                n.col_offset,
            )
            for n in nodes
        ]
    return context.cache["parse_units"]


_TRY = tuple(getattr(ast, name) for name in ("Try", "TryStar") if hasattr(ast, name))  # no header alone
Span = tuple[int, int, int, bool, bool]  # first line, last line, column, a header, an ``elif``


def _statement_spans(context: FileContext) -> dict[int, list[Span]]:
    """For each line inside a function or class, the units holding it, smallest first:
    statements that own their lines whole (each starts its first line, a comment at most
    follows it on its last), and compound statements' headers (computed once per file)."""
    if "statement_spans" not in context.cache:
        lines = context.source.splitlines()
        owned: list[Span] = []
        for node in ast.walk(context.tree):
            if not isinstance(node, ast.stmt) or node.col_offset == 0 or node.end_lineno is None:
                continue
            first = _first_line(node)
            head, rest = lines[first - 1], lines[node.end_lineno - 1][node.end_col_offset or 0 :].strip()
            if len(head) - len(head.lstrip()) != node.col_offset:
                continue
            elif_ = head.lstrip().startswith("elif")
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and _first_line(body[0]) > first and not isinstance(node, _TRY):
                owned.append((first, _first_line(body[0]) - 1, node.col_offset, True, elif_))
            if not rest or rest.startswith("#"):
                owned.append((first, node.end_lineno, node.col_offset, False, elif_))
        holding: dict[int, list[Span]] = {}
        for span in sorted(owned, key=lambda span: span[1] - span[0]):  # the smallest first
            for line in range(span[0], span[1] + 1):
                holding.setdefault(line, []).append(span)
        context.cache["statement_spans"] = holding
    return context.cache["statement_spans"]


def _first_line(node: ast.stmt) -> int:
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])


def _changed_statement(context: FileContext, patched: str, changed: tuple[int, int]) -> tuple[str, bool] | None:
    """The smallest nested statement (or compound statement's header, its body a ``pass``)
    around the edit, under ``if 1:`` at its own indentation (an ``elif`` after an ``if 0``),
    and whether the edit lies within one line and leaves its indentation (None: no unit)."""
    source, starts = context.source, _line_starts(context)
    start, tail = _changed_range(source, patched, changed)
    first, last = source.count("\n", 0, start) + 1, source.count("\n", 0, len(source) - tail) + 1
    holding = _statement_spans(context).get(first, [])
    within = (
        first == last
        and "\n" not in patched[start : len(patched) - tail]
        and bool(source[starts[first - 1] : start].strip())
    )  # it starts past the line's indentation
    span = (
        next(iter(holding), None)
        if within
        else next((s for s in holding if not s[3] and last <= s[1] and start > starts[s[0] - 1] + s[2]), None)
    )
    if span is None:
        return None
    a, b, col, header, elif_ = span
    text = patched[starts[a - 1] : starts[min(b, len(starts) - 1)] + len(patched) - len(source)]
    before = f"{' ' * col}if 0:\n{' ' * (col + 4)}pass\n" if elif_ else ""
    return _NESTED + before + text + (f"{' ' * (col + 4)}pass\n" if header else ""), within


def _changed_range(source: str, patched: str, changed: tuple[int, int]) -> tuple[int, int]:
    """Where ``patched`` first differs from ``source``, and how many characters both end with."""
    lo, hi = changed
    old, new = source[lo:hi], patched[lo : hi + len(patched) - len(source)]
    head = common_prefix(old, new)
    return lo + head, len(source) - hi + common_suffix(old[head:], new[head:])


def _line_starts(context: FileContext) -> list[int]:
    """The offset of each line's first character, and the end (computed once per file)."""
    if "line_starts" not in context.cache:
        lines = context.source.splitlines(keepends=True)
        context.cache["line_starts"] = [0, *accumulate(len(line) for line in lines)]
    return context.cache["line_starts"]


def _changed_statements(context: FileContext, patched: str, changed: tuple[int, int]) -> str | None:
    """Text that parses exactly when ``patched`` does: the smallest function (or, outside any,
    the top-level statements) around the change, the rest being the original's whole
    statements. A nested function is put under ``if 1:`` at its own indentation. None when
    the change lies outside them all. ``changed``: the range of the original the edit replaced
    (only that range and its replacement are compared, not the whole file)."""
    source = context.source
    start, tail = _changed_range(source, patched, changed)
    first, last = source.count("\n", 0, start) + 1, source.count("\n", 0, len(source) - tail) + 1
    around = [(a, b, col) for a, b, col in _spans(context) if a <= first and last <= b]
    lines = patched[start : len(patched) - tail]
    if (
        start == len(source) - tail
        and start > 0
        and source[start - 1] == "\n"
        and lines.endswith("\n")
        and not any(col for *_, col in around)
    ):  # lines inserted outside any function, at a line's start
        # the same lines inserted at the previous line's end: the function that ends there holds them
        # when each is indented past its ``def`` (the tokens then nest alike in the unit and the file)
        ends = [(a, b, col) for a, b, col in _spans(context) if a <= first - 1 <= b and col]
        indents = [len(line) - len(line.lstrip()) for line in lines.splitlines() if line.strip()]
        if ends and indents and min(indents) > max(col for *_, col in ends):
            start, tail, first, last, around = start - 1, tail + 1, first - 1, first - 1, ends
    if around:
        a, b, col = min(around, key=lambda span: span[1] - span[0])
    else:
        touched = [(a, b) for a, b, col in _spans(context) if col == 0 and a <= last and b >= first]
        if not touched or min(a for a, _ in touched) > first or max(b for _, b in touched) < last:
            return None
        a, b, col = min(a for a, _ in touched), max(b for _, b in touched), 0
    starts = _line_starts(context)
    begin, end = starts[a - 1], starts[min(b, len(starts) - 1)] + len(patched) - len(source)
    if start <= begin + col:  # the unit's own indentation changed: only the whole file can say
        return None
    return (_NESTED if col else "") + patched[begin:end]


#: ``generate_candidates(files, locations, limit=200, max_locations=25, templates=CATALOGUE)``:
#: ranked, de-duplicated, parsable candidates for the most suspicious Python lines. ``files``
#: maps repo-relative paths to their text (other Python files help cross-file templates).
generate_candidates = partial(generate, PythonReader(), templates=CATALOGUE)


def generate_with_tests(tests: dict[str, str], targets: list[str]) -> Callable[..., list[Candidate]]:
    """`generate_candidates` whose templates also draw on the failing tests' text (``tests``:
    their files, path -> text; ``targets``: the failing test ids, whose functions are read)."""
    return partial(generate, PythonReader(from_tests(tests, targets)), templates=CATALOGUE)
