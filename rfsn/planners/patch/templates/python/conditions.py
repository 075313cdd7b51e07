"""Condition repairs: negation (whole or one clause), widening/narrowing with None checks, dropped conjuncts."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from typing import NamedTuple

from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, of_type, replace
from rfsn.planners.patch.templates.python.exprs import AND, OR, operand, substitute
from rfsn.planners.patch.templates.python.scope import (
    BUILTIN_NAMES,
    class_at,
    function_at,
    local_names,
    module_names,
    names_before,
)

_MAX_CLAUSES = 8
_MAX_NEAR = 4

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


def _atoms(test: ast.expr) -> list[ast.expr]:
    """The clauses of a condition: ``and``/``or`` operands, ``not`` taken off."""
    if isinstance(test, ast.BoolOp):
        return [a for value in test.values for a in _atoms(value)]
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _atoms(test.operand)
    return [test]


def _handles(node: ast.AST) -> set[str]:
    """The names and attribute chains an expression reads (``self._waiter.done()``: ``self._waiter``,
    ``self._waiter.done``), ``self`` and ``cls`` alone left out."""
    out = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - {"self", "cls"}
    out |= {ast.unparse(n) for n in ast.walk(node) if isinstance(n, ast.Attribute)}
    return out


class _Clause(NamedTuple):
    node: ast.expr
    names: frozenset[str]
    dump: str
    handles: frozenset[str]


def _file_clauses(ctx: FileContext) -> list[_Clause]:
    """The clauses of the file's conditions and of its ``and``/``or`` expressions, on one line
    each (computed once a file)."""
    if "file_clauses" not in ctx.cache:
        nodes = list(ast.walk(ctx.tree))
        tests = [n.test for n in nodes if isinstance(n, ast.If | ast.While | ast.IfExp | ast.Assert)]
        tests += [c for n in nodes if isinstance(n, ast.comprehension) for c in n.ifs]
        tests += [n for n in nodes if isinstance(n, ast.BoolOp)]
        ctx.cache["file_clauses"] = [
            _Clause(
                a, frozenset(n.id for n in ast.walk(a) if isinstance(n, ast.Name)), ast.dump(a), frozenset(_handles(a))
            )
            for t in tests
            for a in _atoms(t)
            if "\n" not in ctx.map.text(a)
        ]
    return ctx.cache["file_clauses"]


def _nearness(ctx: FileContext, line: int) -> Callable[[_Clause], tuple[int, bool, bool, int]]:
    """The order of the clauses for ``line``: most names and attribute chains shared with the line
    first, then those of its function, then of its class, the nearest first within each."""
    here = {h for node in ctx.nodes_at(line) if isinstance(node, ast.expr) for h in _handles(node)}
    spans = [
        (n.lineno, n.end_lineno or n.lineno) if n else (0, -1) for n in (function_at(ctx, line), class_at(ctx, line))
    ]

    def key(clause: _Clause) -> tuple[int, bool, bool, int]:
        at = clause.node.lineno
        inside = [lo <= at <= hi for lo, hi in spans]
        return -len(clause.handles & here), not inside[0], not inside[1], abs(at - line)

    return key


def usable_clauses(ctx: FileContext, line: int, present: frozenset[str] = frozenset()) -> list[str]:
    """Clauses of the file's conditions whose names are all usable at ``line``, but those whose
    dump is in ``present``: the first ``_MAX_CLAUSES`` of the file's, and the ``_MAX_NEAR``
    nearest to the line (``_nearness``) among those of its function or sharing a name with it
    (``if user`` -> ``if user or home``, a flag its function tests, where the file's first clauses
    are of other functions)."""
    known = {*names_before(ctx, line), "self", "cls", *BUILTIN_NAMES, *module_names(ctx)}
    usable = [c for c in _file_clauses(ctx) if c.names <= known and c.dump not in present]
    out: dict[str, None] = {}
    for clause in usable:
        if len(out) < _MAX_CLAUSES:
            out.setdefault(_wrapped(ctx, clause.node))
    key = _nearness(ctx, line)
    near = (_wrapped(ctx, c.node) for c in sorted(usable, key=key) if key(c)[:2] != (0, True))
    for text in [t for t in dict.fromkeys(near) if t not in out][:_MAX_NEAR]:
        out.setdefault(text)
    return list(out)


@template("add_clause", 0.25, wide=True)
def add_clause(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``if a`` -> ``if a and c`` / ``if a or c`` (and ``not (a or c)`` for ``not a``), with a
    clause ``c`` of another condition or ``and``/``or`` expression of the file."""
    for test in conditions_at(ctx, line):
        whole = _wrapped(ctx, test)
        negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
        inner = _wrapped(ctx, test.operand) if isinstance(test, ast.UnaryOp) else ""
        for clause in usable_clauses(ctx, line, frozenset(ast.dump(a) for a in _atoms(test))):
            for op in ("and", "or"):
                yield replace(ctx, test, f"{whole} {op} {clause}", f"add `{op} {clause}` to the condition")
                if negated:
                    new = f"not ({inner} {op} {clause})"
                    yield replace(ctx, test, new, f"add `{op} {clause}` under the `not`")


def _bases(ctx: FileContext, test: ast.expr) -> list[str]:
    """The local names a condition reads an item or an attribute of (``url`` of ``url[0]``)."""
    skip = {"self", "cls", *module_names(ctx)}
    return list(
        dict.fromkeys(
            n.value.id
            for n in ast.walk(test)
            if isinstance(n, ast.Subscript | ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id not in skip
        )
    )


@template("guard_operand", 0.3)
def guard_operand(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``if url[0] == '['`` -> ``if url and url[0] == '['`` (a name whose item or attribute the
    condition reads, tested first); ``'k' in d`` -> ``'k' in d and d['k'] is not None`` (and
    ``not in`` -> ``or ... is None``): a value that may be empty or None."""
    for test in conditions_at(ctx, line):
        for base in _bases(ctx, test):
            new = f"{base} and {operand(ctx, test, AND)}"
            yield substitute(ctx, test, new, AND, f"test `{base}` before `{ctx.map.text(test)}`")
        for node in of_type(ast.walk(test), ast.Compare):
            if len(node.ops) != 1 or not isinstance(node.ops[0], ast.In | ast.NotIn):
                continue
            key, mapping = ctx.map.text(node.left), ctx.map.text(node.comparators[0])
            if "\n" in key + mapping or not isinstance(node.comparators[0], ast.Name | ast.Attribute):
                continue
            if isinstance(node.ops[0], ast.In):
                new, level = f"{ctx.map.text(node)} and {mapping}[{key}] is not None", AND
            else:
                new, level = f"{ctx.map.text(node)} or {mapping}[{key}] is None", OR
            yield substitute(ctx, node, new, level, f"`{mapping}[{key}]` may be None")


TEMPLATES = (negate_condition, negate_clause, widen_condition, drop_conjunct, add_clause, guard_operand)
