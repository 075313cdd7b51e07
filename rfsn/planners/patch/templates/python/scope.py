"""Scope queries used by the templates: names visible in a function, attributes of a class."""

from __future__ import annotations

import ast
import builtins
from collections import defaultdict
from functools import lru_cache

from rfsn.planners.patch.templates.python.base import FUNCTIONS, FileContext
from rfsn.planners.patch.templates.python.kinds import infer, usage

BUILTIN_NAMES = frozenset(dir(builtins))


def function_at(ctx: FileContext, line: int) -> ast.FunctionDef | None:
    stmt = ctx.statement_at(line)
    if stmt is None:
        return None
    if isinstance(stmt, FUNCTIONS):
        return stmt  # type: ignore[return-value]
    return ctx.enclosing(stmt, FUNCTIONS)  # type: ignore[return-value]


def class_at(ctx: FileContext, line: int) -> ast.ClassDef | None:
    stmt = ctx.statement_at(line)
    if stmt is None:
        return None
    return ctx.enclosing(stmt, (ast.ClassDef,))  # type: ignore[return-value]


def parameters(func: ast.FunctionDef) -> list[str]:
    args = func.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    every += [a for a in (args.vararg, args.kwarg) if a is not None]
    return [a.arg for a in every]


def local_names(func: ast.FunctionDef) -> list[str]:
    """Parameters, then assigned names, in order of first appearance (no ``self``)."""
    return list(_local_names(func))


@lru_cache(maxsize=64)  # by the node: templates at every line of a long function ask again
def _local_names(func: ast.FunctionDef) -> tuple[str, ...]:
    seen = dict.fromkeys(parameters(func))
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            seen.setdefault(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            seen.setdefault(node.name)
    seen.pop("self", None)
    seen.pop("cls", None)
    return tuple(seen)


def self_attributes(cls: ast.ClassDef) -> list[str]:
    """Attributes used as ``self.<name>`` anywhere in the class."""
    seen: dict[str, None] = {}
    for node in ast.walk(cls):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            seen.setdefault(node.attr)
    return list(seen)


def _on_self(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"


def unassigned_attributes(cls: ast.ClassDef) -> list[str]:
    """Attributes the class declares (``name: T`` in its body, no value) or reads as
    ``self.<name>`` other than by calling it, and neither assigns on ``self`` nor defines in its
    body (a method, a class attribute)."""
    called = {id(n.func) for n in ast.walk(cls) if isinstance(n, ast.Call) and _on_self(n.func)}
    read, bound = dict[str, None](), set[str]()
    for node in (n for n in ast.walk(cls) if _on_self(n)):
        if not isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
            bound.add(node.attr)  # type: ignore[attr-defined]
        elif id(node) not in called:
            read.setdefault(node.attr)  # type: ignore[attr-defined]
    declared: dict[str, None] = {}
    for stmt in cls.body:
        if isinstance(stmt, FUNCTIONS | ast.ClassDef):
            bound.add(stmt.name)
        elif isinstance(stmt, ast.Assign):
            bound |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is None:
            declared.setdefault(stmt.target.id)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            bound.add(stmt.target.id)
    return [a for a in {**declared, **read} if a not in bound]


def attributes_by_base(tree: ast.AST) -> dict[str, list[str]]:
    """For each simple name ``x``, the attributes accessed as ``x.<attr>``."""
    out: dict[str, dict[str, None]] = defaultdict(dict)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            out[node.value.id].setdefault(node.attr)
    return {k: list(v) for k, v in out.items()}


def sibling_attributes(tree: ast.AST, attr: str) -> list[str]:
    """Attributes that appear on the same base name as ``attr`` somewhere in ``tree``."""
    seen: dict[str, None] = {}
    for attrs in attributes_by_base(tree).values():
        if attr in attrs:
            for other in attrs:
                seen.setdefault(other)
    seen.pop(attr, None)
    return list(seen)


def loop_ancestor(ctx: FileContext, node: ast.AST) -> bool:
    """True when ``node`` sits in a for/while body within its function."""
    for anc in ctx.ancestors(node):
        if isinstance(anc, ast.For | ast.AsyncFor | ast.While):
            return True
        if isinstance(anc, FUNCTIONS | ast.ClassDef):
            return False
    return False


def module_names(ctx: FileContext) -> set[str]:
    """Names bound at module level: imports, functions, classes, assignments."""
    out = set()
    for node in ctx.tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            out |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, FUNCTIONS | ast.ClassDef):
            out.add(node.name)
        elif isinstance(node, ast.Assign):
            out |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return out


def names_before(ctx: FileContext, line: int) -> list[str]:
    """Locals usable at ``line``: parameters, names bound on earlier lines (loop variables
    included) and comprehension variables of the line, not the line's own assignment targets."""
    func = function_at(ctx, line)
    stmt = ctx.statement_at(line)
    if func is None or stmt is None:
        return []
    own = {
        t.id
        for node in ([stmt] if isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign) else [])
        for t in ast.walk(node)
        if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store) and not ctx.enclosing(t, (ast.comprehension,))
    }
    first: dict[str, int] = {}
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            first[node.id] = min(first.get(node.id, node.lineno), node.lineno)
    params = [p for p in parameters(func) if p not in {"self", "cls"}]
    bound = [
        n
        for n in local_names(func)
        if n not in params
        and (first.get(n, line + 1) < stmt.lineno or (first.get(n, line + 1) <= line and n not in own))
    ]
    return [*params, *bound]


def kinds_at(ctx: FileContext, line: int) -> dict[str, str]:
    """The kinds of the names (and ``self`` attributes) of the function at ``line``, cached."""
    func = function_at(ctx, line)
    if func is None:
        return {}
    key = ("kinds", func)
    if key not in ctx.cache:
        ctx.cache[key] = infer(func, class_at(ctx, line), ctx.tree)
    return ctx.cache[key]


def used_kinds_at(ctx: FileContext, line: int) -> dict[str, str]:
    """What the uses alone say about the names of the function at ``line`` (not what is
    assigned to them): the kind a value assigned to a name should have."""
    func = function_at(ctx, line)
    if func is None:
        return {}
    key = ("used", func)
    if key not in ctx.cache:
        ctx.cache[key] = usage(func, kinds_at(ctx, line))
    return ctx.cache[key]
