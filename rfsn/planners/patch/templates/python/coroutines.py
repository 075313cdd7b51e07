"""A function declared ``async`` that awaits nothing, made plain: ``async def __await__(self)`` ->
``def __await__(self)``, ``async def wait(self)`` returning an awaitable -> ``def wait(self)``:
the fix shape "replaced AsyncFunctionDef by FunctionDef" of the fixes corpus (benchmarks/fixes)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, own_nodes

_AWAITING = (ast.Await, ast.AsyncFor, ast.AsyncWith, ast.Yield, ast.YieldFrom)


def _awaits(func: ast.AsyncFunctionDef) -> bool:
    """Whether the coroutine's own body (not a nested function's) awaits, or yields."""
    return any(
        isinstance(node, _AWAITING) or (isinstance(node, ast.comprehension) and node.is_async)
        for node in own_nodes(func)
    )


@template("drop_async", 0.3)
def drop_async(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``async def f(...)`` -> ``def f(...)`` at its header when its body never awaits."""
    func = ctx.statement_at(line)
    if not isinstance(func, ast.AsyncFunctionDef) or line >= func.body[0].lineno or _awaits(func):
        return
    start = ctx.map.offset(func.lineno, func.col_offset)
    if ctx.source.startswith("async", start):
        end = start + len("async")
        while ctx.source[end] in " \t":
            end += 1
        yield Edit((Splice(start, end, ""),), f"make `{func.name}` a plain function: it awaits nothing")


TEMPLATES = (drop_async,)
