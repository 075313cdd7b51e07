"""Operator replacement: comparison, identity/membership, arithmetic, boolean,
augmented assignment, and removal of ``not``."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, of_type

COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
IDENTITY = {ast.Is: ("==", "is not"), ast.IsNot: ("!=", "is"), ast.Eq: ("is",), ast.NotEq: ("is not",)}
_WRITTEN = {ast.Is: "is", ast.IsNot: "is not", ast.Eq: "==", ast.NotEq: "!="}
MEMBERSHIP = {ast.In: "not in", ast.NotIn: "in"}
ARITH = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
# the most plausible confusions first
ARITH_SWAPS = {
    "+": ("-", "*"),
    "-": ("+",),
    "*": ("/", "//", "+", "**"),
    "/": ("//", "*"),
    "//": ("/", "%"),
    "%": ("//",),
    "**": ("*",),
}
COMPARE_SWAPS = {
    "<": ("<=", ">", "!=", ">="),
    "<=": ("<", ">=", "==", ">"),
    ">": (">=", "<", "!=", "<="),
    ">=": (">", "<=", "==", "<"),
    "==": ("!=", "<=", ">="),
    "!=": ("==",),
}
_SKIP = " \t\r\n()\\"
#: a printf-style field of a string (``%s``, ``%(name)r``, ``%d``)
_PRINTF_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrifxXeEgGc]")


def op_span(ctx: FileContext, left: ast.AST, right: ast.AST) -> tuple[int, int]:
    """Character span of the operator written between two operand nodes."""
    start, end = ctx.map.span(left)[1], ctx.map.span(right)[0]
    gap = ctx.source[start:end]
    chars, in_comment = [], False
    for i, ch in enumerate(gap):
        in_comment = (in_comment or ch == "#") and ch != "\n"
        if not in_comment and ch not in _SKIP:
            chars.append(i)
    if not chars:
        raise ValueError("no operator between operands")
    return start + chars[0], start + chars[-1] + 1


def _op_edit(ctx: FileContext, left: ast.AST, right: ast.AST, new: str, old: str) -> Edit:
    start, end = op_span(ctx, left, right)
    return Edit((Splice(start, end, new),), f"replace `{old}` with `{new}`")


def _compare_pairs(ctx: FileContext, line: int) -> Iterator[tuple[ast.AST, ast.AST, ast.cmpop]]:
    for node in of_type(ctx.nodes_at(line), ast.Compare):
        operands = [node.left, *node.comparators]
        for i, op in enumerate(node.ops):
            yield operands[i], operands[i + 1], op


@template("compare_operator", 0.9)
def compare_operator(ctx: FileContext, line: int) -> Iterator[Edit]:
    for left, right, op in _compare_pairs(ctx, line):
        old = COMPARE.get(type(op))
        for new in COMPARE_SWAPS.get(old or "", ()):
            yield _op_edit(ctx, left, right, new, old)  # type: ignore[arg-type]


_ORDERING = ("<", "<=", ">", ">=")
#: ``x op K`` equals ``x op' K + d`` on integers: the same test written another way
_SAME_TEST = {("<", "<=", -1), ("<=", "<", 1), (">", ">=", 1), (">=", ">", -1)}
_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _integer(node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


@template("compare_operator_constant", 0.2, wide=True)
def compare_operator_constant(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``n <= 0`` -> ``n < 2``: an ordering operator and its integer bound changed together."""
    for left, right, op in _compare_pairs(ctx, line):
        old = COMPARE.get(type(op))
        constant, value = (right, _integer(right)) if _integer(right) is not None else (left, _integer(left))
        if old is None or value is None or value < 0:
            continue
        start, end = op_span(ctx, left, right)
        c_start, c_end = ctx.map.span(constant)
        as_right = old if constant is right else _MIRROR[old]  # read as ``x op K``
        for new in (o for o in _ORDERING if o != old):
            new_right = new if constant is right else _MIRROR[new]
            for delta in (1, -1, 2, -2):
                if (as_right, new_right, delta) in _SAME_TEST or value + delta < 0:
                    continue
                splices = (Splice(start, end, new), Splice(c_start, c_end, str(value + delta)))
                yield Edit(splices, f"replace `{old} {value}` with `{new} {value + delta}`")


@template("identity_equality", 0.6)
def identity_equality(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``is`` <-> ``==`` and ``is not`` <-> ``!=``; ``is`` <-> ``is not``."""
    for left, right, op in _compare_pairs(ctx, line):
        for new in IDENTITY.get(type(op), ()):
            yield _op_edit(ctx, left, right, new, _WRITTEN[type(op)])


@template("membership", 0.7)
def membership(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``in`` <-> ``not in``."""
    for left, right, op in _compare_pairs(ctx, line):
        new = MEMBERSHIP.get(type(op))
        if new:
            yield _op_edit(ctx, left, right, new, "in" if new == "not in" else "not in")


#: the longest string a membership test reads as a set of characters
MAX_CHARACTERS = 12


@template("character_set", 0.3)
def character_set(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``c in " \\t\\r,"`` -> ``c in " \\t\\r"``: one character of a short string tested for
    membership too many."""
    for _, right, op in _compare_pairs(ctx, line):
        if not (
            isinstance(op, ast.In | ast.NotIn)
            and isinstance(right, ast.Constant)
            and isinstance(right.value, str)
            and 2 <= len(right.value) <= MAX_CHARACTERS
        ):
            continue
        quote = ctx.map.text(right)[:1]
        for char in dict.fromkeys(right.value):
            kept = right.value.replace(char, "")
            text = repr(kept)
            if quote == '"' and '"' not in kept and "'" not in kept:
                text = f'"{text[1:-1]}"'  # the quotes the literal was written with
            yield Edit((Splice(*ctx.map.span(right), text),), f"leave {char!r} out of {right.value!r}")


@template("arithmetic_operator", 0.8)
def arithmetic_operator(ctx: FileContext, line: int) -> Iterator[Edit]:
    for node in of_type(ctx.nodes_at(line), ast.BinOp):
        old = ARITH.get(type(node.op))
        if isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
            if old == "+" and _PRINTF_FIELD.search(node.left.value):  # a template concatenated, not formatted
                yield _op_edit(ctx, node.left, node.right, "%", old)
            continue  # string formatting with %, or concatenation
        for new in ARITH_SWAPS.get(old or "", ()):
            yield _op_edit(ctx, node.left, node.right, new, old)  # type: ignore[arg-type]


@template("boolean_operator", 0.85)
def boolean_operator(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``and`` <-> ``or`` between each pair of operands (and for the whole chain)."""
    for node in of_type(ctx.nodes_at(line), ast.BoolOp):
        old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
        pairs = list(zip(node.values, node.values[1:], strict=False))
        spans = [op_span(ctx, a, b) for a, b in pairs]
        for start, end in spans:
            yield Edit((Splice(start, end, new),), f"replace `{old}` with `{new}`")
        if len(spans) > 1:
            splices = tuple(Splice(s, e, new) for s, e in spans)
            yield Edit(splices, f"replace every `{old}` with `{new}`")


@template("augmented_assignment", 0.8)
def augmented_assignment(ctx: FileContext, line: int) -> Iterator[Edit]:
    for node in of_type(ctx.nodes_at(line), ast.AugAssign):
        old = ARITH.get(type(node.op))
        for new in (*ARITH_SWAPS.get(old or "", ()), ""):
            edit = _op_edit(ctx, node.target, node.value, f"{new}=", f"{old}=")
            yield Edit(edit.splices, f"replace `{old}=` with `{new}=`")


@template("remove_not", 0.7)
def remove_not(ctx: FileContext, line: int) -> Iterator[Edit]:
    for node in of_type(ctx.nodes_at(line), ast.UnaryOp):
        if isinstance(node.op, ast.Not | ast.USub | ast.Invert):
            start = ctx.map.span(node)[0]
            width = 3 if isinstance(node.op, ast.Not) else 1
            rest = ctx.source[start + width :]
            width += len(rest) - len(rest.lstrip(" \t"))
            old = ctx.source[start : start + width].strip()
            yield Edit((Splice(start, start + width, ""),), f"remove `{old}`")


TEMPLATES = (
    compare_operator,
    compare_operator_constant,
    identity_equality,
    membership,
    arithmetic_operator,
    boolean_operator,
    augmented_assignment,
    remove_not,
    character_set,
)
