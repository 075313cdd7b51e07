"""Which binding each name of a Python module refers to, as Python resolves it.

Every ``ast.Name`` gets a key ``(scope, name)``: a function's (or lambda's) parameters and the
names it binds are its own; a class body's names are seen by the class body alone, not by its
methods; a comprehension binds its targets (its first iterable is read outside it, a walrus in
it binds in the function around it). A name declared ``global`` or ``nonlocal`` anywhere gets one
key for all its uses in the file (its bindings then cross scopes; taking them as one only
over-approximates). Decorators, defaults and annotations belong to the scope around a def.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

Key = tuple[int, str]
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


@dataclass
class _Scope:
    node: ast.AST
    parent: _Scope | None
    bound: set[str] = field(default_factory=set)
    names: list[ast.Name] = field(default_factory=list)

    @property
    def is_class(self) -> bool:
        return isinstance(self.node, ast.ClassDef)

    @property
    def is_comprehension(self) -> bool:
        return isinstance(self.node, _COMPREHENSIONS)


def name_keys(tree: ast.AST) -> dict[int, Key]:
    """The key of every ``ast.Name`` node under ``tree``, by ``id()`` of the node."""
    shared = {name for node in ast.walk(tree) if isinstance(node, ast.Global | ast.Nonlocal) for name in node.names}
    scopes: list[_Scope] = []
    _visit(tree, _new(tree, None, scopes), scopes)
    keys: dict[int, Key] = {}
    for scope in scopes:
        for name in scope.names:
            keys[id(name)] = (0, name.id) if name.id in shared else _resolve(scope, name.id)
    return keys


def _new(node: ast.AST, parent: _Scope | None, scopes: list[_Scope]) -> _Scope:
    scope = _Scope(node, parent)
    scopes.append(scope)
    return scope


def _resolve(scope: _Scope, name: str) -> Key:
    current: _Scope | None = scope
    first = True
    while current is not None:
        if (name in current.bound and (first or not current.is_class)) or current.parent is None:
            return (id(current.node), name)
        first = False
        current = current.parent
    raise AssertionError("the module scope ends every chain")  # pragma: no cover


def _function_scope(scope: _Scope) -> _Scope:
    """Where a walrus in a comprehension binds: the nearest scope that is no comprehension."""
    while scope.is_comprehension and scope.parent is not None:
        scope = scope.parent
    return scope


def _visit(node: ast.AST, scope: _Scope, scopes: list[_Scope]) -> None:
    if isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
        _enter_definition(node, scope, scopes)
        return
    if isinstance(node, _COMPREHENSIONS):
        _enter_comprehension(node, scope, scopes)
        return
    if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
        outer = _function_scope(scope)
        outer.bound.add(node.target.id)
        outer.names.append(node.target)
        _visit(node.value, scope, scopes)
        return
    _bind(node, scope)
    for child in ast.iter_child_nodes(node):
        _visit(child, scope, scopes)


def _bind(node: ast.AST, scope: _Scope) -> None:
    if isinstance(node, ast.Name):
        scope.names.append(node)
        if isinstance(node.ctx, ast.Store | ast.Del):
            scope.bound.add(node.id)
    elif isinstance(node, ast.alias):
        scope.bound.add(node.asname or node.name.split(".")[0])
    elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
        scope.bound.add(node.name)
    elif isinstance(node, ast.MatchMapping) and node.rest:
        scope.bound.add(node.rest)


def _enter_definition(node: ast.AST, scope: _Scope, scopes: list[_Scope]) -> None:
    """Decorators, bases, defaults and annotations in ``scope``; the body in a scope of its own."""
    if not isinstance(node, ast.Lambda):
        scope.bound.add(node.name)  # type: ignore[attr-defined]
    outside: list[ast.AST] = list(getattr(node, "decorator_list", []))
    if isinstance(node, ast.ClassDef):
        outside += [*node.bases, *node.keywords]
    else:
        arguments = node.args  # type: ignore[attr-defined]
        outside += [*arguments.defaults, *(d for d in arguments.kw_defaults if d is not None)]
        every = [
            *arguments.posonlyargs,
            *arguments.args,
            *arguments.kwonlyargs,
            *(a for a in (arguments.vararg, arguments.kwarg) if a is not None),
        ]
        outside += [a.annotation for a in every if a.annotation is not None]
        returns = getattr(node, "returns", None)
        outside += [returns] if returns is not None else []
    for part in outside:
        _visit(part, scope, scopes)
    inner = _new(node, scope, scopes)
    if not isinstance(node, ast.ClassDef):
        inner.bound.update(a.arg for a in every)
    body = node.body  # type: ignore[attr-defined]
    for child in body if isinstance(body, list) else [body]:
        _visit(child, inner, scopes)


def _enter_comprehension(node: ast.AST, scope: _Scope, scopes: list[_Scope]) -> None:
    generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
    _visit(generators[0].iter, scope, scopes)
    inner = _new(node, scope, scopes)
    for number, generator in enumerate(generators):
        _visit(generator.target, inner, scopes)
        if number:
            _visit(generator.iter, inner, scopes)
        for condition in generator.ifs:
            _visit(condition, inner, scopes)
    for part in ("elt", "key", "value"):
        if getattr(node, part, None) is not None:
            _visit(getattr(node, part), inner, scopes)
