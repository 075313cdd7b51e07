"""Blocks deleted whole: a compound statement (``if``, a loop, ``with``, ``try``) at its header,
an ``elif`` or ``else`` branch of an ``if``, an ``except`` clause beside others: the fix shapes
"statement deleted" and "expression narrowed" of the fixes corpus (benchmarks/fixes) where what
goes is a block (a simple statement is ``delete_statement``'s)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext

_COMPOUND = ast.If | ast.For | ast.AsyncFor | ast.While | ast.With | ast.AsyncWith | ast.Try


def _headers(ctx: FileContext, line: int) -> list[ast.stmt]:
    """The compound statements whose header starts at ``line`` (indexed once a file)."""
    if "block_headers" not in ctx.cache:
        index: dict[int, list[ast.stmt]] = {}
        for stmt in ctx.statements:
            if isinstance(stmt, _COMPOUND):
                index.setdefault(stmt.lineno, []).append(stmt)
        ctx.cache["block_headers"] = index
    return ctx.cache["block_headers"].get(line, [])


def _handlers(ctx: FileContext) -> list[ast.ExceptHandler]:
    if "all_except_handlers" not in ctx.cache:
        ctx.cache["all_except_handlers"] = [n for n in ast.walk(ctx.tree) if isinstance(n, ast.ExceptHandler)]
    return ctx.cache["all_except_handlers"]


def _span(ctx: FileContext, first: int, last: int) -> tuple[int, int]:
    """The offsets of lines ``first`` to ``last``, whole."""
    end = ctx.map.line_start(last + 1) if last < len(ctx.map.lines) else len(ctx.source)
    return ctx.map.line_start(first), end


def _keyword_line(ctx: FileContext, first: int, last: int, indent: str) -> int | None:
    """The first line from ``first`` to ``last`` that is an ``elif``/``else`` at ``indent``."""
    for number in range(first, last + 1):
        text = ctx.map.lines[number - 1]
        if ctx.map.indent(number) == indent and text.strip().startswith(("elif", "else")):
            return number
    return None


def _is_elif(ctx: FileContext, stmt: ast.stmt) -> bool:
    parent = ctx.parents.get(stmt)
    return isinstance(parent, ast.If) and parent.orelse == [stmt] and ctx.map.text(stmt).startswith("elif")


def _whole(ctx: FileContext, stmt: ast.stmt) -> Edit:
    """The statement's lines deleted (``pass`` left when it is its block's only statement)."""
    parent = ctx.parents.get(stmt)
    block = next((v for _, v in ast.iter_fields(parent) if isinstance(v, list) and stmt in v), []) if parent else []
    start, end = _span(ctx, stmt.lineno, stmt.end_lineno or stmt.lineno)
    text = f"{ctx.map.indent(stmt.lineno)}pass\n" if len(block) == 1 else ""
    return Edit((Splice(start, end, text),), f"delete the block `{ctx.map.lines[stmt.lineno - 1].strip()[:60]}`")


def _elif(ctx: FileContext, stmt: ast.If) -> Edit | None:
    """An ``elif`` branch deleted; the branches after it stay with the ``if`` before it."""
    last = stmt.end_lineno or stmt.lineno
    if stmt.orelse:
        after = _keyword_line(ctx, stmt.body[-1].end_lineno + 1, stmt.orelse[0].lineno, ctx.map.indent(stmt.lineno))  # type: ignore[operator]
        if after is None:
            return None
        last = after - 1
    start, end = _span(ctx, stmt.lineno, last)
    return Edit((Splice(start, end, ""),), f"delete the branch `{ctx.map.lines[stmt.lineno - 1].strip()[:60]}`")


def _else(ctx: FileContext, line: int) -> Iterator[Edit]:
    """The ``else:`` branch of an ``if`` at ``line`` deleted."""
    stmt = ctx.statement_at(line)
    if not isinstance(stmt, ast.If) or not stmt.orelse or _is_elif(ctx, stmt.orelse[0]):
        return
    after_body = stmt.body[-1].end_lineno or stmt.body[-1].lineno
    if ctx.map.lines[line - 1].strip().startswith("else") and after_body < line <= stmt.orelse[0].lineno:
        start, end = _span(ctx, line, stmt.orelse[-1].end_lineno or line)
        yield Edit((Splice(start, end, ""),), "delete the `else` branch")


@template("delete_block", 0.15)
def delete_block(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``if c: A`` (a loop, ``with``, ``try``) deleted whole at its header; ``elif c: A`` and
    ``else: A`` deleted from their ``if``; ``except E: A`` deleted when the ``try`` keeps another
    clause."""
    for stmt in _headers(ctx, line):
        if _is_elif(ctx, stmt):
            edit = _elif(ctx, stmt)  # type: ignore[arg-type]
            if edit is not None:
                yield edit
        else:
            yield _whole(ctx, stmt)
    yield from _else(ctx, line)
    for handler in (h for h in _handlers(ctx) if h.lineno == line):
        owner = ctx.parents.get(handler)
        if isinstance(owner, ast.Try) and (len(owner.handlers) > 1 or owner.finalbody):
            start, end = _span(ctx, handler.lineno, handler.end_lineno or handler.lineno)
            yield Edit((Splice(start, end, ""),), f"delete the clause `{ctx.map.lines[line - 1].strip()[:60]}`")


TEMPLATES = (delete_block,)
