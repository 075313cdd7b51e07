"""Uses of pytest's plugin manager and hook callers that add no hook and report nothing.

A test of a pytest plugin looks plugins up (``pluginmanager.hasplugin``), reads a field of the
manager, takes a plugin out and puts the same one back (a fixture that quiets logging), hands the
manager to pytester's recorder, calls a hook that only converts a value
(``hook.pytest_report_to_serializable``) or a hook method of an object it holds
(``reporter.pytest_internalerror(...)``), names plugin modules for ``pytest.main(plugins=...)``
or hook names as parameters (``parametrize``), and works on an inner session's objects, the ones
``pytester`` made from literals (``pytester.getitem(src).config.pluginmanager``). None of these
registers a hook or makes the running session report a result, so ``rules_pyhooks`` does not
count them. Everything else a file does with a manager or a hook caller still counts.
"""

from __future__ import annotations

import ast

#: what of a plugin manager only looks a plugin up or takes one out
PLUGIN_LOOKUPS = frozenset(
    {
        "get_plugin",
        "getplugin",
        "has_plugin",
        "hasplugin",
        "is_registered",
        "is_blocked",
        "get_name",
        "get_plugins",
        "list_name_plugin",
        "list_plugin_distinfo",
        "get_canonical_name",
        "unregister",
        "parse_hookimpl_opts",
        "parse_hookspec_opts",
    }
)
#: hooks that turn a value into another and report nothing
PURE_HOOKS = frozenset(
    {
        "pytest_report_to_serializable",
        "pytest_report_from_serializable",
        "pytest_report_teststatus",
        "pytest_assertrepr_compare",
        "pytest_make_parametrize_id",
    }
)
#: pytest's own plugins a test module may load with ``pytest_plugins``
BUILTIN_PLUGINS = frozenset({"pytester", "_pytest.pytester"})
_RECORDERS = frozenset({"make_hook_recorder"})
_CALLERS = frozenset({"hook", "ihook"})
_CHECKS = (ast.Compare, ast.Assert, ast.BoolOp, ast.UnaryOp, ast.If, ast.IfExp, ast.FormattedValue)


def builtin_plugins_only(statement: ast.AST) -> bool:
    """``pytest_plugins = "pytester"`` (or a tuple or list of pytest's own plugins)."""
    if not (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and statement.targets[0].id == "pytest_plugins"
    ):
        return False
    value = statement.value
    items = value.elts if isinstance(value, ast.Tuple | ast.List) else [value]
    return bool(items) and all(isinstance(i, ast.Constant) and i.value in BUILTIN_PLUGINS for i in items)


def harmless_uses(tree: ast.AST) -> set[int]:
    """The ``id()`` of every manager, hook-caller and ``pytest_*`` attribute node whose use
    is harmless (see the module docstring)."""
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    taken, inner = plugins_taken(tree), _inner_names(tree)
    out: set[int] = {
        id(name)
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword) and node.arg == "plugins" and isinstance(node.value, ast.List | ast.Tuple)
        for name in node.value.elts
    }
    out |= {
        id(value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "parametrize"
        for value in ast.walk(node)
        if isinstance(value, ast.Constant)
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not isinstance(node.ctx, ast.Load):
            continue
        parent = parents.get(id(node))
        root = _chain_root(node)
        if (
            isinstance(root, ast.Name)
            and root.id in inner
            and (node.attr in _CALLERS or node.attr == "pluginmanager" or node.attr.startswith("pytest_"))
        ):
            out.add(id(node))  # an inner session's, one pytester made
        elif node.attr == "pluginmanager" and harmless_manager(node, parent, parents, taken):
            out.add(id(node))
        elif node.attr.startswith("pytest_") and isinstance(parent, ast.Call) and parent.func is node:
            caller = node.value
            if not (isinstance(caller, ast.Attribute) and caller.attr in _CALLERS):
                out.add(id(node))  # a method of an object, called as a method
            elif node.attr in PURE_HOOKS:
                out.update({id(node), id(caller)})
    return out


def harmless_manager(node: ast.AST, parent: ast.AST | None, parents: dict[int, ast.AST], taken: frozenset[str]) -> bool:
    if isinstance(parent, ast.Call) and node in parent.args:
        return isinstance(parent.func, ast.Attribute) and parent.func.attr in _RECORDERS
    if not isinstance(parent, ast.Attribute) or parent.attr in _CALLERS:
        return False
    above = parents.get(id(parent))
    if isinstance(above, ast.Call) and above.func is parent:
        return parent.attr in PLUGIN_LOOKUPS or (
            parent.attr == "register"
            and bool(above.args)
            and isinstance(above.args[0], ast.Name)
            and above.args[0].id in taken
        )
    # a field read to check it (``assert pm._confcutdir == d``), not set, handed on or bound to a name
    return isinstance(parent.ctx, ast.Load) and isinstance(above, _CHECKS)


def plugins_taken(tree: ast.AST) -> frozenset[str]:
    """Names bound only to plugins the running session held (``p = manager.unregister(...)``,
    ``manager.get_plugin(...)``): registering one of them again adds no hook of the file's own."""
    bound: dict[str, bool] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            taken = (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Attribute)
                and value.func.attr in PLUGIN_LOOKUPS
                and isinstance(value.func.value, ast.Attribute)
                and value.func.value.attr == "pluginmanager"
                and not isinstance(node, ast.AugAssign)
            )
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store):
                        bound[name.id] = bound.get(name.id, True) and taken
        else:
            for other in _bound_by(node):
                bound[other] = False
    return frozenset(name for name, only_taken in bound.items() if only_taken)


def _bound_by(node: ast.AST) -> list[str]:
    """Names a statement other than an assignment binds (loops, ``with``, imports, defs)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    parts: list[ast.AST] = []
    if isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
        parts = [node.target]
    elif isinstance(node, ast.With | ast.AsyncWith):
        parts = [item.optional_vars for item in node.items if item.optional_vars is not None]
    names = [n.id for part in parts for n in ast.walk(part) if isinstance(n, ast.Name)]
    if isinstance(node, ast.Import | ast.ImportFrom):
        names += [alias.asname or alias.name.split(".")[0] for alias in node.names]
    return names


#: the fixtures that make sessions of their own
INNER_MAKERS = frozenset({"pytester", "testdir"})


def _chain_root(node: ast.AST) -> ast.AST:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def _inner_names(tree: ast.AST) -> frozenset[str]:
    """Names of an inner session's objects: every binding of each is a call of a method of
    ``pytester`` (a parameter, never bound otherwise) or on another such name, with nothing but
    such names and literals handed in
    (``item = pytester.getitem(src)``, ``recorder = pytester.make_hook_recorder(item.config.pluginmanager)``)."""
    values: dict[str, list[ast.expr | None]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for bound in ast.walk(target):
                    if isinstance(bound, ast.Name) and isinstance(bound.ctx, ast.Store):
                        values.setdefault(bound.id, []).append(node.value if target is bound else None)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            values.setdefault(node.id, [])
        elif isinstance(node, ast.arg):
            values.setdefault(node.arg, []).append(ast.Name(id=node.arg) if node.arg in INNER_MAKERS else None)
        else:
            for other in _bound_by(node):
                values.setdefault(other, []).append(None)
    literal = {name for name, vs in values.items() if vs and all(isinstance(v, ast.Constant) for v in vs)}
    makers = {
        name
        for name in INNER_MAKERS
        if values.get(name) and all(isinstance(v, ast.Name) and v.id == name for v in values[name])
    }
    inner: set[str] = set()
    grown = True
    while grown:
        grown = False
        for name, vs in values.items():
            if (
                name not in inner
                and name not in makers
                and vs
                and all(_made_inside(v, makers, inner, literal) for v in vs)
            ):
                inner.add(name)
                grown = True
    return frozenset(inner)


def _made_inside(value: ast.expr | None, makers: set[str], inner: set[str], literal: set[str]) -> bool:
    """A call of a method of ``pytester`` itself (not of its ``_request``: the running session's),
    or of anything on an inner object, with only inner objects and literals handed in."""
    if not isinstance(value, ast.Call):
        return False
    func, root = value.func, _chain_root(value.func)
    direct = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in makers
    handed = [
        n for arg in [*value.args, *(k.value for k in value.keywords)] for n in ast.walk(arg) if isinstance(n, ast.Name)
    ]
    return (direct or (isinstance(root, ast.Name) and root.id in inner)) and all(
        n.id in inner or n.id in literal for n in handed
    )
