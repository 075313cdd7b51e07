"""The exceptions a handler catches, widened or replaced (``except TypeError:`` -> ``except
(AttributeError, TypeError):``, ``except ImportError:`` -> ``except Exception:``,
``suppress(LookupError)`` -> ``suppress(LookupError, ValueError)``, ``class E(UnicodeError)`` ->
``class E(Exception)``): the fix shapes "replaced Name by Tuple" and "replaced name <- builtin"
of the fixes corpus (benchmarks/fixes)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, of_type, replace

#: the builtin exceptions the design part's fixes catch (or stop catching) most
CAUGHT = (
    "Exception",
    "AttributeError",
    "TypeError",
    "ValueError",
    "KeyError",
    "IndexError",
    "LookupError",
    "ImportError",
    "NameError",
    "OSError",
    "IOError",
    "RuntimeError",
    "UnicodeError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "NotImplementedError",
)


def _caught(ctx: FileContext) -> tuple[str, ...]:
    """``CAUGHT``, and ``asyncio.CancelledError`` (no ``Exception`` since Python 3.8) in a file
    that imports ``asyncio``."""
    if "caught_pool" not in ctx.cache:
        imported = any(
            isinstance(n, ast.Import) and any(a.name == "asyncio" and a.asname is None for a in n.names)
            for n in ast.walk(ctx.tree)
        )
        ctx.cache["caught_pool"] = (*CAUGHT, *(["asyncio.CancelledError"] if imported else []))
    return ctx.cache["caught_pool"]


def _handlers_at(ctx: FileContext, line: int) -> list[ast.ExceptHandler]:
    if "except_handlers" not in ctx.cache:
        ctx.cache["except_handlers"] = [n for n in ast.walk(ctx.tree) if isinstance(n, ast.ExceptHandler)]
    return [h for h in ctx.cache["except_handlers"] if h.type is not None and h.lineno == line]


def _one(ctx: FileContext, node: ast.expr) -> Iterator[Edit]:
    """One exception class caught: each other one instead, and each other one too (after it,
    and before it when that is the names' order)."""
    name = ctx.map.text(node)
    for other in (e for e in _caught(ctx) if e != name):
        yield replace(ctx, node, other, f"catch `{other}` instead of `{name}`")
        pairs = dict.fromkeys([(name, other), tuple(sorted((name, other)))])
        for pair in pairs:
            yield replace(ctx, node, f"({', '.join(pair)})", f"catch `{other}` too")


def _appended(ctx: FileContext, last: ast.expr, present: set[str]) -> Iterator[Edit]:
    end = ctx.map.span(last)[1]
    for other in (e for e in _caught(ctx) if e not in present):
        yield Edit((Splice(end, end, f", {other}"),), f"catch `{other}` too")


@template("catch_other_exception", 0.3)
def catch_other_exception(ctx: FileContext, line: int) -> Iterator[Edit]:
    """The exception classes an ``except`` of ``line`` names, or a ``suppress(...)`` call there,
    widened by a builtin exception or (one class) replaced by it; a class of ``line`` deriving
    from a builtin exception derives from another one."""
    for handler in _handlers_at(ctx, line):
        kind = handler.type
        if isinstance(kind, ast.Name | ast.Attribute):
            yield from _one(ctx, kind)
        elif isinstance(kind, ast.Tuple) and kind.elts:
            yield from _appended(ctx, kind.elts[-1], {ctx.map.text(e) for e in kind.elts})
    for call in of_type(ctx.nodes_at(line), ast.Call):
        func = call.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if called == "suppress" and call.args and not call.keywords:
            yield from _appended(ctx, call.args[-1], {ctx.map.text(a) for a in call.args})
    stmt = ctx.statement_at(line)
    if isinstance(stmt, ast.ClassDef) and stmt.lineno == line:
        for base in stmt.bases:
            if isinstance(base, ast.Name) and base.id in CAUGHT:
                for other in (e for e in CAUGHT if e != base.id):
                    yield replace(ctx, base, other, f"derive from `{other}` instead of `{base.id}`")


TEMPLATES = (catch_other_exception,)
