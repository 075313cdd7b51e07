"""Swaps: call arguments, operands of non-commutative operators and comparisons, indices."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from itertools import combinations

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, of_type


def _swap(ctx: FileContext, a: ast.AST, b: ast.AST, what: str) -> Edit:
    (a0, a1), (b0, b1) = ctx.map.span(a), ctx.map.span(b)
    ta, tb = ctx.source[a0:a1], ctx.source[b0:b1]
    return Edit((Splice(a0, a1, tb), Splice(b0, b1, ta)), f"swap {what} `{ta}` and `{tb}`")


@template("swap_call_arguments", 0.8)
def swap_call_arguments(ctx: FileContext, line: int) -> Iterator[Edit]:
    for call in of_type(ctx.nodes_at(line), ast.Call):
        args = [a for a in call.args if not isinstance(a, ast.Starred)]
        for a, b in combinations(args, 2):
            if ast.dump(a) != ast.dump(b):
                yield _swap(ctx, a, b, "arguments")


_NON_COMMUTATIVE = (ast.Sub, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.LShift, ast.RShift)


@template("swap_operands", 0.6)
def swap_operands(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``a - b`` -> ``b - a``; ``a < b`` -> ``b < a`` (single comparisons only)."""
    for node in ctx.nodes_at(line):
        if isinstance(node, ast.BinOp) and isinstance(node.op, _NON_COMMUTATIVE):
            yield _swap(ctx, node.left, node.right, "operands")
        elif (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and not isinstance(node.ops[0], ast.In | ast.NotIn | ast.Is | ast.IsNot | ast.Eq | ast.NotEq)
        ):
            yield _swap(ctx, node.left, node.comparators[0], "operands")


def _index(node: ast.expr) -> bool:
    return not isinstance(node, ast.Slice | ast.Starred)


@template("swap_indices", 0.45)
def swap_indices(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``m[i][j]`` -> ``m[j][i]`` and ``m[i, j]`` -> ``m[j, i]``."""
    for node in of_type(ctx.nodes_at(line), ast.Subscript):
        inner = node.value
        if (
            isinstance(inner, ast.Subscript)
            and _index(inner.slice)
            and _index(node.slice)
            and (ast.dump(inner.slice) != ast.dump(node.slice))
        ):
            yield _swap(ctx, inner.slice, node.slice, "indices")
        if isinstance(node.slice, ast.Tuple):
            for a, b in combinations([e for e in node.slice.elts if _index(e)], 2):
                if ast.dump(a) != ast.dump(b):
                    yield _swap(ctx, a, b, "indices")


TEMPLATES = (swap_call_arguments, swap_operands, swap_indices)
