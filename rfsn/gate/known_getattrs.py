"""``getattr`` calls (and ``__dict__`` reads) whose attribute is known, for ``session_flow``.

An attribute read at run time may be any attribute, a private one that holds the running
session among them (``getattr(pytester, name)``). It is known not to be when the object is a
standard-library module the file imported (``getattr(sys, path_type)``: no pytest object lives
there; reaching further takes an attribute that is a session root itself), or when the name can
only be one of the literal strings a ``parametrize`` of the function hands in
(``getattr(lines, function)`` with ``function`` in ``["fnmatch_lines", "re_match_lines"]``).
"""

from __future__ import annotations

import ast
import sys

from rfsn.gate.scopes import Key


def known_getattrs(tree: ast.AST, keys: dict[int, Key], unsafe: frozenset[str]) -> set[int]:
    """The ``id()`` of each ``getattr(obj, NAME)`` whose attribute is known to be none of
    ``unsafe``, and of each ``__dict__`` read by a constant key (``is_session_root`` judges it)."""
    modules = _stdlib_modules(tree)
    parameters = _parametrized(tree, keys, unsafe)
    stored = {keys.get(id(n)) for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    known: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Subscript | ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "__dict__"
            and _names_or_writes(node)
        ):
            known.add(id(node.value))  # ``mod.__dict__["pytest_plugins"]``, ``self.__dict__.update(kw)``
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
        ):
            continue
        receiver, name = node.args[0], node.args[1]
        if (isinstance(receiver, ast.Name) and receiver.id in modules) or (
            isinstance(name, ast.Name) and keys.get(id(name)) in parameters - stored
        ):
            known.add(id(node))
    return known


def _names_or_writes(node: ast.Subscript | ast.Attribute) -> bool:
    """A namespace's item named by a constant, or written, not read (``update``)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "update"
    return isinstance(node.slice, ast.Constant) or not isinstance(node.ctx, ast.Load)


def _stdlib_modules(tree: ast.AST) -> frozenset[str]:
    """Names bound to standard-library modules by ``import`` and never bound otherwise."""
    imported, other = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.asname or alias.name for alias in node.names if alias.name in sys.stdlib_module_names}
        elif isinstance(node, ast.ImportFrom):
            other |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            other.add(node.id)
        elif isinstance(node, ast.arg):
            other.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            other.add(node.name)
    return frozenset(imported - other)


def _parametrized(tree: ast.AST, keys: dict[int, Key], unsafe: frozenset[str]) -> set[Key]:
    """Parameters of functions that a direct ``parametrize`` (not ``indirect``) feeds with
    literal strings only, none of them ``unsafe``."""
    out: set[Key] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        values: dict[str, list[object]] = {}
        for decorator in node.decorator_list:
            for name, value in _parametrize_values(decorator):
                values.setdefault(name, []).append(value)
        for name, found in values.items():
            if found and all(isinstance(v, str) and v not in unsafe for v in found):
                out.add((id(node), name))
    return out


def _parametrize_values(decorator: ast.expr) -> list[tuple[str, object]]:
    if not (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == "parametrize"
        and len(decorator.args) >= 2
    ) or any(k.arg == "indirect" for k in decorator.keywords):
        return []
    names, rows = decorator.args[0], decorator.args[1]
    if not (
        isinstance(names, ast.Constant) and isinstance(names.value, str) and isinstance(rows, ast.List | ast.Tuple)
    ):
        return []
    columns = [n.strip() for n in names.value.split(",") if n.strip()]
    out: list[tuple[str, object]] = []
    for row in rows.elts:
        cells = list(row.elts) if len(columns) > 1 and isinstance(row, ast.Tuple | ast.List) else [row]
        if len(cells) != len(columns):
            return [(column, None) for column in columns]
        out += [
            (column, cell.value if isinstance(cell, ast.Constant) else None)
            for column, cell in zip(columns, cells, strict=True)
        ]
    return out
