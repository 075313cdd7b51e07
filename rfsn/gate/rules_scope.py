"""Rule: a skip marker is tampering only where it can reach a test that existed before the edit.

A marker in a new test file, or inside (decorators included) a test definition the file did not
have, shapes a new test and weakens no evidence. Python is read with ``ast``: the definitions
bound at module and class level before and after. Brace languages are read by the diff's lines:
the marker must sit in a block that opens a test (a Go ``func``, a JS ``it``/``test``/``describe``
call, a Rust ``fn``, a Java/Kotlin method) and consists of added lines only. Markers that act on
the whole run (exits, hooks, focus, ``TestMain``) are never local (``pytest.exit`` inside
``pytest.raises(pytest.exit.Exception)`` is caught: it exits nothing). What a test file's code
does to other modules at import is ``rules_reach``'s.
"""

from __future__ import annotations

import ast
import collections
import re
from collections.abc import Iterator

from rfsn.buildpacks.gaterules import item_opener

_ATTRIBUTE = re.compile(r"^\s*(?:#\s*\[|@\s*\w)")
_OPEN, _CLOSE = "({[", ")}]"


def definitions(body: list[ast.stmt], prefix: str = "") -> Iterator[tuple[str, ast.stmt]]:
    """Every def and class bound in a module or class body (through ``if``/``try``/``with``),
    with its qualified name (``Class.method``)."""
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield prefix + node.name, node
            if isinstance(node, ast.ClassDef):
                yield from definitions(node.body, f"{prefix}{node.name}.")
        elif isinstance(node, ast.If | ast.Try | ast.With | ast.For | ast.While):
            for field in ("body", "orelse", "finalbody"):
                yield from definitions(getattr(node, field, []), prefix)
            for handler in getattr(node, "handlers", []):
                yield from definitions(handler.body, prefix)


def _span(node: ast.stmt) -> range:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
    return range(first, (node.end_lineno or node.lineno) + 1)


def python_new_lines(before: str | None, after: str) -> set[int] | None:
    """Lines of ``after`` that belong to new tests only: every line of a new file (``before``
    None); else the lines of defs and classes whose qualified name ``before`` does not bind.
    A new definition in an existing module or class counts only when it is a test itself
    (``_a_test``). None when either text does not parse (the caller stays strict)."""
    if before is None:  # nothing to parse: a grammar newer than the gate's does not matter
        return set(range(1, after.count("\n") + 2))
    try:
        tree = ast.parse(after)
        old = {name for name, _ in definitions(ast.parse(before).body)}
    except (SyntaxError, ValueError, RecursionError):
        return None
    new = {line for name, node in definitions(tree.body) if name not in old and _a_test(node) for line in _span(node)}
    return new | _unchanged(ast.parse(before).body, tree.body)


def tier_exempt_lines(before: str | None, after: str) -> tuple[set[int], set[int]] | None:
    """What of a test module's edit the size tier does not count: (lines of ``after``, lines of
    ``before``) that belong to new tests (``_a_test``: not a helper, fixture or module-level
    code) or to statements the edit leaves as they were (a reformat). None when a text does not
    parse."""
    try:
        tree, old = ast.parse(after), (ast.parse(before) if before is not None else None)
    except (SyntaxError, ValueError, RecursionError):
        return None
    names = {name for name, _ in definitions(old.body)} if old is not None else set()
    new = {line for name, node in definitions(tree.body) if name not in names and _a_test(node) for line in _span(node)}
    if old is None:
        return new, set()
    return new | _unchanged(old.body, tree.body), _unchanged(tree.body, old.body)


def _unchanged(before: list[ast.stmt], after: list[ast.stmt]) -> set[int]:
    """Lines of statements of a module or class body that are as they were (a diff may align
    an added line with an identical one there: ``@mark.skipif(X)`` of a new test taken as the
    same line of the existing test below it); class bodies are compared statement by statement."""
    old = collections.Counter(ast.dump(node) for node in before)
    classes = {node.name: node for node in before if isinstance(node, ast.ClassDef)}
    lines: set[int] = set()
    for node in after:
        if old[ast.dump(node)] > 0:
            old[ast.dump(node)] -= 1
            lines.update(_span(node))
        elif isinstance(node, ast.ClassDef) and node.name in classes:
            lines |= _unchanged(classes[node.name].body, node.body)
    return lines


def _a_test(node: ast.stmt) -> bool:
    """Is a new definition in an existing module or class a test of its own? A fixture (it may
    override one existing tests use, or be autouse), ``setup_*``/``setUp``, a dunder or a helper
    reaches or may reach the tests around it."""
    name = getattr(node, "name", "")
    decorators = getattr(node, "decorator_list", [])
    is_fixture = any("fixture" in ast.dump(d) for d in decorators)
    if isinstance(node, ast.ClassDef):
        return name.startswith("Test") or any("TestCase" in ast.dump(base) for base in node.bases)
    return not is_fixture and name.startswith("test")


def _blocks_end(lines: list[str], start: int) -> int | None:
    """The line (numbered from 1) where the item opening at ``start`` ends: leading attribute or
    annotation lines belong to it, then brackets are counted until they balance at a line's end."""
    depth, opened = 0, False
    for number in range(start, len(lines) + 1):
        text = lines[number - 1]
        depth += sum(text.count(c) for c in _OPEN) - sum(text.count(c) for c in _CLOSE)
        opened = opened or not _ATTRIBUTE.match(text)
        if opened and depth <= 0:
            return number
        if depth < 0:
            return None
    return None


def brace_local(path: str, after: str, added: set[int], number: int) -> bool:
    """Is line ``number`` of ``after`` inside a test item made of added lines only?"""
    opener = item_opener(path)
    if opener is None:
        return False
    lines = after.splitlines()
    start = number
    while start in added:
        if opener.match(lines[start - 1]):
            end = _blocks_end(lines, start)
            if end is not None and end >= number and all(n in added for n in range(start, end + 1)):
                return True
        start -= 1
    return False


_CAUGHT = re.compile(r"\bexit\s*\.\s*Exception\b|\b(?:Exit|OutcomeException|BaseException)\b")


def caught_exits(after: str) -> set[int]:
    """Lines of statements right inside ``with pytest.raises(pytest.exit.Exception)`` (or
    ``Exit``): a ``pytest.exit`` there is caught by the test and exits nothing."""
    try:
        tree = ast.parse(after)
    except (SyntaxError, ValueError, RecursionError):
        return set()
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.With) and any(
            isinstance(item.context_expr, ast.Call)
            and _called(item.context_expr) == "raises"
            and item.context_expr.args
            and _CAUGHT.search(ast.unparse(item.context_expr.args[0]))
            for item in node.items
        ):
            for statement in node.body:
                if isinstance(statement, ast.Expr):
                    lines.update(range(statement.lineno, (statement.end_lineno or statement.lineno) + 1))
    return lines


def _called(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
