"""A statement wrapped in a condition on what it reads (``if n: n *= scale``): the fix shape
"statement wrapped in if" of the fixes corpus (benchmarks/fixes), where the test is a name or
attribute the statement reads (``if proxy is not None:``, ``if self._buffer:``) or the key it
needs (``levels.remove('global')`` -> ``if 'global' in levels:``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FUNCTIONS, FileContext, header_nodes
from rfsn.planners.patch.templates.python.blocks import indented, lines_of, multiline_string
from rfsn.planners.patch.templates.python.exits import guard_actions, guard_before, indent_unit, starts_line
from rfsn.planners.patch.templates.python.guards import MAX_PARTS, guardable_parts
from rfsn.planners.patch.templates.python.scope import function_at, local_names

#: methods whose first argument must be in (or out of) the receiver
_NEEDS_KEY = frozenset({"remove", "index", "__getitem__", "__delitem__"})


def _subjects(ctx: FileContext, stmt: ast.stmt, line: int) -> list[str]:
    """The local names the statement reads or updates in place (``n *= scale``: ``n``), then
    the attributes and items of one or of ``self`` it reads, at most ``MAX_PARTS``."""
    func = function_at(ctx, line)
    scope = set(local_names(func)) if func is not None else set()
    names = [
        n.id
        for n in header_nodes(stmt)
        if isinstance(n, ast.Name)
        and n.id in scope
        and (isinstance(n.ctx, ast.Load) or isinstance(stmt, ast.AugAssign))
    ]
    parts = guardable_parts(ctx, line, scope) if func is not None else []
    return list(dict.fromkeys([*names, *parts]))[:MAX_PARTS]


def _keys(ctx: FileContext, stmt: ast.stmt) -> list[str]:
    """``k in c`` for ``c.remove(k)``, ``c[k]`` read or deleted; ``k not in c`` for ``c[k] = v``."""
    out: dict[str, None] = {}
    for node in header_nodes(stmt):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _NEEDS_KEY
            and len(node.args) == 1
        ):
            out.setdefault(f"{ctx.map.text(node.args[0])} in {ctx.map.text(node.func.value)}")
        elif isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
            test = "not in" if isinstance(node.ctx, ast.Store) else "in"
            out.setdefault(f"{ctx.map.text(node.slice)} {test} {ctx.map.text(node.value)}")
    return [t for t in out if "\n" not in t]


@template("wrap_in_condition", 0.35)
def wrap_in_condition(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``stmt`` -> ``if x: stmt`` / ``if x is not None: stmt`` for what it reads, and ``if k in
    c: stmt`` for the key it needs: a statement that must not run for an empty or absent value."""
    stmt = ctx.statement_at(line)
    if (
        stmt is None
        or isinstance(stmt, FUNCTIONS | ast.ClassDef)
        or not starts_line(ctx, stmt)
        or multiline_string(stmt)
        or ctx.enclosing(stmt, FUNCTIONS) is None
    ):
        return
    indent, unit = ctx.map.indent(stmt.lineno), indent_unit(ctx)
    start, end, text = lines_of(ctx, stmt)
    body = indented(text, unit)
    subjects = _subjects(ctx, stmt, line)
    tests = [*_keys(ctx, stmt), *subjects, *(f"{s} is not None" for s in subjects)]
    for test in tests:
        yield Edit((Splice(start, end, f"{indent}if {test}:\n{body}"),), f"run the statement only `if {test}`")


@template("key_guard", 0.35)
def key_guard(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``if k not in c: continue`` (or ``return <the function's empty value>``) before a
    statement that needs ``k`` in ``c`` (``c.remove(k)``, ``c[k]``): the case the body cannot take."""
    stmt = ctx.statement_at(line)
    if stmt is None or isinstance(stmt, FUNCTIONS | ast.ClassDef) or ctx.enclosing(stmt, FUNCTIONS) is None:
        return
    for test in _keys(ctx, stmt):
        negated = test.replace(" not in ", " in ") if " not in " in test else test.replace(" in ", " not in ")
        yield from guard_before(ctx, stmt, negated, guard_actions(ctx, stmt, line))


TEMPLATES = (wrap_in_condition, key_guard)
