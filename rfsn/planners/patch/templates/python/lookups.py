"""A lookup that may miss given a default (``getattr(f, 'buffer')`` -> ``getattr(f, 'buffer', None)``,
``d.get('k')`` -> ``d.get('k', {})``, ``environ['PATH']`` -> ``environ.get('PATH', '')``,
``conn.sock`` -> ``getattr(conn, 'sock', None)``): the fix shapes "argument added", "replaced
Subscript by Call" and "replaced Attribute by Call" of the fixes corpus (benchmarks/fixes)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, of_type
from rfsn.planners.patch.templates.python.exprs import ATOM, substitute
from rfsn.planners.patch.templates.python.scope import module_names

#: the defaults the design part's fixes give a lookup, most frequent first (``.get(k)`` alone
#: is ``subscript_get``'s, and a ``.get`` already defaults to None)
DEFAULTS = ("None", '""', "{}", "[]")


def _added(ctx: FileContext, call: ast.Call, value: str) -> Edit:
    """``call`` with one more positional argument ``value`` after its last."""
    end = ctx.map.span(call.args[-1])[1]
    return Edit((Splice(end, end, f", {value}"),), f"default `{value}` for `{ctx.map.text(call)}`")


def _calls(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``getattr(o, name)`` and ``x.get(key)`` on ``line`` given each default."""
    for call in of_type(ctx.nodes_at(line), ast.Call):
        if call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
            continue
        func = call.func
        if isinstance(func, ast.Name) and func.id == "getattr" and len(call.args) == 2:
            yield from (_added(ctx, call, value) for value in DEFAULTS)
        elif isinstance(func, ast.Attribute) and func.attr == "get" and len(call.args) == 1:
            yield from (_added(ctx, call, value) for value in DEFAULTS[1:])


def _subscripts(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``x['key']`` (a string key: a mapping) read with ``.get`` and each default but None."""
    for node in of_type(ctx.nodes_at(line), ast.Subscript):
        key = node.slice
        if not isinstance(node.ctx, ast.Load) or not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            continue
        base = ctx.map.text(node.value)
        if "\n" in base:
            continue
        for value in DEFAULTS[1:]:
            new = f"{base}.get({ctx.map.text(key)}, {value})"
            yield substitute(ctx, node, new, ATOM, f"read `{base}[{ctx.map.text(key)}]` as `{new}`")


def _attributes(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``o.name`` read (not called, not a module's) as ``getattr(o, "name", None)``."""
    modules = module_names(ctx)
    for node in of_type(ctx.nodes_at(line), ast.Attribute):
        parent = ctx.parents.get(node)
        if (
            not isinstance(node.ctx, ast.Load)
            or (isinstance(parent, ast.Call) and parent.func is node)
            or (isinstance(node.value, ast.Name) and node.value.id in modules)
        ):
            continue
        base = ctx.map.text(node.value)
        if "\n" in base:
            continue
        new = f'getattr({base}, "{node.attr}", None)'
        yield substitute(ctx, node, new, ATOM, f"read `{base}.{node.attr}` as `{new}`")


@template("lookup_default", 0.3)
def lookup_default(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A lookup on ``line`` that raises when its key or attribute is missing, or returns None,
    given a default: ``getattr`` and ``.get`` calls, string-keyed items, attributes read."""
    yield from _calls(ctx, line)
    yield from _subscripts(ctx, line)
    yield from _attributes(ctx, line)


TEMPLATES = (lookup_default,)
