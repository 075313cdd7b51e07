"""An annotation made optional where the code gives ``None``: ``headers: LooseHeaders = None`` ->
``headers: Optional[LooseHeaders] = None`` (or ``LooseHeaders | None``), and a function's return
annotation when it returns ``None`` somewhere: the fix shapes "replaced Name by Subscript" and
"replaced Subscript by BinOp" of the fixes corpus (benchmarks/fixes)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FUNCTIONS, FileContext, own_nodes, replace


def _spellings(ctx: FileContext) -> list[str]:
    """How the file can write ``Optional[...]`` (``{}`` for the type): by the name it imports
    from ``typing``, by ``typing``'s alias; and ``... | None``."""
    if "optional_spellings" not in ctx.cache:
        found = []
        for node in ast.walk(ctx.tree):
            for alias in node.names if isinstance(node, ast.Import | ast.ImportFrom) else []:
                if isinstance(node, ast.ImportFrom) and node.module == "typing" and alias.name == "Optional":
                    found.append(f"{alias.asname or 'Optional'}[{{}}]")
                elif isinstance(node, ast.Import) and alias.name == "typing":
                    found.append(f"{alias.asname or 'typing'}.Optional[{{}}]")
        ctx.cache["optional_spellings"] = [*dict.fromkeys(found), "{} | None"]
    return ctx.cache["optional_spellings"]


def _optional(node: ast.expr) -> bool:
    """Whether an annotation admits ``None`` already (or anything)."""
    text = ast.unparse(node)
    return "Optional" in text or "None" in text or "Any" in text or text.strip("'\"") in ("object", "")


def _returns_none(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the function (not its nested ones) has a ``return None`` or a bare ``return``."""
    return any(
        isinstance(node, ast.Return) and (node.value is None or ast.unparse(node.value) == "None")
        for node in own_nodes(func)
    )


@template("optional_annotation", 0.2)
def optional_annotation(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``x: T = None`` -> ``x: Optional[T] = None`` (or ``T | None``); ``-> T`` likewise when
    the function returns ``None``."""
    func = ctx.statement_at(line)
    if not isinstance(func, FUNCTIONS) or (func.body[0].lineno <= line):
        return
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
    annotations = [a.annotation for a, d in pairs if isinstance(d, ast.Constant) and d.value is None]
    if func.returns is not None and _returns_none(func):
        annotations.append(func.returns)
    for node in annotations:
        if node is not None and node.lineno == line and not _optional(node):
            text = ctx.map.text(node)
            for spelling in _spellings(ctx):
                yield replace(ctx, node, spelling.format(text), f"let `{text}` be None")


TEMPLATES = (optional_annotation,)
