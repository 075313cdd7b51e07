"""Names and arguments in the wrong one of two nested places: a name no scope binds (a nested
function's ``NameError``) for a name an enclosing scope holds, and an argument passed to the
wrong call of a nested pair (``outer(inner(it, k))`` <-> ``outer(inner(it), k)``)."""

from __future__ import annotations

import ast
import copy
import difflib
from collections.abc import Iterator

from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FUNCTIONS, FileContext, of_type, replace
from rfsn.planners.patch.templates.python.scope import BUILTIN_NAMES, function_at, local_names, module_names

#: names offered for one unbound name, the most similar first
MAX_NAMES = 6


def _visible(ctx: FileContext, func: ast.AST) -> list[str]:
    """The names bound by ``func`` and the functions enclosing it, innermost first."""
    out: dict[str, None] = {}
    scope: ast.AST | None = func
    while scope is not None:
        out.update(dict.fromkeys(local_names(scope)))  # type: ignore[arg-type]
        for node in ast.walk(scope):
            if isinstance(node, FUNCTIONS | ast.ClassDef) and node is not scope:
                out.setdefault(node.name)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                out.update(dict.fromkeys((a.asname or a.name).split(".")[0] for a in node.names))
        scope = ctx.enclosing(scope, FUNCTIONS)
    return list(out)


def _declared(ctx: FileContext) -> set[str]:
    """Names declared ``global``/``nonlocal`` or bound at module level by any statement."""
    out = {n for node in ast.walk(ctx.tree) if isinstance(node, ast.Global | ast.Nonlocal) for n in node.names}
    return out | {
        n.id
        for stmt in ctx.tree.body
        if not isinstance(stmt, FUNCTIONS | ast.ClassDef)
        for n in ast.walk(stmt)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


@template("unbound_name", 0.6)
def unbound_name(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A name read on the line that no scope binds (a ``NameError``: ``scale`` in a nested
    function whose enclosing one takes ``factor``) -> the most similar names the function or an
    enclosing one binds (their parameters first), or the module."""
    func = function_at(ctx, line)
    if func is None:
        return
    visible = _visible(ctx, func)
    bound = {*visible, *module_names(ctx), *BUILTIN_NAMES, *_declared(ctx)}
    options = [*visible, *sorted(module_names(ctx))]
    for node in of_type(ctx.nodes_at(line), ast.Name):
        if isinstance(node.ctx, ast.Load) and node.id not in bound:
            ranked = sorted(options, key=lambda o: -difflib.SequenceMatcher(None, node.id, o).ratio())
            for other in ranked[:MAX_NAMES]:
                yield replace(ctx, node, other, f"replace the unbound `{node.id}` with `{other}`")


def _moved(outer: ast.Call, index: int, inward: bool) -> ast.Call | None:
    """``outer`` with one argument moved between it and its ``index``-th argument (a call):
    the inner call's last argument out after it, or the outer's next argument into it."""
    new = copy.deepcopy(outer)
    inner = new.args[index]
    assert isinstance(inner, ast.Call)
    if not inward and len(inner.args) > 1 and not isinstance(inner.args[-1], ast.Starred):
        new.args.insert(index + 1, inner.args.pop())
    elif not inward and inner.keywords and inner.keywords[-1].arg:
        new.keywords.append(inner.keywords.pop())
    elif inward and index + 1 < len(new.args) and not isinstance(new.args[index + 1], ast.Starred):
        inner.args.append(new.args.pop(index + 1))
    elif inward and index + 1 == len(new.args) and new.keywords and new.keywords[-1].arg:
        inner.keywords.append(new.keywords.pop())
    else:
        return None
    return new


@template("move_argument", 0.45)
def move_argument(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``outer(inner(it, k))`` -> ``outer(inner(it), k)`` and back: an argument (positional or
    keyword) given to the wrong call of a nested pair."""
    for outer in of_type(ctx.nodes_at(line), ast.Call):
        for index, arg in enumerate(outer.args):
            if not isinstance(arg, ast.Call):
                continue
            for inward in (False, True):
                new = _moved(outer, index, inward)
                if new is not None:
                    where = f"{'into' if inward else 'out of'} `{ast.unparse(arg.func)}(...)`"
                    yield replace(ctx, outer, ast.unparse(new), f"move an argument {where}")


TEMPLATES = (unbound_name, move_argument)
