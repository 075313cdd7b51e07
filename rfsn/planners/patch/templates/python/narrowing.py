"""An expression narrowed to the part it was built on: ``BodyChannel(self.transport)`` ->
``BodyChannel(self)``, ``getsize(text)[0]`` -> ``getsize(text)``, ``"PIL." + module`` ->
``module``: the fix shape "expression narrowed" of the fixes corpus (benchmarks/fixes)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext
from rfsn.planners.patch.templates.python.exprs import precedence, substitute

#: the operators whose result is narrowed to an operand (``"PIL." + module``, ``T | None``)
_NARROWED = (ast.Add, ast.Sub, ast.Mult, ast.BitOr, ast.Mod)


def _imported(ctx: FileContext) -> set[str]:
    """The names import statements bind anywhere in the file (modules, mostly)."""
    if "imported_names" not in ctx.cache:
        ctx.cache["imported_names"] = {
            (alias.asname or alias.name).split(".")[0]
            for node in ast.walk(ctx.tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
    return ctx.cache["imported_names"]


def _parts(ctx: FileContext, node: ast.AST) -> list[ast.expr]:
    """The sub-expressions ``node`` may be narrowed to (none for a method's receiver, a
    module's attribute or a stored target)."""
    if not isinstance(getattr(node, "ctx", ast.Load()), ast.Load):
        return []
    if isinstance(node, ast.Attribute):
        parent = ctx.parents.get(node)
        called = isinstance(parent, ast.Call) and parent.func is node
        module = isinstance(node.value, ast.Name) and node.value.id in _imported(ctx)
        return [] if called or module else [node.value]
    if isinstance(node, ast.Subscript):
        return [node.value]
    if isinstance(node, ast.BinOp) and isinstance(node.op, _NARROWED):
        return [node.left, node.right]
    return []


@template("narrow_expression", 0.2, wide=True)
def narrow_expression(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``a.b`` -> ``a``, ``a[i]`` -> ``a``, ``a + b`` -> ``a`` or ``b``: a value read one step
    too far, or combined with what it should not be."""
    for node in ctx.nodes_at(line):
        for part in _parts(ctx, node):
            text = ctx.map.text(part)
            if isinstance(part, ast.Constant) or "\n" in text:
                continue
            yield substitute(ctx, node, text, precedence(part), f"narrow `{ctx.map.text(node)[:60]}` to `{text}`")


TEMPLATES = (narrow_expression,)
