"""Inserted missing statements (re-used from nearby code) and statement deletion."""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FUNCTIONS, FileContext, own_nodes
from rfsn.planners.patch.templates.python.scope import (
    BUILTIN_NAMES,
    class_at,
    function_at,
    local_names,
    module_names,
    names_before,
    parameters,
    self_attributes,
)

_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)


def _simple_statement(ctx: FileContext, line: int) -> ast.stmt | None:
    stmt = ctx.statement_at(line)
    if stmt is None or isinstance(stmt, FUNCTIONS | ast.ClassDef):
        return None
    start = ctx.map.span(stmt)[0]
    if ctx.source[ctx.map.line_start(stmt.lineno) : start].strip():
        return None
    return stmt


def insert_statement(ctx: FileContext, stmt: ast.stmt, text: str, after: bool) -> Edit:
    indent = ctx.map.indent(stmt.lineno)
    lineno = stmt.end_lineno + 1 if after else stmt.lineno  # type: ignore[operator]
    at = ctx.map.line_start(lineno) if lineno <= len(ctx.map.lines) else len(ctx.source)
    prefix = "" if at == 0 or ctx.source[at - 1] == "\n" else "\n"
    where = "after" if after else "before"
    return Edit(
        (Splice(at, at, f"{prefix}{indent}{text}\n"),),
        f"insert `{text}` {where} line {stmt.lineno}",
    )


def _positions(stmt: ast.stmt) -> tuple[bool, ...]:
    return (False,) if isinstance(stmt, _EXITS) else (False, True)


def _donors(ctx: FileContext, func: ast.AST) -> Iterator[ast.stmt]:
    """Simple statements of sibling functions (same class, else same module); each owner's
    (function, statement) pairs are found once a file."""
    owner = ctx.enclosing(func, (ast.ClassDef,)) or ctx.tree
    key = ("donors", id(owner))
    if key not in ctx.cache:
        ctx.cache[key] = [
            (other, node)
            for other in ast.walk(owner)
            if isinstance(other, FUNCTIONS)
            for node in ast.walk(other)
            if isinstance(node, ast.Expr | ast.Assign | ast.AugAssign) and node.lineno == node.end_lineno
        ]
    return (node for other, node in ctx.cache[key] if other is not func)


#: how often sibling methods make a step on ``self`` alone before it is re-used (a habit of the class)
HABIT = 2


@template("insert_similar_statement", 0.5)
def insert_similar_statement(ctx: FileContext, line: int) -> Iterator[Edit]:
    """Re-use a statement from a sibling function whose names are all in scope here, and that reads
    a local, or only ``self`` when the sibling methods make that step ``HABIT`` times or more."""
    stmt, func = _simple_statement(ctx, line), function_at(ctx, line)
    if stmt is None or func is None:
        return
    known = {*local_names(func), "self", "cls", *BUILTIN_NAMES, *module_names(ctx)}
    present = {ctx.map.text(n) for n in ast.walk(func) if isinstance(n, ast.stmt)}
    donors = [d for d in _donors(ctx, func) if not isinstance(d, ast.Expr) or isinstance(d.value, ast.Call)]
    counts = Counter(ctx.map.text(d) for d in donors)
    own = set(local_names(func)) | ({"self"} & set(parameters(func)[:1]))
    texts: dict[str, None] = {}
    for donor in donors:
        names = {n.id for n in ast.walk(donor) if isinstance(n, ast.Name)}
        text = ctx.map.text(donor)
        if names <= known and text not in present and names & (own if counts[text] >= HABIT else own - {"self"}):
            texts.setdefault(text)
    for text in texts:
        for after in _positions(stmt):
            yield insert_statement(ctx, stmt, text, after)


#: how many lines from the statement at the line a statement of the same function is re-used from
NEAR = 4


def _near_donors(ctx: FileContext, func: ast.AST, stmt: ast.stmt) -> Iterator[ast.stmt]:
    """One-line statements of ``func`` itself, within ``NEAR`` lines of ``stmt`` and outside its
    block (another branch, the block around it): its sibling functions' are ``_donors``."""
    block = _block_of(ctx, stmt)
    for node in own_nodes(func):  # type: ignore[arg-type]
        if (
            isinstance(node, ast.Expr | ast.Assign | ast.AugAssign)
            and node.lineno == node.end_lineno
            and abs(node.lineno - stmt.lineno) <= NEAR
            and not any(node is other for other in block)
        ):
            yield node


@template("insert_nearby_statement", 0.3)
def insert_nearby_statement(ctx: FileContext, line: int) -> Iterator[Edit]:
    """Re-use a statement the function has a few lines away, in another block: the same step in
    the other branch (``url = url.replace('ssh://', '')``), the step after a block made in it too."""
    stmt, func = _simple_statement(ctx, line), function_at(ctx, line)
    if stmt is None or func is None:
        return
    texts: dict[str, None] = {}
    for donor in _near_donors(ctx, func, stmt):
        if not isinstance(donor, ast.Expr) or isinstance(donor.value, ast.Call):
            texts.setdefault(ctx.map.text(donor))
    places = [(stmt, after) for after in _positions(stmt)] + [(block, True) for block in _closed_at(ctx, stmt, func)]
    for text in texts:
        for anchor, after in places:
            yield insert_statement(ctx, anchor, text, after)


def _closed_at(ctx: FileContext, stmt: ast.stmt, func: ast.AST) -> Iterator[ast.stmt]:
    """The compound statements of ``func`` that end where ``stmt`` does (after them is the line too)."""
    for outer in ctx.ancestors(stmt):
        if outer is func or outer.end_lineno != stmt.end_lineno:  # type: ignore[attr-defined]
            return
        if isinstance(outer, ast.stmt):
            yield outer


@template("return_unused_value", 0.5)
def return_unused_value(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``x = compute()`` with ``x`` never read afterwards -> add ``return x``."""
    stmt, func = _simple_statement(ctx, line), function_at(ctx, line)
    if not isinstance(stmt, ast.Assign) or func is None:
        return
    loads = {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    for target in stmt.targets:
        if isinstance(target, ast.Name) and target.id not in loads:
            yield insert_statement(ctx, stmt, f"return {target.id}", after=True)


@template("insert_self_assignment", 0.45)
def insert_self_assignment(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A method parameter that is never used -> ``self.<attr> = <param>``."""
    stmt, func, cls = _simple_statement(ctx, line), function_at(ctx, line), class_at(ctx, line)
    if stmt is None or func is None or cls is None:
        return
    loads = {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    attrs = self_attributes(cls)
    for param in parameters(func)[1:]:
        if param in loads:
            continue
        for attr in [a for a in attrs if a.lstrip("_") == param] or [param]:
            for after in _positions(stmt):
                yield insert_statement(ctx, stmt, f"self.{attr} = {param}", after)


def _block_of(ctx: FileContext, stmt: ast.stmt) -> list[ast.stmt]:
    parent = ctx.parents.get(stmt)
    for _, value in ast.iter_fields(parent) if parent else ():
        if isinstance(value, list) and stmt in value:
            return value
    return []


def _block_ends(ctx: FileContext, stmt: ast.stmt) -> Iterator[tuple[ast.stmt, bool]]:
    """Where a statement may go: (anchor, after) at the end of the block holding ``stmt``
    and of the block ``stmt`` opens; before the block's exit when it ends in one."""
    blocks = [_block_of(ctx, stmt)]
    if isinstance(stmt, ast.For | ast.While | ast.If | ast.With):
        blocks.append(stmt.body)
    for block in blocks:
        if block:
            last = block[-1]
            yield (last, not isinstance(last, _EXITS))


def _loop_variables(ctx: FileContext, stmt: ast.stmt) -> list[str]:
    """Names bound by the loops around ``stmt`` and assigned in their bodies before it."""
    out: dict[str, None] = {}
    for loop in ctx.ancestors(stmt):
        if isinstance(loop, FUNCTIONS | ast.ClassDef):
            break
        if isinstance(loop, ast.For | ast.AsyncFor):
            out.update(dict.fromkeys(n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)))
            out.update(
                dict.fromkeys(
                    t.id
                    for s in ast.walk(loop)
                    if isinstance(s, ast.Assign) and s.lineno < stmt.lineno
                    for t in s.targets
                    if isinstance(t, ast.Name)
                )
            )
    return list(out)


_ADDERS = {ast.List: "append", ast.ListComp: "append", ast.Set: "add", ast.SetComp: "add"}


def _collections(func: ast.AST) -> dict[str, str]:
    """Locals initialised to a list or a set -> the method that adds to them."""
    out: dict[str, str] = {}
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and not value.args:
                adder = {"list": "append", "set": "add"}.get(value.func.id)
            else:
                adder = _ADDERS.get(type(value))
            if adder:
                out.setdefault(node.targets[0].id, adder)
    return out


def _same_role(func: ast.AST) -> list[tuple[str, str]]:
    """(a, b) for two names compared with each other in the function, both ways (not by
    membership: an element and its collection do not play the same role)."""
    pairs: dict[tuple[str, str], None] = {}
    for node in ast.walk(func):
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and not isinstance(node.ops[0], ast.In | ast.NotIn):
            a, b = node.left, node.comparators[0]
            if isinstance(a, ast.Name) and isinstance(b, ast.Name) and a.id != b.id:
                pairs.update({(a.id, b.id): None, (b.id, a.id): None})
    return list(pairs)


def _name_statements(ctx: FileContext, stmt: ast.stmt, func: ast.AST, line: int) -> list[str]:
    variables = _loop_variables(ctx, stmt)
    scope = set(names_before(ctx, line))
    texts = [
        f"{coll}.{adder}({item})"
        for coll, adder in _collections(func).items()
        if coll in scope
        for item in variables
        if item != coll
    ]
    texts += [f"{a} = {b}" for a, b in _same_role(func) if a in scope and b in scope and a not in variables]
    return texts


@template("insert_name_statement", 0.3, wide=True)
def insert_name_statement(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``out.append(item)`` or ``last = item`` (names compared with each other elsewhere),
    built from names in scope, at the end of a block or before its return."""
    stmt, func = _simple_statement(ctx, line), function_at(ctx, line)
    if stmt is None or func is None:
        return
    texts = _name_statements(ctx, stmt, func, line)
    for anchor, after in dict.fromkeys(_block_ends(ctx, stmt)):
        for text in texts:
            yield insert_statement(ctx, anchor, text, after)


@template("delete_statement", 0.15)
def delete_statement(ctx: FileContext, line: int) -> Iterator[Edit]:
    stmt = _simple_statement(ctx, line)
    if stmt is None or isinstance(stmt, ast.If | ast.For | ast.While | ast.With | ast.Try):
        return
    parent = ctx.parents.get(stmt)
    siblings = next((v for _, v in ast.iter_fields(parent) if isinstance(v, list) and stmt in v), []) if parent else []
    start = ctx.map.line_start(stmt.lineno)
    end_line = stmt.end_lineno + 1  # type: ignore[operator]
    end = ctx.map.line_start(end_line) if end_line <= len(ctx.map.lines) else len(ctx.source)
    text = f"{ctx.map.indent(stmt.lineno)}pass\n" if len(siblings) == 1 else ""
    yield Edit((Splice(start, end, text),), f"delete `{ctx.map.text(stmt)[:60]}`")


TEMPLATES = (
    insert_similar_statement,
    insert_nearby_statement,
    insert_name_statement,
    return_unused_value,
    insert_self_assignment,
    delete_statement,
)
