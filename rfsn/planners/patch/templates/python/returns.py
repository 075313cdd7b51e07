"""Return-value changes and exception repairs (other type, wrap a bare re-raise, widen a try)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from itertools import islice, product

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FUNCTIONS, FileContext, of_type, replace
from rfsn.planners.patch.templates.python.scope import class_at, function_at, local_names

BUILTIN_ERRORS = (
    "ValueError",
    "KeyError",
    "TypeError",
    "IndexError",
    "LookupError",
    "RuntimeError",
    "AttributeError",
    "ZeroDivisionError",
    "NotImplementedError",
    "OverflowError",
)


def _free_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _value_expressions(ctx: FileContext, line: int) -> list[str]:
    """Names and simple l-values (``self.x``, ``d[k]``) usable at ``line``."""
    func = function_at(ctx, line)
    if func is None:
        return []
    scope = {*local_names(func), "self", "cls"}
    owners = [func, *([c] if (c := class_at(ctx, line)) else [])]
    seen: dict[str, None] = dict.fromkeys(local_names(func))
    for owner in owners:
        for node in ast.walk(owner):
            if (
                isinstance(node, ast.Attribute | ast.Subscript)
                and _free_names(node) <= scope
                and not isinstance(ctx.parents.get(node), ast.Call | ast.Attribute)
            ):
                seen.setdefault(ctx.map.text(node))
    return list(seen)


@template("return_value", 0.6)
def return_value(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``return a`` -> ``return b`` for other values in scope, or ``return None``."""
    for ret in of_type(ctx.nodes_at(line), ast.Return):
        if ret.value is None:
            continue
        old = ctx.map.text(ret.value)
        for option in [*_value_expressions(ctx, line), "None"]:
            if option != old and "\n" not in option:
                yield replace(ctx, ret.value, option, f"return `{option}` instead of `{old}`")


def _project_exceptions(ctx: FileContext) -> dict[str, ast.ClassDef]:
    if "project_exceptions" not in ctx.cache:
        ctx.cache["project_exceptions"] = _find_project_exceptions(ctx)
    return ctx.cache["project_exceptions"]


def _find_project_exceptions(ctx: FileContext) -> dict[str, ast.ClassDef]:
    out: dict[str, ast.ClassDef] = {}
    for tree in ctx.project_trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                ast.unparse(b).endswith(("Error", "Exception", "Warning")) for b in node.bases
            ):
                out.setdefault(node.name, node)
    return out


def _visible_names(ctx: FileContext) -> set[str]:
    if "visible_names" not in ctx.cache:
        ctx.cache["visible_names"] = _find_visible_names(ctx)
    return ctx.cache["visible_names"]


def _find_visible_names(ctx: FileContext) -> set[str]:
    return (
        {n.id for n in ast.walk(ctx.tree) if isinstance(n, ast.Name)}
        | {
            (a.asname or a.name).split(".")[0]
            for n in ast.walk(ctx.tree)
            if isinstance(n, ast.Import | ast.ImportFrom)
            for a in n.names
        }
        | {n.name for n in ast.walk(ctx.tree) if isinstance(n, ast.ClassDef)}
    )


@template("raise_other_exception", 0.5)
def raise_other_exception(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``raise ValueError(...)`` -> ``raise KeyError(...)`` or a project exception."""
    visible = _visible_names(ctx)
    options = [n for n in _project_exceptions(ctx) if n in visible] + list(BUILTIN_ERRORS)
    for node in of_type(ctx.nodes_at(line), ast.Raise):
        target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        if isinstance(target, ast.Name):
            for other in dict.fromkeys(options):
                if other != target.id:
                    yield replace(ctx, target, other, f"raise `{other}` instead of `{target.id}`")


def _param_options(param: ast.arg, scope: list[str], exc_name: str) -> list[str]:
    annotation = ast.unparse(param.annotation) if param.annotation else ""
    if "Exception" in annotation or "Error" in annotation or "exc" in param.arg:
        return [exc_name]
    close = [n for n in scope if n == param.arg]
    close += [n for n in scope if n != param.arg and _common_prefix(n, param.arg) >= 4]
    if not close and ("message" in param.arg or "msg" in param.arg):
        return [f"str({exc_name})"]
    return close


def _common_prefix(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _constructor_args(cls: ast.ClassDef, scope: list[str], exc_name: str) -> list[str]:
    init = next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
    if init is None:
        return [f"str({exc_name})", ""]
    params = [a for a in init.args.args[1:] if a.arg]
    choices = [_param_options(p, scope, exc_name) for p in params]
    if any(not c for c in choices):
        return []
    return [", ".join(combo) for combo in islice(product(*choices), 8)]


@template("wrap_reraise", 0.55)
def wrap_reraise(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A bare ``raise`` in ``except ... as e`` -> ``raise ProjectError(...) from e``."""
    func = function_at(ctx, line)
    scope = local_names(func) if func else []
    for node in of_type(ctx.nodes_at(line), ast.Raise):
        handler = ctx.enclosing(node, (ast.ExceptHandler,))
        if node.exc is not None or not isinstance(handler, ast.ExceptHandler) or not handler.name:
            continue
        visible = _visible_names(ctx)
        for name, cls in _project_exceptions(ctx).items():
            if name not in visible:
                continue
            for args in _constructor_args(cls, scope, handler.name):
                text = f"raise {name}({args}) from {handler.name}"
                yield replace(ctx, node, text, f"replace the bare `raise` with `{text}`")


def _next_sibling(ctx: FileContext, stmt: ast.stmt) -> ast.stmt | None:
    parent = ctx.parents.get(stmt)
    for _, value in ast.iter_fields(parent) if parent else ():
        if isinstance(value, list) and stmt in value:
            at = value.index(stmt) + 1
            return value[at] if at < len(value) else None
    return None


@template("widen_try", 0.4)
def widen_try(ctx: FileContext, line: int) -> Iterator[Edit]:
    """The statement just before a ``try:`` (or the one holding ``line`` that is) moved into it:
    what the handler was meant to catch is raised before the ``try`` starts."""
    stmt = ctx.statement_at(line)
    chain = [stmt, *ctx.ancestors(stmt)] if stmt is not None else []
    for node in chain:
        if not isinstance(node, ast.stmt) or isinstance(node, FUNCTIONS | ast.ClassDef):
            return
        after = _next_sibling(ctx, node)
        if (
            not isinstance(after, ast.Try)
            or not after.handlers
            or ctx.map.line_start(node.lineno) + len(ctx.map.indent(node.lineno)) != ctx.map.span(node)[0]
        ):
            continue
        outer, inner = ctx.map.indent(node.lineno), ctx.map.indent(after.body[0].lineno)
        start, end = ctx.map.line_start(node.lineno), ctx.map.line_start(node.end_lineno + 1)  # type: ignore[operator]
        moved = "".join(
            inner + text[len(outer) :] if text.startswith(outer) and text.strip() else text
            for text in ctx.map.lines[node.lineno - 1 : node.end_lineno]
        )
        at = ctx.map.line_start(after.body[0].lineno)
        yield Edit(
            (Splice(start, end, ""), Splice(at, at, moved)),
            f"move line {node.lineno} into the `try` of line {after.lineno}",
        )
        return


TEMPLATES = (return_value, raise_other_exception, wrap_reraise, widen_try)
