"""Values that may be absent or out of range: a lookup that may miss, a difference that may go
below zero, an argument a caller may leave out, a test of truth meant as a test of None.

Each makes at most one edit per expression (or parameter) of the line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FUNCTIONS, FileContext, of_type
from rfsn.planners.patch.templates.python.conditions import conditions_at
from rfsn.planners.patch.templates.python.exprs import ATOM, CMP, substitute

#: parameters of one signature given a default: the last ones, at most this many at once
MAX_DEFAULTED = 4


@template("subscript_get", 0.5)
def subscript_get(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``a[k]`` -> ``a.get(k)``: a key that may be missing reads as None."""
    for node in of_type(ctx.nodes_at(line), ast.Subscript):
        if (
            not isinstance(node.ctx, ast.Load)
            or isinstance(node.slice, ast.Slice | ast.Tuple)
            or isinstance(node.value, ast.Constant | ast.List | ast.Tuple | ast.JoinedStr)
        ):
            continue
        base, key = ctx.map.text(node.value), ctx.map.text(node.slice)
        if "\n" in base or "\n" in key:
            continue
        yield substitute(ctx, node, f"{base}.get({key})", ATOM, f"read `{base}[{key}]` with `.get`")


def _differences(ctx: FileContext, line: int) -> Iterator[ast.expr]:
    """The whole additive expressions of the line that subtract (``n - k - 1``, ``-k``)."""
    for node in ctx.nodes_at(line):
        parent = ctx.parents.get(node)
        if not isinstance(node, ast.expr) or (
            isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add | ast.Sub)
        ):
            continue  # a part of a longer sum
        negative = (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub)
            and not isinstance(node.operand, ast.Constant)
        )
        if negative or (
            isinstance(node, ast.BinOp)
            and any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Sub) for n in _sum_terms(node))
        ):
            yield node


def _sum_terms(node: ast.BinOp) -> Iterator[ast.AST]:
    """``node`` and the sums and differences it is made of (``a - b + c``: both operations)."""
    if not isinstance(node.op, ast.Add | ast.Sub):
        return
    yield node
    for side in (node.left, node.right):
        if isinstance(side, ast.BinOp) and isinstance(side.op, ast.Add | ast.Sub):
            yield from _sum_terms(side)


@template("clamp_at_zero", 0.45)
def clamp_at_zero(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``n - k`` -> ``max(0, n - k)``: a count, width or precision never below zero."""
    for node in _differences(ctx, line):
        text = ctx.map.text(node)
        parent = ctx.parents.get(node)
        if "\n" in text or (isinstance(parent, ast.Call) and getattr(parent.func, "id", "") in {"max", "min"}):
            continue
        yield substitute(ctx, node, f"max(0, {text})", ATOM, f"clamp `{text}` at zero: `max(0, ...)`")


@template("default_none", 0.5)
def default_none(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``def f(a, b, c)`` -> ``def f(a, b, c=None)``, ``def f(a, b=None, c=None)``, ...: the last
    parameters made optional (and each keyword-only one alone), at the signature's lines."""
    func = ctx.statement_at(line)
    if not isinstance(func, FUNCTIONS) or not func.body or line >= func.body[0].lineno:
        return
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    required = positional[: len(positional) - len(args.defaults)]
    if required and required[0].arg in {"self", "cls"} and ctx.enclosing(func, (ast.ClassDef,)):
        required = required[1:]
    for count in range(1, min(len(required), MAX_DEFAULTED) + 1):
        chosen = required[-count:]
        names = ", ".join(f"{a.arg}=None" for a in chosen)
        yield Edit(
            tuple(Splice(end, end, "=None") for end in (ctx.map.span(a)[1] for a in chosen)), f"make `{names}` optional"
        )
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if default is None:
            end = ctx.map.span(arg)[1]
            yield Edit((Splice(end, end, "=None"),), f"make the keyword `{arg.arg}=None` optional")


def _truth_tests(test: ast.expr) -> Iterator[tuple[ast.expr, bool]]:
    """The names and attributes a condition tests for truth, and whether negated (``not x``)."""
    if isinstance(test, ast.BoolOp):
        for value in test.values:
            yield from _truth_tests(value)
    elif (
        isinstance(test, ast.UnaryOp)
        and isinstance(test.op, ast.Not)
        and isinstance(test.operand, ast.Name | ast.Attribute)
    ):
        yield test, True
    elif isinstance(test, ast.Name | ast.Attribute):
        yield test, False


@template("truth_as_none_test", 0.45)
def truth_as_none_test(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``if key`` -> ``if key is not None``, ``if not key`` -> ``if key is None``: a value such as
    0 or "" is given, not absent."""
    for condition in conditions_at(ctx, line):
        for node, negated in _truth_tests(condition):
            name = ctx.map.text(node.operand if isinstance(node, ast.UnaryOp) else node)
            if "\n" in name or name in {"True", "False", "None"}:
                continue
            new = f"{name} is None" if negated else f"{name} is not None"
            yield substitute(ctx, node, new, CMP, f"test `{name}` against None, not for truth")


TEMPLATES = (subscript_get, clamp_at_zero, default_none, truth_as_none_test)
