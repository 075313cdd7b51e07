"""Names a function binds and never reads, and attributes a class reads and never binds (the
fixes corpus's "expression wrapped <- local", "replaced name <- local", "statement inserted
(Assign)"): a parameter the function accepts and ignores (``loop=None``, then ``self._loop =
get_running_loop()`` -> ``loop or get_running_loop()``); a store to a name no statement reads
where a later statement reads another (``log_text = self.log_level``, then
``setLevel(log_level)`` -> ``log_level = self.log_level``); a parameter of the name of an
attribute the class declares and never assigns (``self.body = body``); an ignored parameter
passed on to a call of the line (``Integer.subtype(self, value, tag, named)`` -> ``(self, value,
tag, spec, named)`` in the parameters' order, ``HTTPConnection(netloc)`` -> ``(netloc,
timeout=timeout)``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FUNCTIONS, FileContext, header_nodes, replace
from rfsn.planners.patch.templates.python.exprs import AND, OR, operand, substitute
from rfsn.planners.patch.templates.python.kinds import compatible
from rfsn.planners.patch.templates.python.names import bare
from rfsn.planners.patch.templates.python.scope import (
    class_at,
    function_at,
    kinds_at,
    local_names,
    parameters,
    unassigned_attributes,
)
from rfsn.planners.patch.templates.python.statements import insert_statement

#: the statements after a dead store where the name it meant is looked for
REACH = 8


def _read(func: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _to_itself(ctx: FileContext, node: ast.Name) -> bool:
    """A read that only feeds the name back: ``if x is None:`` (the test), ``x = f(x)``."""
    parent = ctx.parents.get(node)
    test = isinstance(parent, ast.Compare) and getattr(ctx.parents.get(parent), "test", None) is parent
    if test and all(isinstance(c, ast.Constant) and c.value is None for c in parent.comparators):  # type: ignore[union-attr]
        return isinstance(ctx.parents.get(parent), ast.If)  # type: ignore[arg-type]
    for anc in ctx.ancestors(node):
        if isinstance(anc, ast.Assign | ast.AugAssign):
            targets = anc.targets if isinstance(anc, ast.Assign) else [anc.target]
            return [t.id for t in targets if isinstance(t, ast.Name)] == [node.id]
        if isinstance(anc, ast.stmt):
            return False
    return False


def _ignored(ctx: FileContext, func: ast.AST) -> list[str]:
    """The parameters whose value the function never uses (no read, or only reads that feed
    them back to themselves)."""
    used = {
        n.id
        for n in ast.walk(func)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and not _to_itself(ctx, n)
    }
    args = func.args  # type: ignore[attr-defined]
    starred = {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    return [p for p in parameters(func) if p not in used | starred | {"self", "cls"}]  # type: ignore[arg-type]


def _assigned(stmt: ast.stmt | None) -> tuple[str, ast.expr] | None:
    """The name (or ``self`` attribute) a one-target assignment binds, and its value."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target, value = stmt.targets[0], stmt.value
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        target, value = stmt.target, stmt.value
    else:
        return None
    if isinstance(target, ast.Name):
        return target.id, value
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
        return target.attr, value
    return None


@template("unread_parameter", 0.3)
def unread_parameter(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``self.x = value`` -> ``x or value`` where the function takes a parameter ``x`` it never
    reads: the caller's value was meant to win over the computed one."""
    func, stmt = function_at(ctx, line), ctx.statement_at(line)
    bound = _assigned(stmt)
    if func is None or bound is None or stmt is None or stmt.lineno != line:
        return
    name, value = bound
    for param in _ignored(ctx, func):
        if bare(param) == bare(name):
            text = f"{param} or {operand(ctx, value, AND)}"
            yield substitute(ctx, value, text, OR, f"let the parameter `{param}` win over the computed value")


def _later(ctx: FileContext, func: ast.AST, stmt: ast.stmt) -> list[ast.stmt]:
    end = stmt.end_lineno or stmt.lineno
    after = (
        s for s in ast.walk(func) if isinstance(s, ast.stmt) and s.lineno > end and ctx.enclosing(s, FUNCTIONS) is func
    )
    return sorted(after, key=lambda s: s.lineno)[:REACH]


@template("rename_dead_store", 0.5)
def rename_dead_store(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``a = value`` where ``a`` is never read -> ``b = value`` for a local ``b`` the next
    statements read (and the function assigns elsewhere): the store was meant for ``b``."""
    func, stmt = function_at(ctx, line), ctx.statement_at(line)
    if func is None or stmt is None or not isinstance(stmt, ast.Assign | ast.AnnAssign):
        return
    read = _read(func)
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    dead = [t for t in targets if isinstance(t, ast.Name) and t.id not in read and not t.id.startswith("_")]
    if not dead:
        return
    assigned = set(local_names(func)) - set(parameters(func))
    kinds = kinds_at(ctx, line)
    for target in dead:
        seen: set[str] = set()
        for after in _later(ctx, func, stmt):
            for node in header_nodes(after):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in assigned:
                    other = node.id
                    if other not in seen and other != target.id and compatible(kinds.get(target.id), kinds.get(other)):
                        seen.add(other)
                        yield replace(ctx, target, other, f"store to `{other}`, which is read next, not `{target.id}`")


@template("store_parameter", 0.25)
def store_parameter(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``self.x = x`` before or after the line's statement, for a parameter ``x`` of the method
    where the class reads or declares ``x`` (``x: T`` in its body) and never assigns it. (A
    parameter the method never reads: ``insert_self_assignment``.)"""
    func, cls, stmt = function_at(ctx, line), class_at(ctx, line), ctx.statement_at(line)
    if func is None or cls is None or stmt is None or isinstance(stmt, FUNCTIONS | ast.ClassDef):
        return
    if stmt.lineno != line or ctx.enclosing(stmt, FUNCTIONS) is not func:
        return
    read, unassigned = _read(func), unassigned_attributes(cls)
    for param in parameters(func)[1:]:
        for attr in (a for a in unassigned if param in read and bare(a) == param):
            for after in (False,) if isinstance(stmt, ast.Return | ast.Raise) else (False, True):
                yield insert_statement(ctx, stmt, f"self.{attr} = {param}", after)


def _pass(ctx: FileContext, call: ast.Call, param: str, order: list[str]) -> Edit:
    """``param`` passed to ``call``: positionally after the last argument that is a parameter
    before it in ``order`` where the call passes such, else as ``param=param`` at the end."""
    rank = order.index(param)
    before = [a for a in call.args if isinstance(a, ast.Name) and a.id in order and order.index(a.id) < rank]
    passes = any(isinstance(a, ast.Name) and a.id in order for a in call.args)
    if passes and before:
        at, text = ctx.map.span(before[-1])[1], f", {param}"
    elif passes:
        at, text = ctx.map.span(call.args[0])[0], f"{param}, "
    else:
        rest = [*call.args, *call.keywords]
        at = ctx.map.span(rest[-1])[1] if rest else ctx.map.span(call)[1] - 1
        text = f", {param}={param}" if rest else f"{param}={param}"
    return Edit((Splice(at, at, text),), f"pass the ignored parameter `{param}` on")


@template("pass_parameter", 0.3)
def pass_parameter(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A parameter the function never reads, passed to a call of the line: in its place among
    the function's parameters the call passes, else by keyword (the callee takes it too)."""
    func = function_at(ctx, line)
    if func is None:
        return
    order, ignored = parameters(func), _ignored(ctx, func)
    for call in (n for n in ctx.nodes_at(line) if isinstance(n, ast.Call) and ctx.enclosing(n, FUNCTIONS) is func):
        if not any(isinstance(a, ast.Starred) for a in call.args):
            for param in ignored:
                yield _pass(ctx, call, param, order)


TEMPLATES = (unread_parameter, rename_dead_store, store_parameter, pass_parameter)
