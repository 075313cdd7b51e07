"""Shape changes of a value: what is returned, a call taken off or put around an
expression, a clamp, absolute value or power, a slice or an offset by a name in scope.

Most of these are *wide*: they apply to almost any expression, so each is
generated only at the most suspicious lines and ranks below the classic edits
(see ``driver.generate``); the kinds of ``kinds.py`` prune what cannot
type-check (``abs`` of a string, ``len`` of a count, a slice by a list).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, of_type, replace
from rfsn.planners.patch.templates.python.exprs import ARITH, ATOM, POWER, operand, precedence, substitute
from rfsn.planners.patch.templates.python.kinds import (
    BOOL,
    COLL,
    NUM,
    STR,
    compatible,
    expr_kind,
    is_numeric,
    is_sized,
    may_be,
)
from rfsn.planners.patch.templates.python.scope import function_at, kinds_at, names_before, used_kinds_at

_ONE_ELEMENT = {"[]": "[[]]", "()": "((),)", "list()": "[[]]", "tuple()": "((),)"}
#: builtins a missing call is most often one of: the kinds their argument may have, and theirs
_WRAPPERS = {
    "len": (("str", "coll", "sized"), NUM),
    "sorted": (("str", "coll", "sized"), COLL),
    "list": (("str", "coll", "sized"), COLL),
    "set": (("str", "coll", "sized"), COLL),
    "str": (("num", "coll", "bool", "sized"), STR),
    "int": (("str", "num"), NUM),
    # the design part's fixes (benchmarks/fixes, "call wrapped <- builtin"): a mapping-like
    # object read as a plain dict, a buffer or a list of byte values read as bytes
    "dict": (("coll",), COLL),
    "bytes": (("str", "coll", "sized"), None),
}
_MAX_BOUNDS = 6


def _names(node: ast.AST) -> set[str]:
    return {ast.unparse(n) for n in ast.walk(node) if isinstance(n, ast.Name | ast.Attribute)}


def _returned(ctx: FileContext, line: int) -> list[ast.expr]:
    return [r.value for r in of_type(ctx.nodes_at(line), ast.Return) if r.value is not None]


def _outer_call(ctx: FileContext, node: ast.AST) -> str:
    """The name of the function ``node`` is passed to directly, if any."""
    parent = ctx.parents.get(node)
    return parent.func.id if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) else ""


def _comparisons(names: list[str], kinds: dict[str, str]) -> Iterator[str]:
    """``a == b``, ``a != b`` for every pair of compatible kinds; ``a < b``, ``a <= b`` both ways
    for numbers."""
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if not compatible(kinds.get(a), kinds.get(b)):
                continue
            yield from (f"{a} == {b}", f"{a} != {b}")
            if is_numeric(kinds.get(a)) and is_numeric(kinds.get(b)):
                yield from (f"{a} < {b}", f"{a} <= {b}", f"{b} < {a}", f"{b} <= {a}")


@template("return_shape", 0.3, wide=True)
def return_shape(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``return x`` -> ``return [x]`` or ``return len(x) > 0``; ``return []`` -> ``return [[]]``;
    ``return True`` -> ``return a == b`` for names in scope."""
    kinds = kinds_at(ctx, line)
    for value in _returned(ctx, line):
        text, kind = ctx.map.text(value), expr_kind(value, kinds)
        if text in _ONE_ELEMENT:
            one = _ONE_ELEMENT[text]
            yield replace(ctx, value, one, f"return the one-element `{one}`")
        elif isinstance(value, ast.Constant) and kind == BOOL:
            for comparison in _comparisons(names_before(ctx, line), kinds):
                yield replace(ctx, value, comparison, f"return `{comparison}` instead of `{text}`")
        elif not isinstance(value, ast.Constant) and kind != BOOL:
            yield replace(ctx, value, f"[{text}]", f"return `[{text}]`")
            if is_sized(kind):
                yield replace(ctx, value, f"len({text}) > 0", f"return whether `{text}` is non-empty")
            elif kind != NUM:
                yield replace(ctx, value, f"bool({text})", f"return `bool({text})`")


def _calls(ctx: FileContext, line: int) -> Iterator[ast.Call]:
    for call in of_type(ctx.nodes_at(line), ast.Call):
        if not isinstance(ctx.parents.get(call), ast.Expr):  # a call statement: delete_statement
            yield call


@template("unwrap_call", 0.4)
def unwrap_call(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``f(x)`` -> ``x``: a call replaced by one of its arguments."""
    for call in _calls(ctx, line):
        for arg in call.args:
            if not isinstance(arg, ast.Constant | ast.Starred | ast.Lambda):
                text = ctx.map.text(arg)
                if "\n" not in text:
                    yield substitute(ctx, call, text, precedence(arg), f"replace `{ctx.map.text(call)}` with `{text}`")


def _one_argument_callees(ctx: FileContext, line: int) -> list[str]:
    """Functions of the file taking one argument (not the one at ``line``), then builtins."""
    here = function_at(ctx, line)
    own = [
        f.name
        for f in ctx.tree.body
        if isinstance(f, ast.FunctionDef) and f is not here and len(f.args.args) == 1 and not f.name.startswith("test")
    ]
    return [*own, *_WRAPPERS]


def _operands(ctx: FileContext, line: int) -> Iterator[ast.expr]:
    """Names, attributes and subscripts read on the line, where a value is expected."""
    for node in of_type(ctx.nodes_at(line), (ast.Name, ast.Attribute, ast.Subscript)):
        if not isinstance(node.ctx, ast.Load):
            continue
        parent = ctx.parents.get(node)
        if isinstance(parent, ast.Attribute | ast.Subscript) and parent.value is node:
            continue
        if isinstance(parent, ast.Call) and parent.func is node:
            continue
        if isinstance(node, ast.Name) and node.id in {"self", "cls", "None", "True", "False"}:
            continue
        yield node


def expected_kind(ctx: FileContext, node: ast.AST, kinds: dict[str, str]) -> str | None:
    """The kind the place of ``node`` wants: the other operand's, the assigned name's, a number
    for ``range``; None when nothing says."""
    parent = ctx.parents.get(node)
    if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add | ast.Sub | ast.Div | ast.FloorDiv):
        other = expr_kind(parent.right if node is parent.left else parent.left, kinds)
        return other if other == NUM or (other == STR and isinstance(parent.op, ast.Add)) else None
    if isinstance(parent, ast.Compare) and not any(
        isinstance(op, ast.In | ast.NotIn | ast.Is | ast.IsNot) for op in parent.ops
    ):
        others = {expr_kind(o, kinds) for o in (parent.left, *parent.comparators) if o is not node}
        return others.pop() if len(others) == 1 and others <= {NUM, STR} else None
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(node, ast.expr):
        return used_kinds_at(ctx, node.lineno).get(ast.unparse(parent.targets[0]))
    return NUM if _outer_call(ctx, node) == "range" else None


@template("wrap_call", 0.25, wide=True)
def wrap_call(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``x`` -> ``len(x)``, ``sorted(x)``, ``str(x)``, ... or a one-argument function of the file,
    when ``x`` may be what the function takes and the result is what the place wants."""
    kinds = kinds_at(ctx, line)
    callees = _one_argument_callees(ctx, line)
    for node in _operands(ctx, line):
        kind, text = expr_kind(node, kinds), ctx.map.text(node)
        wanted, outer = expected_kind(ctx, node, kinds), _outer_call(ctx, node)
        for name in callees:
            takes, gives = _WRAPPERS.get(name, (None, kinds.get(f"{name}()")))
            if name == outer or (takes and not may_be(kind, *takes)) or (wanted and gives and gives != wanted):
                continue
            new = f"{name}({text})"
            yield substitute(ctx, node, new, ATOM, f"replace `{text}` with `{new}`")


def _numeric_targets(ctx: FileContext, line: int) -> Iterator[ast.expr]:
    """Arithmetic on the line, and whole assigned or returned values that may be numbers."""
    kinds = kinds_at(ctx, line)
    for node in of_type(ctx.nodes_at(line), ast.expr):
        whole = isinstance(ctx.parents.get(node), ast.Return | ast.Assign | ast.AugAssign) and isinstance(
            node, ast.Name | ast.Attribute | ast.Subscript | ast.Call
        )
        arithmetic = isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Pow)
        if (arithmetic or whole) and is_numeric(expr_kind(node, kinds)):
            yield node


def _bounds(ctx: FileContext, line: int, exclude: set[str]) -> list[str]:
    """Numbers a value may be clamped to: constants of the function, numeric names in scope."""
    func = function_at(ctx, line)
    kinds = kinds_at(ctx, line)
    constants = (
        [repr(n.value) for n in ast.walk(func) if isinstance(n, ast.Constant) and expr_kind(n, {}) == NUM]
        if func
        else []
    )
    names = [n for n in names_before(ctx, line) if kinds.get(n) == NUM and n not in exclude]
    return list(dict.fromkeys(["0", *constants, *names]))[:_MAX_BOUNDS]


@template("wrap_numeric", 0.25, wide=True)
def wrap_numeric(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``e`` -> ``abs(e)``, ``e ** 2``, ``min(e, k)``, ``max(e, k)`` for numeric ``e``."""
    for node in _numeric_targets(ctx, line):
        text, outer = ctx.map.text(node), _outer_call(ctx, node)
        if "\n" in text:
            continue
        if outer != "abs":
            yield substitute(ctx, node, f"abs({text})", ATOM, f"take the absolute value of `{text}`")
        squared = f"{operand(ctx, node, POWER + 1)} ** 2"
        yield substitute(ctx, node, squared, POWER, f"square `{text}`")
        if outer in {"min", "max"}:
            continue
        for bound in _bounds(ctx, line, _names(node)):
            for fn in ("min", "max"):
                yield substitute(ctx, node, f"{fn}({text}, {bound})", ATOM, f"clamp `{text}` with `{fn}(..., {bound})`")


def _whole_values(ctx: FileContext, line: int) -> Iterator[ast.expr]:
    """Values that are returned, assigned, iterated over or passed, read whole."""
    for node in ctx.nodes_at(line):
        if isinstance(node, ast.Return | ast.Assign) and node.value is not None:
            yield node.value
        elif isinstance(node, ast.For | ast.comprehension):
            yield node.iter
        elif isinstance(node, ast.Call):
            yield from (a for a in node.args if not isinstance(a, ast.Starred))


@template("slice_by_name", 0.25, wide=True)
def slice_by_name(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``xs`` -> ``xs[:n]`` or ``xs[n:]`` for a name ``n`` in scope that may be a number."""
    kinds = kinds_at(ctx, line)
    for node in _whole_values(ctx, line):
        kind = expr_kind(node, kinds)
        if not isinstance(node, ast.Name | ast.Attribute | ast.Call) or not is_sized(kind):
            continue
        text, used = ctx.map.text(node), _names(node)
        base = operand(ctx, node, ATOM)
        for name in names_before(ctx, line):
            if name not in used and is_numeric(kinds.get(name)):
                for cut in (f"{base}[:{name}]", f"{base}[{name}:]"):
                    yield replace(ctx, node, cut, f"replace `{text}` with `{cut}`")


def _offset_targets(ctx: FileContext, line: int) -> Iterator[ast.expr]:
    """Call arguments, assigned and returned values, indices and compared values."""
    for node in ctx.nodes_at(line):
        if isinstance(node, ast.Call):
            yield from node.args
        elif isinstance(node, ast.Return | ast.Assign | ast.AugAssign) and node.value is not None:
            yield node.value
        elif isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice | ast.Tuple):
            yield node.slice
        elif isinstance(node, ast.Compare):
            yield from (node.left, *node.comparators)


@template("offset_by_name", 0.25, wide=True)
def offset_by_name(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``e`` -> ``e + n`` or ``e - n``: a value combined with a numeric name in scope."""
    kinds = kinds_at(ctx, line)
    stmt = ctx.statement_at(line)
    assigned = {ast.unparse(t) for t in getattr(stmt, "targets", [])}
    for node in _offset_targets(ctx, line):
        if isinstance(node, ast.Constant | ast.Starred | ast.Lambda) or not is_numeric(expr_kind(node, kinds)):
            continue
        text, used = ctx.map.text(node), _names(node)
        if "\n" in text:
            continue
        for name in names_before(ctx, line):
            if name in used or name in assigned or not is_numeric(kinds.get(name)):
                continue
            for sign in ("+", "-"):
                new = f"{operand(ctx, node, ARITH)} {sign} {name}"
                yield substitute(ctx, node, new, ARITH, f"replace `{text}` with `{new}`")


TEMPLATES = (return_shape, unwrap_call, wrap_call, wrap_numeric, slice_by_name, offset_by_name)
