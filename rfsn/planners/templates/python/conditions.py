"""Condition repairs: negation (whole or one clause), widening/narrowing with None checks, dropped conjuncts."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.templates.python.base import Edit, FileContext, of_type, replace, template
from rfsn.planners.templates.python.scope import function_at, local_names

_LOOSE = (ast.BoolOp, ast.IfExp, ast.NamedExpr, ast.Lambda)


def conditions_at(ctx: FileContext, line: int) -> Iterator[ast.expr]:
    for node in ctx.nodes_at(line):
        if isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert):
            yield node.test
        elif isinstance(node, ast.comprehension):
            yield from node.ifs


def _wrapped(ctx: FileContext, node: ast.AST) -> str:
    text = ctx.map.text(node)
    return f"({text})" if isinstance(node, _LOOSE) else text


@template("negate_condition", 0.55)
def negate_condition(ctx: FileContext, line: int) -> Iterator[Edit]:
    for test in conditions_at(ctx, line):
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            continue
        yield replace(ctx, test, f"not {_wrapped(ctx, test)}", "negate the condition")


def _negated(ctx: FileContext, node: ast.expr) -> str:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _wrapped(ctx, node.operand)
    return f"not {_wrapped(ctx, node)}"


@template("negate_clause", 0.6)
def negate_clause(ctx: FileContext, line: int) -> Iterator[Edit]:
    """Negate one operand of an ``and``/``or`` chain (``a and b`` -> ``a and not b``)."""
    for node in of_type(ctx.nodes_at(line), ast.BoolOp):
        for clause in node.values:
            yield replace(ctx, clause, _negated(ctx, clause), f"negate `{ctx.map.text(clause)}`")


def _condition_names(ctx: FileContext, line: int, test: ast.AST) -> list[str]:
    func = function_at(ctx, line)
    scope = set(local_names(func)) if func else set()
    names = [n.id for n in ast.walk(test) if isinstance(n, ast.Name) and n.id in scope]
    return list(dict.fromkeys(names))


@template("widen_condition", 0.45)
def widen_condition(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``if c`` -> ``if c or x is None`` / ``if c and x is not None``."""
    for test in conditions_at(ctx, line):
        base = _wrapped(ctx, test)
        for name in _condition_names(ctx, line, test):
            yield replace(ctx, test, f"{base} or {name} is None", f"also accept `{name} is None`")
            new = f"{base} and {name} is not None"
            yield replace(ctx, test, new, f"also require `{name} is not None`")


@template("drop_conjunct", 0.5)
def drop_conjunct(ctx: FileContext, line: int) -> Iterator[Edit]:
    """Remove one operand of an ``and``/``or`` chain."""
    for node in of_type(ctx.nodes_at(line), ast.BoolOp):
        op = " and " if isinstance(node.op, ast.And) else " or "
        for i, dropped in enumerate(node.values):
            rest = [_wrapped(ctx, v) for j, v in enumerate(node.values) if j != i]
            yield replace(ctx, node, op.join(rest), f"drop `{ctx.map.text(dropped)}`")


TEMPLATES = (negate_condition, negate_clause, widen_condition, drop_conjunct)
