"""How a formatted string shows a value: by ``str`` or by ``repr`` (a message that should quote
its key, or quotes one it should not)."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, of_type
from rfsn.planners.patch.templates.python.scope import BUILTIN_NAMES, module_names, names_before

#: a printf-style conversion (``%s``, ``%(key)-8r``); ``%%`` is a literal percent
_PRINTF = re.compile(r"%%|%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([a-zA-Z])")
#: a replacement field of ``str.format`` or an f-string without nested fields; ``{{`` and ``}}``
#: are literal braces
_FIELD = re.compile(r"\{\{|\}\}|\{([^{}!:]*)(![rsa])?(:[^{}]*)?\}")
_SWAP = {"s": "r", "r": "s"}


def _printf(text: str, offset: int) -> Iterator[Edit]:
    for found in _PRINTF.finditer(text):
        new = _SWAP.get(found.group(1) or "")
        if new:
            at = offset + found.end(1) - 1
            yield Edit((Splice(at, at + 1, new),), f"show `{found.group(0)}` with `%{new}`")


def _fields(text: str, offset: int) -> Iterator[Edit]:
    for found in _FIELD.finditer(text):
        if found.group(0) in ("{{", "}}"):
            continue
        conversion, name = found.group(2), found.group(1)
        if any(name.count(a) != name.count(b) for a, b in ("[]", "()")):
            continue  # a colon inside the expression (``{d[:2]}``), not a format spec
        if conversion is None:
            at = offset + found.end(1)
            yield Edit((Splice(at, at, "!r"),), f"show `{found.group(0)}` by repr")
        elif conversion in ("!r", "!s"):
            start = offset + found.start(2)
            yield Edit((Splice(start, start + 2, ""),), f"show `{found.group(0)}` by str")


def _literal(ctx: FileContext, node: ast.expr) -> tuple[str, int] | None:
    """The source text of a plain string literal written on one line, and where it starts."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or node.lineno != node.end_lineno:
        return None
    start, end = ctx.map.span(node)
    return ctx.source[start:end], start


@template("format_conversion", 0.4)
def format_conversion(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``"Key %s error:" % key`` <-> ``%r``; ``"{}".format(x)`` and ``f"{x}"`` <-> ``!r``: one
    field at a time."""
    for node in of_type(ctx.nodes_at(line), ast.BinOp):
        found = _literal(ctx, node.left) if isinstance(node.op, ast.Mod) else None
        if found:
            yield from _printf(*found)
    for node in of_type(ctx.nodes_at(line), ast.Call):
        func = node.func
        found = _literal(ctx, func.value) if isinstance(func, ast.Attribute) and func.attr == "format" else None
        if found:
            yield from _fields(*found)
    for node in of_type(ctx.nodes_at(line), ast.JoinedStr):
        if node.lineno == node.end_lineno and not isinstance(ctx.parents.get(node), ast.FormattedValue):
            start, end = ctx.map.span(node)
            yield from _fields(ctx.source[start:end], start)


@template("numbered_fields", 0.3)
def numbered_fields(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``'from {} to {}'.format(a, b)`` -> ``'from {0} to {1}'.format(a, b)``: the automatic
    fields Python 2.6 rejects numbered (a literal spanning lines, concatenated, too)."""
    for node in of_type(ctx.nodes_at(line), ast.Call):
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr == "format" and isinstance(func.value, ast.Constant)):
            continue
        if not isinstance(func.value.value, str):
            continue
        start, end = ctx.map.span(func.value)
        fields = [f for f in _FIELD.finditer(ctx.source[start:end]) if f.group(0) not in ("{{", "}}")]
        if not fields or any(f.group(1) for f in fields):
            continue
        at = [start + f.start(1) for f in fields]
        yield Edit(tuple(Splice(a, a, str(i)) for i, a in enumerate(at)), "number the format's fields")


def string_tokens(ctx: FileContext, node: ast.expr) -> list[tuple[str, int, int, int]]:
    """The string tokens of a literal (several for an implicit concatenation): each one's
    text, start and end offsets, and line."""
    start, end = ctx.map.span(node)
    text = ctx.source[start:end]
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO("(" + text + ")").readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    out = []
    for token in (t for t in tokens if t.type == tokenize.STRING):
        (row, col), (end_row, end_col) = token.start, token.end
        first = start + starts[row - 1] + col - (row == 1)
        out.append((token.string, first, start + starts[end_row - 1] + end_col - (end_row == 1), node.lineno + row - 1))
    return out


def _plain_strings(ctx: FileContext, node: ast.expr, line: int) -> Iterator[tuple[str, int]]:
    """The plain (no ``f``, ``b`` or ``u`` prefix) string tokens of ``node`` that start at
    ``line``, each with its offset: the parts of an implicit concatenation too."""
    for text, at, _, where in string_tokens(ctx, node):
        prefix = re.match(r"[a-zA-Z]*", text)[0]  # type: ignore[index]
        if where == line and not set(prefix.lower()) & set("fbu"):
            yield text, at


def _reads_scope(field: str, scope: set[str]) -> bool:
    """Whether a replacement field's text is an expression that reads names, all in ``scope``."""
    try:
        tree = ast.parse(field.strip(), mode="eval")
    except SyntaxError:
        return False
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return bool(names) and names <= scope


@template("fstring_prefix", 0.3)
def fstring_prefix(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``"found {match.group()!r}"`` -> ``f"found {match.group()!r}"``: a plain string (no
    ``.format`` call, no docstring) whose replacement fields read names in scope here."""
    scope = {*names_before(ctx, line), *module_names(ctx), *BUILTIN_NAMES, "self", "cls"}
    for node in of_type(ctx.nodes_at(line), (ast.Constant, ast.JoinedStr)):
        parent = ctx.parents.get(node)
        if (
            isinstance(parent, ast.JoinedStr | ast.FormattedValue | ast.Expr)
            or (isinstance(parent, ast.Attribute) and parent.attr == "format")
            or (isinstance(node, ast.Constant) and not isinstance(node.value, str))
        ):
            continue
        for text, at in _plain_strings(ctx, node, line):
            fields = [f.group(1) for f in _FIELD.finditer(text) if f.group(0) not in ("{{", "}}")]
            if fields and all(_reads_scope(f, scope) for f in fields):
                yield Edit((Splice(at, at, "f"),), "make the string an f-string")


TEMPLATES = (format_conversion, numbered_fields, fstring_prefix)
