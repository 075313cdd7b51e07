"""Early exits: the statement ``if <test>: <action>`` inserted before a statement, with the
actions that fit where it stands (``continue`` in a loop, a ``return`` of the empty value of the
kind the function already returns)."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit
from rfsn.planners.patch.templates.python.base import FileContext, own_nodes
from rfsn.planners.patch.templates.python.kinds import expr_kind, infer
from rfsn.planners.patch.templates.python.kindtables import NUM, STR
from rfsn.planners.patch.templates.python.scope import function_at, loop_ancestor, module_names

_EMPTY = (
    ("list", "[]"),
    ("List", "[]"),
    ("Sequence", "[]"),
    ("dict", "{}"),
    ("Dict", "{}"),
    ("Mapping", "{}"),
    ("set", "set()"),
    ("str", '""'),
    ("int", "0"),
    ("float", "0.0"),
    ("bool", "False"),
    ("Decimal", "Decimal(0)"),
    ("tuple", "()"),
)


#: the empty value of a kind ``kinds`` infers for a returned name or computation (``return value``
#: where ``value - 1`` is returned too: ``0``)
_EMPTY_OF_KIND = {NUM: "0", STR: '""'}


def indent_unit(ctx: FileContext) -> str:
    return "\t" if "\n\t" in ctx.source else "    "


def starts_line(ctx: FileContext, stmt: ast.stmt) -> bool:
    start = ctx.map.span(stmt)[0]
    return not ctx.source[ctx.map.line_start(stmt.lineno) : start].strip()


def _own_returns(func: ast.FunctionDef) -> Iterator[ast.Return]:
    """The function's return statements, not those of nested functions, lambdas or classes."""
    return (node for node in own_nodes(func) if isinstance(node, ast.Return))


def empty_like(value: ast.expr) -> str | None:
    """The empty value of the kind an existing ``return <value>`` returns (None: unknown)."""
    if isinstance(value, ast.IfExp):
        return empty_like(value.body) or empty_like(value.orelse)
    if isinstance(value, ast.Constant) and value.value is not None:
        kind = type(value.value)
        return {bool: "False", int: "0", float: "0.0", str: '""', bytes: 'b""'}.get(kind)
    if isinstance(value, ast.Compare) or (isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not)):
        return "False"
    kinds = {
        ast.List: "[]",
        ast.ListComp: "[]",
        ast.Dict: "{}",
        ast.DictComp: "{}",
        ast.Set: "set()",
        ast.SetComp: "set()",
        ast.Tuple: "()",
        ast.JoinedStr: '""',
    }
    return kinds.get(type(value))


def _defaults(func: ast.FunctionDef | None) -> list[str]:
    """Plausible ``return`` values for an early exit, consistent with what the function returns.

    The return annotation first, then the empty value of each kind the function already
    returns (a function returning ``True``/``False`` or a comparison gets ``False``); None
    only when the function may already return None (or nothing is known).
    """
    if func is None:
        return ["None"]
    out: list[str] = []
    if func.returns is not None:
        head = ast.unparse(func.returns).split("[")[0].split(".")[-1]
        out = [v for k, v in _EMPTY if head == k]
        if head != "None" and not out:
            return ["None"]  # an annotation we cannot make an empty value for
    returns = list(_own_returns(func))
    maybe_none = not returns or any(r.value is None or _is_none(r.value) for r in returns)
    for r in returns:
        empty = empty_like(r.value) if r.value is not None else None
        if empty is not None and empty not in out:
            out.append(empty)
    known = bool(out) and not maybe_none
    out = out if known else [*out, "None"]
    return out + [v for v in _inferred(func, returns) if v not in out]


def _inferred(func: ast.FunctionDef, returns: list[ast.Return]) -> list[str]:
    """The empty values of the kinds the function's inferred kinds give the returned names and
    computations ``empty_like`` cannot tell (``return value``, ``return value - 1``: ``0``)."""
    vague = [r.value for r in returns if r.value is not None and not _is_none(r.value) and empty_like(r.value) is None]
    kinds = infer(func) if vague else {}
    return list(dict.fromkeys(e for v in vague if (e := _EMPTY_OF_KIND.get(expr_kind(v, kinds) or ""))))


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def guard_before(ctx: FileContext, stmt: ast.stmt, test: str, actions: list[str]) -> Iterator[Edit]:
    if not starts_line(ctx, stmt):
        return
    indent, unit = ctx.map.indent(stmt.lineno), indent_unit(ctx)
    at = ctx.map.line_start(stmt.lineno)
    for action in actions:
        text = f"{indent}if {test}:\n{indent}{unit}{action}\n"
        yield Edit((Splice(at, at, text),), f"insert `if {test}: {action}`")


def guard_actions(ctx: FileContext, stmt: ast.stmt, line: int) -> list[str]:
    """``continue`` in a loop, the returns that fit the function, then the failing tests'
    expected raises (`expected_raises`)."""
    returns = [f"return {v}" for v in _defaults(function_at(ctx, line))]
    return [*(["continue"] if loop_ancestor(ctx, stmt) else []), *returns, *expected_raises(ctx)]


#: at most this many of the failing tests' expected raises become exits
MAX_RAISES = 2


def expected_raises(ctx: FileContext) -> list[str]:
    """``raise E("message")`` for the exceptions the failing tests expect with a message
    (``pytest.raises(E, match=...)``), where the module can name ``E``: a builtin exception,
    or a name it binds (the test's dotted name, or its last part)."""
    if "expected_raises" not in ctx.cache:
        bound = module_names(ctx)
        out: list[str] = []
        for exc, message in ctx.material.raises:
            root, last = exc.split(".")[0], exc.split(".")[-1]
            builtin = isinstance(getattr(builtins, exc, None), type) and issubclass(
                getattr(builtins, exc), BaseException
            )
            name = exc if builtin or root in bound else last if last in bound else None
            if name is not None and len(out) < MAX_RAISES:
                out.append(f"raise {name}({message!r})")
        ctx.cache["expected_raises"] = list(dict.fromkeys(out))
    return ctx.cache["expected_raises"]
