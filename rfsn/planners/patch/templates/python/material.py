"""Material from the session's failing tests: the text a fix writes that the buggy file may not
hold (an expected message, a key, a value), read from the test functions of the targets.

In the tests-given setting the failing tests are in the workspace, and their text often holds
the literal or name the fix writes. `Material` is what templates draw on: the targets' string
literals and the exceptions they expect with a message (``pytest.raises(E, match=...)``,
``assertRaisesRegex(E, ...)``). Empty when the session has no test file to read.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rfsn.models.testfiles import test_id_file

#: at most this many of each kind are kept (the first met, in the tests' order)
MAX_ITEMS = 200
#: a ``match=`` pattern is taken as text only when it holds no regex operator once unescaped
_OPERATOR = re.compile(r"(?<!\\)[.*+?^$|()\[\]{}]")
_ESCAPED = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Material:
    """What the failing tests' text holds (each in the order met, without repeats)."""

    strings: tuple[str, ...] = ()
    #: (exception as the test names it, the message it expects)
    raises: tuple[tuple[str, str], ...] = ()


EMPTY = Material()


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            out.add(id(first.value))
    return out


def _message(node: ast.expr | None) -> str | None:
    """The text a ``match=`` pattern (or a plain expected message) asks for, None when it is a
    pattern rather than text."""
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or not node.value:
        return None
    if _OPERATOR.search(node.value):
        return None
    return _ESCAPED.sub(r"\1", node.value)


def _expected(call: ast.Call) -> tuple[str, str] | None:
    """(exception, message) of ``pytest.raises(E, match=M)`` or ``assertRaisesRegex(E, M)``."""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    if not call.args or name not in ("raises", "assertRaisesRegex", "assertRaisesRegexp"):
        return None
    exc = call.args[0]
    if not isinstance(exc, ast.Name | ast.Attribute):
        return None
    match = next((k.value for k in call.keywords if k.arg in ("match", "expected_regex")), None)
    message = _message(match if match is not None else (call.args[1] if len(call.args) > 1 else None))
    return (ast.unparse(exc), message) if message else None


def gather(nodes: Iterable[ast.AST]) -> Material:
    """Pure: the material of some test code (functions, classes or modules)."""
    strings: dict[str, None] = {}
    raises: dict[tuple[str, str], None] = {}
    for top in nodes:
        skip = _docstrings(top)
        for node in ast.walk(top):
            if isinstance(node, ast.Constant) and id(node) not in skip:
                value = node.value
                if isinstance(value, str) and value and len(strings) < MAX_ITEMS:
                    strings.setdefault(value)
            if isinstance(node, ast.Call) and (expected := _expected(node)) is not None:
                raises.setdefault(expected)
    return Material(tuple(strings), tuple(raises))


def _named(tree: ast.Module, names: set[str]) -> list[ast.AST]:
    """The functions and classes of ``tree`` named in ``names``, at any depth."""
    kinds = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    found: list[ast.AST] = [n for n in ast.walk(tree) if isinstance(n, kinds) and n.name in names]
    inner = [n for n in found if not isinstance(n, ast.ClassDef)]
    return inner or found


def _target_names(targets: Iterable[str], path: str) -> set[str]:
    """The function (or class) names the test ids of ``path`` end with (``a.py::C::test_x[1]``
    and ``a.py:test_x``: test_x)."""
    out = set()
    for target in targets:
        rest = re.sub(r"\[.*$", "", target)[len(path) :].lstrip(":")
        if test_id_file(target) == path and rest:
            out.add(re.split(r"::?", rest)[-1])
    return out


def from_tests(tests: Mapping[str, str], targets: Iterable[str] = ()) -> Material:
    """Pure: the material of the test files ``tests`` (path -> text): the functions the
    ``targets`` (test ids ``path::...::name``) name in each, or the whole file where they name
    none there (a file that does not parse gives nothing)."""
    targets = list(targets)
    nodes: list[ast.AST] = []
    for path, text in tests.items():
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        nodes += _named(tree, _target_names(targets, path)) or [tree]
    return gather(nodes) if nodes else EMPTY
