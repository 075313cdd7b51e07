"""Scope queries used by the templates: names visible in a function, attributes of a class."""

from __future__ import annotations

import ast
import builtins
from collections import defaultdict

from rfsn.planners.templates.python.base import FUNCTIONS, FileContext

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
    seen = dict.fromkeys(parameters(func))
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            seen.setdefault(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            seen.setdefault(node.name)
    seen.pop("self", None)
    seen.pop("cls", None)
    return list(seen)


def self_attributes(cls: ast.ClassDef) -> list[str]:
    """Attributes used as ``self.<name>`` anywhere in the class."""
    seen: dict[str, None] = {}
    for node in ast.walk(cls):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        ):
            seen.setdefault(node.attr)
    return list(seen)


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
