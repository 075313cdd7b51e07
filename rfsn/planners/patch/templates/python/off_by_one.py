"""Off-by-one repairs: integer constants, bounds expressions, numbers inside strings."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import TypeGuard

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, is_atom, replace

_NUMERIC_LOOKING = (ast.Name, ast.Attribute, ast.Subscript, ast.BinOp)


def _is_int(node: ast.AST | None) -> TypeGuard[ast.Constant]:
    return isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool)


@template("integer_off_by_one", 0.75)
def integer_off_by_one(ctx: FileContext, line: int) -> Iterator[Edit]:
    for node in ctx.nodes_at(line):
        if _is_int(node) and node.lineno == line:
            text = ctx.map.text(node)
            if not text.isdigit():
                continue  # hex, octal, underscores: leave alone
            value = int(text)
            for new in (value + 1, value - 1):
                yield replace(ctx, node, str(new), f"replace `{text}` with `{new}`")


def _bound_expressions(ctx: FileContext, line: int) -> Iterator[ast.AST]:
    """Expressions used as an index, slice bound, range-like argument or compared value."""
    for node in ctx.nodes_at(line):
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
            yield node.slice
        elif isinstance(node, ast.Slice):
            yield from (b for b in (node.lower, node.upper) if b is not None)
        elif isinstance(node, ast.Call):
            args = [*node.args, *(k.value for k in node.keywords)]
            yield from (a for a in args if isinstance(a, _NUMERIC_LOOKING) or _callee(a) == "len")
        elif isinstance(node, ast.Compare):
            yield from (node.left, *node.comparators)
        elif isinstance(node, ast.Return) and node.value is not None:
            yield node.value


def _callee(call: ast.AST) -> str:
    func = getattr(call, "func", None)
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


@template("expression_off_by_one", 0.6)
def expression_off_by_one(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``x`` -> ``x + 1`` / ``x - 1``, and ``x +/- 1`` -> ``x``."""
    for node in _bound_expressions(ctx, line):
        if _is_int(node) or isinstance(node, ast.Constant | ast.Starred):
            continue
        text = ctx.map.text(node)
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Add | ast.Sub)
            and _is_int(node.right)
            and node.right.value == 1
        ):
            yield replace(ctx, node, ctx.map.text(node.left), f"replace `{text}` with its left side")
        base = text if is_atom(node) else f"({text})"
        for sign in ("+", "-"):
            new = f"{base} {sign} 1"
            yield replace(ctx, node, new, f"replace `{text}` with `{new}`")


@template("string_number_off_by_one", 0.3)
def string_number_off_by_one(ctx: FileContext, line: int) -> Iterator[Edit]:
    """Numbers written inside string literals (regex quantifiers, formats) +/- 1."""
    for node in ctx.nodes_at(line):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if node.lineno != node.end_lineno:
            continue
        start, end = ctx.map.span(node)
        literal = ctx.source[start:end]
        for match in re.finditer(r"(?<![\\\w])\d+", literal):
            value = int(match.group())
            for new in (value + 1, value - 1):
                if new < 0:
                    continue
                at = start + match.start()
                yield Edit(
                    (Splice(at, start + match.end(), str(new)),),
                    f"replace `{value}` with `{new}` in string {literal[:40]}",
                )


TEMPLATES = (integer_off_by_one, expression_off_by_one, string_number_off_by_one)
