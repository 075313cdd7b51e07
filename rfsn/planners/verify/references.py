"""Whether a patch puts an uncalled function where a value was, where no test shows it.

The probes (``types``) see what an expression is on the passing tests that run it. Where none
runs it, the code still says what some expressions are: ``self.refresh``, uncalled, is a bound
method where the class defines ``refresh``; ``self.size`` is a value where the class assigns it;
a literal, an operation or a call's result is a value. Pure: the concern of a patch whose
replacement is such a function and whose replaced expression such a value (`static`): issue 71's
``else self.size`` -> ``else self.refresh``, and a call dropped (``self.refresh()`` -> ``self.refresh``).
A call added (the reverse, a common fix) and an expression the code does not tell (a local
name, another object's attribute) say nothing.
"""

from __future__ import annotations

import ast
import builtins
import types
from dataclasses import dataclass

from rfsn.models.probes import Step
from rfsn.planners.code.candidates import FileChange
from rfsn.planners.verify.sites import Def, child, edited

FUNCTION, VALUE = "function", "value"
#: decorators whose attribute reads as a value, not a method
_PROPERTIES = {"property", "cached_property", "setter", "getter", "deleter"}
#: calls whose result is commonly a function, so not known to be a value
_MAKERS = {"getattr", "partial", "attrgetter", "itemgetter", "methodcaller", "wraps", "lru_cache", "cache"}
_OPERATIONS = (ast.BinOp, ast.UnaryOp, ast.Compare, ast.JoinedStr, ast.List, ast.Tuple, ast.Set, ast.Dict)
_COMPUTED = (*_OPERATIONS, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
Kind = tuple[str, str]  # FUNCTION, VALUE or "" (not known), and how the concern names it


@dataclass(frozen=True)
class _Scope:
    """What names mean where the expression is: the module's, its class's members, the function's locals."""

    module: dict[str, Kind]
    members: dict[str, Kind]
    local: frozenset[str]
    receiver: str  # the name of the method's first parameter (``self``, ``cls``), "" outside a class


def _named(node: ast.expr) -> str:
    node = node.func if isinstance(node, ast.Call) else node
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def _put(kinds: dict[str, Kind], name: str, kind: Kind) -> None:
    """A name bound to both kinds is neither."""
    kinds[name] = kind if kinds.get(name, kind)[0] == kind[0] else ("", "")


def _assigned(value: ast.expr | None, functions: set[str], where: str) -> Kind:
    """The kind of what an assignment binds: a lambda or a defined function's name is a function."""
    function = isinstance(value, ast.Lambda) or (value is not None and _named(value) in functions)
    return (FUNCTION, f"a function {where}") if function else (VALUE, f"a value {where}")


def _bound(stmt: ast.AST) -> list[tuple[ast.expr, ast.expr | None]]:
    """(target, the value it gets, where known) of an assignment, tuples unpacked."""
    if not isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
        return []
    pairs = [(t, stmt.value) for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])]
    out: list[tuple[ast.expr, ast.expr | None]] = []
    while pairs:
        target, value = pairs.pop()
        if isinstance(target, ast.Tuple | ast.List):
            same = isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts)
            pairs += [(t, value.elts[i] if same else None) for i, t in enumerate(target.elts)]  # type: ignore[union-attr]
        else:
            out.append((target, value))
    return out


def _module(tree: ast.Module) -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}
    functions = {s.name for s in tree.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            _put(kinds, stmt.name, (FUNCTION, f"the function {stmt.name}"))
        elif isinstance(stmt, ast.Import | ast.ImportFrom | ast.ClassDef):
            for name in [a.asname or a.name for a in stmt.names] if not isinstance(stmt, ast.ClassDef) else [stmt.name]:
                _put(kinds, name.split(".")[0], ("", ""))
        for target, value in _bound(stmt):
            if isinstance(target, ast.Name):
                _put(kinds, target.id, _assigned(value, functions, f"the module assigns to {target.id}"))
    return kinds


def _members(cls: ast.ClassDef) -> dict[str, Kind]:
    """A class's methods (functions; properties are values) and the attributes it assigns (values)."""
    kinds: dict[str, Kind] = {}
    defs = [s for s in cls.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)]
    methods = {d.name for d in defs if not {_named(x) for x in d.decorator_list} & _PROPERTIES}
    for d in defs:
        said = f"the method {cls.name}.{d.name}" if d.name in methods else f"the property {cls.name}.{d.name}"
        _put(kinds, d.name, (FUNCTION if d.name in methods else VALUE, said))
    for stmt in cls.body:
        for target, value in _bound(stmt):
            if isinstance(target, ast.Name):
                _put(kinds, target.id, _assigned(value, methods, f"the class {cls.name} assigns to {target.id}"))
    for d in defs:
        first = d.args.posonlyargs[:1] or d.args.args[:1]
        for target, value in (pair for node in ast.walk(d) if first for pair in _bound(node)):
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == first[0].arg
            ):
                where = f"{cls.name} assigns to its attribute {target.attr}"
                _put(kinds, target.attr, _assigned(value, methods, where))
    return kinds


def _locals(unit: Def) -> frozenset[str]:
    """The names a function binds itself (its parameters, what it assigns, imports or defines)."""
    a = unit.args
    names = {p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if p is not None}
    for node in ast.walk(unit):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((x.asname or x.name).split(".")[0] for x in node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node is not unit:
            names.add(node.name)
    declared = {n for node in ast.walk(unit) if isinstance(node, ast.Global) for n in node.names}
    return frozenset(names - declared)


def _scope(tree: ast.Module, name: str, unit: Def) -> _Scope:
    body, owner = tree.body, None
    for part in name.split(".")[:-1]:
        owner = next(s for s in body if isinstance(s, ast.ClassDef) and s.name == part)
        body = owner.body
    first = unit.args.posonlyargs[:1] or unit.args.args[:1]
    receiver = first[0].arg if owner is not None and first else ""
    return _Scope(_module(tree), _members(owner) if owner else {}, _locals(unit), receiver)


def kind(node: ast.AST, called: bool, scope: _Scope) -> Kind:
    """Pure: what ``node`` is, as far as the code says: an uncalled reference to a function the
    module or class defines (or a builtin function), a value, or not known ("")."""
    found: Kind = ("", "")
    match node:
        case ast.Constant(value=value) if value is not Ellipsis:
            return VALUE, "a literal"
        case ast.Call() if _named(node) not in _MAKERS:
            return VALUE, "a call's result"
        case _ if isinstance(node, _COMPUTED):
            return VALUE, "a value the code computes"
        case ast.Attribute(value=ast.Name(id=receiver), attr=attr) if receiver == scope.receiver and receiver:
            found = scope.members.get(attr, found)
        case ast.Name(id=name) if name not in scope.local:
            if isinstance(getattr(builtins, name, None), types.BuiltinFunctionType):
                found = (FUNCTION, f"the builtin function {name}")
            found = scope.module.get(name, found)
    return ("", "") if called and found[0] == FUNCTION else found


def _replaced(before: Def, after: Def, steps: list[Step]) -> tuple[ast.AST, ast.AST, bool]:
    """The expression replaced and its replacement (a keyword argument's value where only it
    differs), and whether they are called."""
    old: ast.AST = before
    new: ast.AST = after
    for step in steps:
        old, new = child(old, step), child(new, step)
    called = steps[-1][0] == "func"
    if isinstance(old, ast.Call) and isinstance(new, ast.Call) and len(old.keywords) == len(new.keywords):
        pairs = [(a, b) for a, b in zip(old.keywords, new.keywords, strict=True) if ast.dump(a) != ast.dump(b)]
        same = ast.dump(old.func) == ast.dump(new.func) and ast.dump(ast.List(old.args)) == ast.dump(ast.List(new.args))
        if same and len(pairs) == 1 and pairs[0][0].arg == pairs[0][1].arg:
            return pairs[0][0].value, pairs[0][1].value, False
    return old, new, called


def static(change: FileChange) -> list[str]:
    """Pure: the concern of a patch whose replacement is an uncalled function where the expression
    it replaced was a value, as the code says (`kind`); none of any other patch."""
    found = edited(change)
    if found is None or not found[3]:
        return []
    name, before, after, steps = found
    old, new, called = _replaced(before, after, steps)
    kinds = [
        kind(node, called, _scope(ast.parse(text), name, unit))
        for node, text, unit in ((old, change.original, before), (new, change.patched, after))
    ]
    if (kinds[0][0], kinds[1][0]) != (VALUE, FUNCTION):  # the rule: a value became an uncalled function
        return []
    was, now = (
        (ast.get_source_segment(text, n) or "")[:60] for n, text in ((old, change.original), (new, change.patched))
    )
    return [
        f"`{now}` at {change.path}:{getattr(new, 'lineno', 0)} is {kinds[1][1]}, uncalled, where `{was}`, the "
        f"expression it replaced, is {kinds[0][1]} (read from the code: no passing test runs it): it changes what "
        "the code is, not only what it does"
    ]
