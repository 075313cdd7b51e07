"""Putting a new expression where an old one stood: grouping parentheses and precedence.

``wrap_text`` gives an operand's text parenthesized as an operator needs it;
``substitute`` replaces a node (with the parentheses that group it) by new text,
parenthesized when the place it goes demands more than the text binds.
"""

from __future__ import annotations

import ast

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit
from rfsn.planners.patch.templates.python.base import FileContext

TEST, OR, AND, NOT, CMP, BOR, ARITH, TERM, FACTOR, POWER, ATOM = 4, 5, 6, 7, 8, 9, 14, 15, 16, 17, 19
_BINOPS = {
    ast.Add: ARITH,
    ast.Sub: ARITH,
    ast.Mult: TERM,
    ast.Div: TERM,
    ast.FloorDiv: TERM,
    ast.Mod: TERM,
    ast.MatMult: TERM,
    ast.Pow: POWER,
    ast.LShift: 12,
    ast.RShift: 12,
    ast.BitAnd: 11,
    ast.BitXor: 10,
    ast.BitOr: BOR,
}


def precedence(node: ast.AST) -> int:
    """How tightly an expression binds (the levels of Python's grammar)."""
    if isinstance(node, ast.IfExp | ast.Lambda):
        return TEST
    if isinstance(node, ast.BoolOp):
        return AND if isinstance(node.op, ast.And) else OR
    if isinstance(node, ast.UnaryOp):
        return NOT if isinstance(node.op, ast.Not) else FACTOR
    if isinstance(node, ast.Compare):
        return CMP
    if isinstance(node, ast.BinOp):
        return _BINOPS.get(type(node.op), ARITH)
    if isinstance(node, ast.NamedExpr | ast.Tuple | ast.Starred):
        return 1
    return ATOM


def _required(ctx: FileContext, node: ast.AST) -> int:
    """The least precedence an expression standing where ``node`` stands needs."""
    parent = ctx.parents.get(node)
    if isinstance(parent, ast.BinOp):
        level = _BINOPS.get(type(parent.op), ARITH)
        right = node is parent.right
        return level + (right != isinstance(parent.op, ast.Pow))
    if isinstance(parent, ast.UnaryOp):
        return NOT if isinstance(parent.op, ast.Not) else FACTOR
    if isinstance(parent, ast.Compare):
        return CMP + 1
    if isinstance(parent, ast.BoolOp):
        return precedence(parent) + 1
    if isinstance(parent, ast.IfExp):
        return TEST if node is parent.orelse else OR
    if (
        isinstance(parent, ast.Attribute | ast.Await)
        or (isinstance(parent, ast.Subscript) and node is parent.value)
        or (isinstance(parent, ast.Call) and node is parent.func)
    ):
        return ATOM
    if isinstance(parent, ast.comprehension):
        return OR
    return TEST


def grouped_span(ctx: FileContext, node: ast.AST) -> tuple[int, int]:
    """The span of ``node`` with the parentheses that only group it (not a call's)."""
    start, end = ctx.map.span(node)
    parent = ctx.parents.get(node)
    own = -1  # where the parent's own opening bracket is, if it has one
    if isinstance(parent, ast.Call):
        own = _skip(ctx.source, ctx.map.span(parent.func)[1], 1)
    elif isinstance(parent, ast.GeneratorExp | ast.Tuple):
        own = ctx.map.span(parent)[0]
    src = ctx.source
    while True:
        before, after = _skip(src, start - 1, -1), _skip(src, end, 1)
        if before < 0 or after >= len(src) or src[before] != "(" or src[after] != ")" or before == own:
            return start, end
        start, end = before, after + 1


def _skip(text: str, at: int, step: int) -> int:
    while 0 <= at < len(text) and text[at] in " \t\r\n\\":
        at += step
    return at


def operand(ctx: FileContext, node: ast.AST, minimum: int) -> str:
    """The text of ``node`` as an operand that must bind at least ``minimum``."""
    text = ctx.map.text(node)
    return f"({text})" if precedence(node) < minimum or "\n" in text else text


def substitute(ctx: FileContext, node: ast.AST, text: str, level: int, description: str) -> Edit:
    """Replace ``node`` (and its grouping parentheses) by ``text``, which binds ``level``."""
    start, end = grouped_span(ctx, node)
    if level < _required(ctx, node):
        text = f"({text})"
    return Edit((Splice(start, end, text),), description)
