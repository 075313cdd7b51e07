"""A name the file reads but never binds (a ``NameError`` waiting), imported: by one of the
file's ``from`` imports (``from .connection import HTTPException`` -> ``from .connection import
HTTPException, BaseSSLError``), or, a standard-library module's name, by an ``import`` of its own
(``import errno``): the fixes corpus's "list of other nodes changed <- nothing new" and
"statement inserted (Import)", imports that forgot a name the module uses."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext
from rfsn.planners.patch.templates.python.scope import BUILTIN_NAMES

#: the names every module has bound without binding them
MODULE_GLOBALS = frozenset({"__file__", "__name__", "__doc__", "__spec__", "__loader__", "__package__", "__path__"})
#: the ``from`` imports of the file a name used on a line is offered to, first in the file first
MAX_IMPORTS = 4


def _bound(tree: ast.Module) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            out.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.add(node.name)
        elif isinstance(node, ast.arg):
            out.add(node.arg)
        elif isinstance(node, ast.alias):
            out.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            out.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            out |= set(node.names)
    return out


def unbound(ctx: FileContext) -> list[str]:
    """The names the file reads and binds nowhere, in the order first read (none when a star
    import may bind anything)."""
    if "unbound" not in ctx.cache:
        tree = ctx.tree
        star = any(isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names) for n in ast.walk(tree))
        known = _bound(tree) | BUILTIN_NAMES | MODULE_GLOBALS
        loads = sorted(
            (n for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)),
            key=lambda n: (n.lineno, n.col_offset),
        )
        ctx.cache["unbound"] = [] if star else list(dict.fromkeys(n.id for n in loads if n.id not in known))
    return ctx.cache["unbound"]


def _names_on(ctx: FileContext, line: int) -> list[ast.Name]:
    """The names read on ``line`` (an ``except`` clause's too, which the statement's header
    nodes leave out)."""
    stmt = ctx.statement_at(line)
    nodes = ast.walk(stmt) if stmt is not None else ()
    return [n for n in nodes if isinstance(n, ast.Name) and n.lineno == line and isinstance(n.ctx, ast.Load)]


def _added(ctx: FileContext, node: ast.ImportFrom, names: list[str]) -> Edit:
    end = ctx.map.span(node.names[-1])[1]
    text = ", ".join(names)
    return Edit((Splice(end, end, f", {text}"),), f"import `{text}` with `{ctx.map.text(node.names[-1])}`")


@template("import_unbound", 0.4)
def import_unbound(ctx: FileContext, line: int) -> Iterator[Edit]:
    """At a ``from`` import: each name the file reads and never binds added to it, then all of
    them; at a line reading such a name: that name added to each of the file's ``from`` imports."""
    missing = unbound(ctx)
    if not missing:
        return
    stmt = ctx.statement_at(line)
    imports = [n for n in ctx.tree.body if isinstance(n, ast.ImportFrom) and n.module != "__future__"]
    if isinstance(stmt, ast.ImportFrom) and stmt in imports:
        yield from (_added(ctx, stmt, [name]) for name in missing)
        if len(missing) > 1:
            yield _added(ctx, stmt, missing)
        return
    here = [n.id for n in _names_on(ctx, line) if n.id in missing]
    for name in dict.fromkeys(here):
        yield from (_added(ctx, node, [name]) for node in imports[:MAX_IMPORTS])


def _statement_edit(ctx: FileContext, stmt: ast.stmt, text: str, after: bool) -> Edit:
    at = ctx.map.line_start(stmt.end_lineno + 1 if after else stmt.lineno)  # type: ignore[operator]
    return Edit((Splice(at, at, text),), f"insert `{text.strip()}`")


@template("import_module", 0.4)
def import_module(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``import errno`` for a standard-library module the file reads and never imports: next to
    the top-level import on ``line``, or after the file's last top-level import."""
    modules = [name for name in unbound(ctx) if name in sys.stdlib_module_names]
    stmt = ctx.statement_at(line)
    body = ctx.tree.body
    if not modules or not body or not ctx.source.endswith("\n"):
        return
    if stmt in body and isinstance(stmt, ast.Import | ast.ImportFrom):
        for name in modules:
            yield _statement_edit(ctx, stmt, f"import {name}\n", after=False)
            yield _statement_edit(ctx, stmt, f"import {name}\n", after=True)
        return
    imports = [n for n in body if isinstance(n, ast.Import | ast.ImportFrom)]
    here = {n.id for n in _names_on(ctx, line)}
    for name in (m for m in modules if m in here and imports):
        yield _statement_edit(ctx, imports[-1], f"import {name}\n", after=True)


TEMPLATES = (import_unbound, import_module)
