"""Guards: ``if x is None: return/continue`` before a statement (the exits are in ``exits``), mutable
defaults, aliasing."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FUNCTIONS, FileContext, replace
from rfsn.planners.patch.templates.python.conditions import usable_clauses
from rfsn.planners.patch.templates.python.exits import empty_like, guard_actions, guard_before, indent_unit
from rfsn.planners.patch.templates.python.scope import function_at, local_names, parameters


def _guardable_names(ctx: FileContext, line: int) -> tuple[ast.stmt | None, list[str]]:
    stmt, func = ctx.statement_at(line), function_at(ctx, line)
    if stmt is None or func is None or isinstance(stmt, FUNCTIONS):
        return None, []
    scope = set(local_names(func))
    names = [
        n.id for n in ctx.nodes_at(line) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in scope
    ]
    return stmt, list(dict.fromkeys(names))


def _root(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node


def guardable_parts(ctx: FileContext, line: int, scope: set[str]) -> list[str]:
    """The attributes and items the line reads of a local name or ``self`` (``block[0].text``,
    ``self.cache``), not a method called (``self.run``), at most ``MAX_PARTS``."""
    parts: dict[str, None] = {}
    for node in ctx.nodes_at(line):
        if not isinstance(node, ast.Attribute | ast.Subscript) or not isinstance(node.ctx, ast.Load):
            continue
        parent = ctx.parents.get(node)
        root = _root(node)
        if (
            (isinstance(parent, ast.Call) and parent.func is node)
            or isinstance(node.slice if isinstance(node, ast.Subscript) else None, ast.Slice)
            or not (isinstance(root, ast.Name) and (root.id in scope or root.id == "self"))
        ):
            continue
        text = ctx.map.text(node)
        if "\n" not in text:
            parts.setdefault(text)
    return list(parts)[:MAX_PARTS]


#: attributes and items of one line guarded against None
MAX_PARTS = 6


@template("none_guard", 0.55)
def none_guard(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``if x is None: continue/return ...`` before the statement, for each local name the line
    reads, then for each attribute or item of one (``if block[0].text is None: continue``)."""
    stmt, names = _guardable_names(ctx, line)
    if stmt is None:
        return
    func = function_at(ctx, line)
    parts = guardable_parts(ctx, line, set(local_names(func))) if func is not None else []
    for name in [*names, *parts]:
        yield from guard_before(ctx, stmt, f"{name} is None", guard_actions(ctx, stmt, line))


@template("empty_guard", 0.35)
def empty_guard(ctx: FileContext, line: int) -> Iterator[Edit]:
    stmt, names = _guardable_names(ctx, line)
    for name in names:
        yield from guard_before(ctx, stmt, f"not {name}", guard_actions(ctx, stmt, line))  # type: ignore[arg-type]


_MUTABLE = (ast.List, ast.Dict, ast.Set)


def _is_mutable(node: ast.AST | None) -> bool:
    if isinstance(node, _MUTABLE):
        return True
    return isinstance(node, ast.Call) and getattr(node.func, "id", "") in {"list", "dict", "set"}


def body_insertion_point(ctx: FileContext, func: ast.FunctionDef) -> tuple[int, str]:
    first = func.body[0]
    is_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    if is_doc and len(func.body) > 1:
        first = func.body[1]
    elif is_doc:
        return ctx.map.line_start(first.end_lineno + 1), ctx.map.indent(first.lineno)  # type: ignore[operator]
    return ctx.map.line_start(first.lineno), ctx.map.indent(first.lineno)


@template("mutable_default", 0.8)
def mutable_default(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``def f(x=[])`` -> ``def f(x=None)`` and ``if x is None: x = []`` in the body."""
    func = function_at(ctx, line)
    if func is None:
        return
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d]
    at, indent = body_insertion_point(ctx, func)
    unit = indent_unit(ctx)
    for arg, default in pairs:
        if not _is_mutable(default) or arg.arg not in parameters(func):
            continue
        start, end = ctx.map.span(default)
        empty = ctx.map.text(default)
        guard = f"{indent}if {arg.arg} is None:\n{indent}{unit}{arg.arg} = {empty}\n"
        yield Edit(
            (Splice(start, end, "None"), Splice(at, at, guard)),
            f"replace the mutable default `{arg.arg}={empty}` with None",
        )


_COPIES = {
    "list": "list",
    "List": "list",
    "Sequence": "list",
    "Iterable": "list",
    "dict": "dict",
    "Dict": "dict",
    "Mapping": "dict",
    "set": "set",
    "Set": "set",
}


def _annotation_copy(func: ast.FunctionDef, name: str) -> str | None:
    for arg in [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]:
        if arg.arg == name and arg.annotation is not None:
            head = arg.annotation.value if isinstance(arg.annotation, ast.Subscript) else arg.annotation
            label = head.attr if isinstance(head, ast.Attribute) else getattr(head, "id", "")
            return _COPIES.get(label)
    return None


@template("copy_argument", 0.5)
def copy_argument(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``self.items = items`` -> ``self.items = list(items)``: do not alias a caller's collection."""
    func = function_at(ctx, line)
    if func is None:
        return
    params = set(parameters(func))
    for node in ast.walk(func):
        if not (isinstance(node, ast.Assign | ast.AnnAssign) and node.lineno == line):
            continue
        value = node.value
        if not (isinstance(value, ast.Name) and value.id in params):
            continue
        preferred = _annotation_copy(func, value.id)
        kinds = [preferred] if preferred else ["list", "dict", "set"]
        for kind in kinds:
            yield replace(
                ctx, value, f"{kind}({value.id})", f"store a copy: `{kind}({value.id})` instead of the caller's object"
            )


#: the empty value of what a call to a builtin returns
_EMPTY_OF_CALL = {
    "int": "0",
    "float": "0.0",
    "abs": "0",
    "round": "0",
    "len": "0",
    "sum": "0",
    "str": '""',
    "list": "[]",
    "dict": "{}",
    "set": "set()",
    "tuple": "()",
}


@template("guard_expression", 0.3)
def guard_expression(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``x = f(n)`` -> ``x = f(n) if n else 0``: a value computed from a name that may be empty or
    zero, with the empty value of the builtin that makes it (None when none does)."""
    stmt, names = _guardable_names(ctx, line)
    value = getattr(stmt, "value", None)
    if (
        not isinstance(stmt, ast.Assign | ast.AnnAssign | ast.Return)
        or value is None
        or isinstance(value, ast.IfExp | ast.Name | ast.Constant)
    ):
        return
    text = ctx.map.text(value)
    if "\n" in text:
        return
    head = getattr(value.func, "id", "") if isinstance(value, ast.Call) else ""
    empty = _EMPTY_OF_CALL.get(head) or empty_like(value) or ("0" if isinstance(value, ast.BinOp) else "None")
    read = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
    for name in [n for n in names if n in read]:
        yield replace(ctx, value, f"{text} if {name} else {empty}", f"`{text}` only when `{name}` is set")


@template("clause_guard", 0.2, wide=True)
def clause_guard(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``if not self.is_type(instance, "object"): return`` (or ``if task.done(): continue``)
    before the statement: an early exit on a clause another condition of the file tests, either
    way (a bare ``return`` where the function returns no value)."""
    stmt, func = ctx.statement_at(line), function_at(ctx, line)
    if stmt is None or func is None or isinstance(stmt, FUNCTIONS):
        return
    actions = guard_actions(ctx, stmt, line)
    if not any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(func)):
        actions = [a for a in actions if not a.startswith("return")] + ["return"]
    for clause in usable_clauses(ctx, line):
        for test in (clause, f"not {clause}"):
            yield from guard_before(ctx, stmt, test, actions)


TEMPLATES = (none_guard, empty_guard, mutable_default, copy_argument, guard_expression, clause_guard)
