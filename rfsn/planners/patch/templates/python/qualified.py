"""A name read through the module that defines it, or the other way round (``StringIO()`` ->
``io.StringIO()`` where ``io`` is imported; ``auth.AuthBase`` -> ``AuthBase`` where the file
imports ``AuthBase`` itself): the fix shape "replaced name <- module name" of the fixes corpus
(benchmarks/fixes)."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator

from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, of_type, replace


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
        if isinstance(node.value, ast.Name) and node.value.id in whole and node.attr in names:
            yield replace(ctx, node, node.attr, f"read `{node.attr}` as the file imports it")


TEMPLATES = (qualified_name,)
