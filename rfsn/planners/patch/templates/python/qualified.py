"""A name read through the module that defines it, or the other way round (``StringIO()`` ->
``io.StringIO()`` where ``io`` is imported; ``auth.AuthBase`` -> ``AuthBase`` where the file
imports ``AuthBase`` itself, and ``auth`` is imported too or bound nowhere): the fix shape
"replaced name <- module name" of the fixes corpus (benchmarks/fixes)."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator

from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FUNCTIONS, FileContext, of_type, replace
from rfsn.planners.patch.templates.python.scope import BUILTIN_NAMES


def _imported(ctx: FileContext) -> tuple[list[str], set[str]]:
    """The modules the file imports whole (``import io``) and the names it imports from one
    (``from requests.auth import AuthBase``), at module level (computed once a file)."""
    if "imported" not in ctx.cache:
        whole: list[str] = []
        names: set[str] = set()
        for stmt in ctx.tree.body:
            if isinstance(stmt, ast.Import):
                whole += [a.asname or a.name for a in stmt.names if "." not in a.name or a.asname]
            elif isinstance(stmt, ast.ImportFrom):
                names |= {a.asname or a.name for a in stmt.names}
        ctx.cache["imported"] = (whole, names)
    return ctx.cache["imported"]


def _defines(module: str, name: str) -> bool:
    """Whether ``module``, a standard-library module this process has loaded already, has
    ``name`` (nothing is imported here: an import may run anything)."""
    loaded = sys.modules.get(module) if module in sys.stdlib_module_names else None
    return loaded is not None and hasattr(loaded, name)


def _unbound(ctx: FileContext, name: str) -> bool:
    """Whether the file binds ``name`` nowhere (no import, assignment, definition, parameter,
    builtin): reading it raises NameError."""
    if "bound" not in ctx.cache:
        bound = set(BUILTIN_NAMES)
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                bound.add(node.id)
            elif isinstance(node, ast.alias):
                bound.add((node.asname or node.name).split(".")[0])
            elif isinstance(node, FUNCTIONS | ast.ClassDef):
                bound.add(node.name)
            elif isinstance(node, ast.arg):
                bound.add(node.arg)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                bound.add(node.name)
        ctx.cache["bound"] = bound
    return name not in ctx.cache["bound"]


@template("qualified_name", 0.3)
def qualified_name(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A name of ``line`` read from an imported standard module that defines it, and a
    module's attribute read by the name the file imports it under."""
    whole, names = _imported(ctx)
    nodes = ctx.nodes_at(line)
    for node in of_type(nodes, ast.Name):
        if isinstance(node.ctx, ast.Load):
            for module in (m for m in whole if _defines(m, node.id)):
                yield replace(ctx, node, f"{module}.{node.id}", f"read `{node.id}` from `{module}`")
    for node in of_type(nodes, ast.Attribute):
        base = node.value.id if isinstance(node.value, ast.Name) else None
        if base is not None and (base in whole or _unbound(ctx, base)) and node.attr in names:
            yield replace(ctx, node, node.attr, f"read `{node.attr}` as the file imports it")


TEMPLATES = (qualified_name,)
