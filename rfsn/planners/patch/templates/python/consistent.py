"""One edit made at every use: a name, attribute or literal that another template changes at the
line, changed the same way wherever the statement at the line, and the statements after it in its
block, read the same expression (``param.name`` -> ``param`` in a condition and its body, a
renamed variable read on two lines). The rest of the block stops at a statement that rebinds a
name the expression reads."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext
from rfsn.planners.patch.templates.python.literals import literal_kind
from rfsn.planners.patch.templates.python.names import replace_variable, self_or_local
from rfsn.planners.patch.templates.python.narrowing import narrow_expression
from rfsn.planners.patch.templates.python.qualified import qualified_name
from rfsn.planners.patch.templates.python.scope import function_at

#: the templates whose one-place edits are repeated at the other uses (``replace_variable``'s only
#: towards a local the function assigns and never reads: ``unused``)
BASES = (replace_variable, self_or_local, narrow_expression, literal_kind, qualified_name)


def unused(ctx: FileContext, line: int) -> set[str]:
    """The names the function at ``line`` assigns and never reads."""
    func = function_at(ctx, line)
    if func is None:
        return set()
    names = [n for n in ast.walk(func) if isinstance(n, ast.Name)]
    return {n.id for n in names if isinstance(n.ctx, ast.Store)} - {n.id for n in names if isinstance(n.ctx, ast.Load)}


def _stored(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store | ast.Del)}


def _following(ctx: FileContext, stmt: ast.stmt) -> list[ast.stmt]:
    """The statements after ``stmt`` in its block."""
    parent = ctx.parents.get(stmt)
    for _, value in ast.iter_fields(parent) if parent is not None else ():
        if isinstance(value, list) and any(s is stmt for s in value):
            return value[next(i for i, s in enumerate(value) if s is stmt) + 1 :]
    return []


def region(ctx: FileContext, stmt: ast.stmt, node: ast.expr) -> list[ast.stmt]:
    """``stmt`` and the statements after it in its block, up to one that rebinds a name ``node`` reads."""
    reads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    out = [stmt]
    if _stored(stmt) & reads:
        return out
    for after in _following(ctx, stmt):
        if _stored(after) & reads:
            break
        out.append(after)
    return out


def _container(ctx: FileContext, stmt: ast.stmt, splice: Splice) -> ast.expr | None:
    """The smallest expression of ``stmt`` whose text holds the splice."""
    best: tuple[int, ast.expr] | None = None
    for node in ast.walk(stmt):
        if isinstance(node, ast.expr):
            start, end = ctx.map.span(node)
            if start <= splice.start and splice.end <= end and (best is None or end - start < best[0]):
                best = (end - start, node)
    return best[1] if best is not None else None


def everywhere(ctx: FileContext, stmt: ast.stmt, edit: Edit) -> Edit | None:
    """``edit`` (one splice) repeated at the other uses of the expression it changes, if any."""
    if len(edit.splices) != 1:
        return None
    splice = edit.splices[0]
    node = _container(ctx, stmt, splice)
    if node is None:
        return None
    start, end = ctx.map.span(node)
    dump, text = ast.dump(node), ctx.source[start:end]
    splices = [splice]
    for other in (n for s in region(ctx, stmt, node) for n in ast.walk(s)):
        if not isinstance(other, ast.expr) or other is node:
            continue
        lo, hi = ctx.map.span(other)
        same = hi - lo == end - start and ctx.source[lo:hi] == text and ast.dump(other) == dump
        if same and all(hi <= s.start or lo >= s.end for s in splices):
            splices.append(Splice(lo + splice.start - start, lo + splice.end - start, splice.text))
    if len(splices) == 1:
        return None
    return Edit(tuple(splices), f"{edit.description}, at all {len(splices)} uses")


@template("consistent_edit", 0.3)
def consistent_edit(ctx: FileContext, line: int) -> Iterator[Edit]:
    """Another template's edit at the line, made at every use of what it changes nearby."""
    stmt = ctx.statement_at(line)
    if stmt is None:
        return
    seen: set[tuple[Splice, ...]] = set()
    dead = unused(ctx, line)
    for base in BASES:
        for edit in base.fn(ctx, line):
            if base is replace_variable and edit.splices[0].text not in dead:
                continue
            repeated = everywhere(ctx, stmt, edit)
            if repeated is not None and repeated.splices not in seen:
                seen.add(repeated.splices)
                yield repeated


TEMPLATES = (consistent_edit,)
