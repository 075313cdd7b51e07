"""Type tests too narrow: a builtin type where its abstract base was meant, a class left out."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FUNCTIONS, FileContext, of_type, replace

#: a builtin type and the abstract bases (``collections.abc``, ``numbers``, six) that widen it
ABSTRACT = {
    "dict": ("Mapping", "MutableMapping"),
    "list": ("Sequence", "MutableSequence", "Iterable"),
    "tuple": ("Sequence", "Iterable"),
    "set": ("Set", "AbstractSet", "MutableSet"),
    "frozenset": ("Set", "AbstractSet"),
    "int": ("Integral", "Number"),
    "float": ("Real", "Number"),
    "str": ("string_types", "basestring"),
}


def imported_names(ctx: FileContext) -> set[str]:
    """Names the module binds outside its functions: imports (in ``try`` blocks too) and
    assignments."""
    key = "imported_names"
    if key not in ctx.cache:
        names: set[str] = set()
        stack: list[ast.AST] = list(ctx.tree.body)
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Import | ast.ImportFrom):
                names |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, ast.Assign):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            elif not isinstance(node, FUNCTIONS | ast.ClassDef | ast.expr):
                stack.extend(ast.iter_child_nodes(node))
        ctx.cache[key] = names
    return ctx.cache[key]


@template("abstract_type", 0.5)
def abstract_type(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``isinstance(x, dict)`` -> ``isinstance(x, Mapping)``, with the bases the module binds."""
    bound = imported_names(ctx)
    for call in of_type(ctx.nodes_at(line), ast.Call):
        if getattr(call.func, "id", "") not in {"isinstance", "issubclass"} or len(call.args) != 2:
            continue
        kinds = call.args[1].elts if isinstance(call.args[1], ast.Tuple) else [call.args[1]]
        for kind in kinds:
            if not isinstance(kind, ast.Name):
                continue
            for base in ABSTRACT.get(kind.id, ()):
                if base in bound:
                    yield replace(ctx, kind, base, f"test for `{base}`, not only `{kind.id}`")


def _type_tests(ctx: FileContext) -> list[str]:
    """The classes the module tests with ``isinstance``/``issubclass``, once a file."""
    key = "type_tests"
    if key not in ctx.cache:
        found: dict[str, None] = {}
        for call in ast.walk(ctx.tree):
            if _kinds(call):
                found.update((ctx.map.text(k), None) for k in _kinds(call))
        ctx.cache[key] = [k for k in found if "\n" not in k]
    return ctx.cache[key]


def _kinds(node: ast.AST) -> list[ast.expr]:
    if not (
        isinstance(node, ast.Call)
        and getattr(node.func, "id", "") in {"isinstance", "issubclass"}
        and len(node.args) == 2
    ):
        return []
    kinds = node.args[1].elts if isinstance(node.args[1], ast.Tuple) else [node.args[1]]
    return [k for k in kinds if isinstance(k, ast.Name | ast.Attribute)]


@template("add_tested_type", 0.35)
def add_tested_type(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``isinstance(t, (sql.A, sql.B))`` -> ``(sql.A, sql.B, sql.C)``: a class the module tests
    elsewhere, of the same namespace, left out of this test."""
    for call in of_type(ctx.nodes_at(line), ast.Call):
        kinds = _kinds(call)
        if not kinds or len(kinds) != (len(call.args[1].elts) if isinstance(call.args[1], ast.Tuple) else 1):
            continue
        texts = [ctx.map.text(k) for k in kinds]
        spaces = {t.rpartition(".")[0] for t in texts}
        for other in _type_tests(ctx):
            if other not in texts and other.rpartition(".")[0] in spaces:
                joined = ", ".join([*texts, other])
                yield replace(ctx, call.args[1], f"({joined})", f"test for `{other}` too")


TEMPLATES = (abstract_type, add_tested_type)
