"""Text the failing tests hold and the file does not (`material.Material`): a string literal
of the line replaced by a test's string like it (a message, a key, a name written as the tests
expect it: ``"universe/universe_domain"`` -> ``"universe/universe-domain"``), a test's string
added to a collection of strings like it (``("struct", "union")`` + ``"enum"``), and a
parameter refused with the raise the tests expect. None makes anything without material (a
session without test files, or tests that hold no such text).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from difflib import SequenceMatcher

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, of_type
from rfsn.planners.patch.templates.python.exits import expected_raises, guard_before
from rfsn.planners.patch.templates.python.scope import function_at

#: how alike (``SequenceMatcher.ratio``) a test's string must be to the one it replaces or joins
SIMILARITY = 0.5
#: at most this many test strings per literal replaced, per collection grown
MAX_STRINGS = 3
MAX_ELEMENTS = 2


def _alike(value: str, strings: tuple[str, ...], known: set[str], most: int) -> list[str]:
    """The test strings not in ``known`` most like ``value`` (ratio at least ``SIMILARITY``)."""
    scored = []
    for text in strings:
        if text in known or text == value:
            continue
        matcher = SequenceMatcher(None, value, text, autojunk=False)
        if matcher.real_quick_ratio() >= SIMILARITY and matcher.quick_ratio() >= SIMILARITY:
            ratio = matcher.ratio()
            if ratio >= SIMILARITY:
                scored.append((-ratio, text))
    return [text for _, text in sorted(scored)[:most]]


def quoted(original: str, value: str) -> str:
    """``value`` as a literal in the quotes of ``original``'s text where that is plain, else ``repr``."""
    plain = repr(value)
    quote = original[:1]
    if quote == '"' and plain.startswith("'") and '"' not in value and "'" not in value:
        return '"' + plain[1:-1] + '"'
    return plain


def _file_strings(ctx: FileContext) -> set[str]:
    if "test_material_known_strings" not in ctx.cache:
        ctx.cache["test_material_known_strings"] = {
            n.value for n in ast.walk(ctx.tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
    return ctx.cache["test_material_known_strings"]


def _plain_strings(ctx: FileContext, line: int) -> Iterator[tuple[ast.Constant, str]]:
    """The line's string literals that stand alone (no docstring, no f-string part)."""
    for node in of_type(ctx.nodes_at(line), ast.Constant):
        parent = ctx.parents.get(node)
        within = node.lineno <= line <= (node.end_lineno or node.lineno)
        if (
            within
            and isinstance(node.value, str)
            and not isinstance(parent, ast.Expr | ast.JoinedStr | ast.FormattedValue)
        ):
            yield node, node.value


@template("string_from_tests", 0.05)
def string_from_tests(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A string literal of the line -> a string of the failing tests like it that the file lacks."""
    strings = ctx.material.strings
    if not strings:
        return
    known = _file_strings(ctx)
    for node, value in _plain_strings(ctx, line):
        original = ctx.map.text(node)
        for text in _alike(value, strings, known, MAX_STRINGS):
            start, end = ctx.map.span(node)
            yield Edit((Splice(start, end, quoted(original, text)),), f"`{original}` -> the tests' {text!r}")


@template("element_from_tests", 0.1)
def element_from_tests(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A list, tuple or set of strings on the line + a string of the failing tests like one of
    them that the file lacks, as its last element."""
    strings = ctx.material.strings
    if not strings:
        return
    known = _file_strings(ctx)
    for node in of_type(ctx.nodes_at(line), (ast.List, ast.Tuple, ast.Set)):
        elements = [e for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        if not elements or node.lineno > line or (node.end_lineno or node.lineno) < line:
            continue
        scored: dict[str, None] = {}
        for element in elements:
            scored.update(dict.fromkeys(_alike(str(element.value), strings, known, MAX_ELEMENTS)))
        last = node.elts[-1]
        at = ctx.map.span(last)[1]
        bare = isinstance(node, ast.Tuple) and ctx.map.text(node)[:1] != "("
        for text in list(scored)[:MAX_ELEMENTS]:
            if bare:
                continue  # a bare tuple (``a, b = ...``) grows its unpacking too
            added = quoted(ctx.map.text(elements[-1]), text)
            yield Edit((Splice(at, at, f", {added}"),), f"add the tests' {text!r} to the collection")


@template("raise_expected", 0.15)
def raise_expected(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``if not p: raise E(m)`` and ``if p is None: raise E(m)`` before a statement of a
    function's body, for each parameter ``p`` read there or later, with each raise the failing
    tests expect (`exits.expected_raises`): an argument the function must refuse."""
    raises = expected_raises(ctx)
    stmt, func = ctx.statement_at(line), function_at(ctx, line)
    if not raises or stmt is None or func is None or stmt not in func.body:
        return
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return  # a docstring
    args = func.args
    params = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs) if a.arg not in ("self", "cls")]
    read = {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and n.lineno >= stmt.lineno}
    for name in (p for p in params if p in read):
        for test in (f"not {name}", f"{name} is None"):
            yield from guard_before(ctx, stmt, test, raises)


TEMPLATES = (string_from_tests, element_from_tests, raise_expected)
