"""Where the running pytest session's objects go in a Python file, for ``rules_pyhooks``.

A test of pytest's plugin machinery that also names the running session (``pytestconfig``,
``request``) builds managers of its own too (``PytestPluginManager()``, ``pytester.parseconfig(*args)``,
a fixture's config). A manager or hook caller it uses is the running session's only when it is
reached from a session root (``is_session_root``) through attributes, calls, subscripts and
operators, or through a name bound to such a value (``scopes``: resolved as Python does). Where
a session value goes anywhere else (an argument, a return or yield, a container, an attribute or
item stored, a default, a lambda, ``exec``), or an attribute is read by a computed name, it may
come back under any name: ``follow`` then answers None and the file is judged whole. Limit: a
project fixture that hands out the running config under another name is trusted, as in a file
that names no session at all.
"""

from __future__ import annotations

import ast

from rfsn.gate.known_getattrs import known_getattrs
from rfsn.gate.rules_manager_uses import harmless_manager, plugins_taken
from rfsn.gate.scopes import Key, name_keys

#: names and attributes that reach the running session, or any object at all (frames, the heap)
SESSION_NAMES = frozenset({"pytestconfig", "request", "gc", "locals", "vars", "globals"})
SESSION_ATTRIBUTES = frozenset(
    {
        "_request",
        "_config",
        "_pluginmanager",
        "getmembers",
        "_getframe",
        "currentframe",
        "stack",
        "f_back",
        "f_locals",
        "f_globals",
        "getouterframes",
        "get_objects",
        "get_referrers",
        "get_referents",
    }
)
#: where a session value stops being one: a fixture's parameter (module-level data)
LEAVES_SESSION = frozenset({"param"})
PLUGIN_MANAGERS = frozenset({"pluginmanager", "_pluginmanager", "hook", "ihook"})
DYNAMIC_ATTRIBUTES = frozenset({"getattr", "attrgetter", "__getattribute__"})
#: where a value is looked at and goes no further
_LOOKED_AT = (ast.Expr, ast.Compare, ast.Assert, ast.UnaryOp, ast.FormattedValue, ast.Delete)
RUNS_SOURCE = frozenset({"exec", "eval", "compile"})
#: builtins whose result holds no reference to their argument (``isinstance`` may hand it to a metaclass)
PURE_BUILTINS = frozenset({"type", "len", "str", "repr", "bool", "id", "hash", "callable", "format", "print"})
_BINARY = (
    "add",
    "sub",
    "mul",
    "matmul",
    "truediv",
    "floordiv",
    "mod",
    "divmod",
    "pow",
    "lshift",
    "rshift",
    "and",
    "xor",
    "or",
)
#: the methods an operator hands its other operand to
OPERATORS = frozenset(
    {f"__{name}__" for name in ("eq", "ne", "lt", "le", "gt", "ge", "contains")}
    | {f"__{prefix}{name}__" for name in _BINARY for prefix in ("", "r", "i")}
)


def is_session_root(node: ast.AST) -> bool:
    """A name, parameter or attribute that reaches the running session (pytest's own modules keep
    it in private attributes: ``pytest.mark._config``), also read by a constant name
    (``getattr(pytester, "_request")``, ``pytester.__dict__["_request"]``)."""
    if isinstance(node, ast.Name):
        return node.id in SESSION_NAMES
    if isinstance(node, ast.arg):
        return node.arg in SESSION_NAMES
    if isinstance(node, ast.Attribute):
        return node.attr in SESSION_ATTRIBUTES
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "__dict__":
        return isinstance(node.slice, ast.Constant) and node.slice.value in SESSION_ATTRIBUTES
    named = _dynamic_name(node)
    return isinstance(named, ast.Constant) and named.value in SESSION_ATTRIBUTES


def _dynamic_name(node: ast.AST) -> ast.expr | None:
    """The name argument of ``getattr``, ``attrgetter``, ``__getattribute__`` called on ``node``."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    named = node.args[1:2] if func == "getattr" else node.args[:1]
    return named[0] if func in DYNAMIC_ATTRIBUTES and named else None


def _read_at_run_time(node: ast.AST, known: set[int]) -> bool:
    """An attribute whose name is computed (``getattr(obj, name)``, ``obj.__dict__[name]``) and not
    ``known`` (``known_getattrs``): it may be any attribute, one that holds the session too."""
    if isinstance(node, ast.Attribute) and node.attr == "__dict__":
        return id(node) not in known
    named = _dynamic_name(node)
    return named is not None and not isinstance(named, ast.Constant) and id(node) not in known


def follow(tree: ast.AST, harmless: set[int]) -> bool | None:
    """Does the file reach the running session and use its manager or hook caller other than
    harmlessly (``harmless``: ids from ``rules_manager_uses.harmless_uses``)? None when a
    session value escapes where it cannot be followed."""
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    keys, taken = name_keys(tree), plugins_taken(tree)
    loads: dict[Key, list[ast.Name]] = {}
    roots = [n for n in ast.walk(tree) if is_session_root(n)]
    if not roots:
        return False
    known = known_getattrs(tree, keys, SESSION_ATTRIBUTES)
    if any(_read_at_run_time(n, known) for n in ast.walk(tree)):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id in RUNS_SOURCE:
                return None  # code in a string: nothing to follow
            loads.setdefault(_key(node, keys), []).append(node)
    work = [(n, isinstance(n, ast.Call | ast.Subscript)) for n in roots if not isinstance(n, ast.arg)]
    plain_operators = not any(
        isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name in OPERATORS for n in ast.walk(tree)
    )
    pure = PURE_BUILTINS - _bound_anywhere(tree)
    managers: dict[Key, bool] = {}
    used = False
    while work:
        start, manager = work.pop()  # manager: a value that may be a manager or a hook caller itself
        parent = parents.get(id(start))
        called = isinstance(parent, ast.Call) and parent.func is start  # no session object is callable
        used = used or (
            manager
            and not isinstance(parent, _LOOKED_AT)
            and not called
            and not harmless_manager(start, parent, parents, taken)
        )
        spine = _spine(start, parents, plain_operators)
        top = spine[-1]
        left = isinstance(top, ast.Attribute) and top.attr in LEAVES_SESSION
        bound = [] if left or _pure_call(top, parents, pure) else _bound(top, parents, keys, plain_operators)
        if bound is None:
            return None
        aliased = bool(bound) and isinstance(top, ast.Attribute) and top.attr in PLUGIN_MANAGERS
        used = used or any(_counts(n, harmless) for n in spine if not (aliased and n is top))
        for key in bound:
            if key not in managers or (aliased and not managers[key]):
                managers[key] = aliased or managers.get(key, False)
                work += [(load, managers[key]) for load in loads.get(key, [])]
    return used


def _key(name: ast.Name, keys: dict[int, Key]) -> Key:
    return keys.get(id(name), (0, name.id))


def _spine(node: ast.AST, parents: dict[int, ast.AST], plain_operators: bool) -> list[ast.AST]:
    """The expressions a value flows up through, from ``node`` to the top one
    (``request.config.pluginmanager.get_plugin(...)``): attributes, items, calls,
    operators (unless the file defines operators of its own: they receive the other operand)."""
    spine = [node]
    while True:
        parent = parents.get(id(node))
        if isinstance(node, ast.Attribute) and node.attr in LEAVES_SESSION:
            return spine
        if (
            (isinstance(parent, ast.Attribute | ast.Subscript) and parent.value is node)
            or (isinstance(parent, ast.Call) and parent.func is node)
            or (isinstance(parent, ast.BinOp) and plain_operators)
            or isinstance(parent, ast.BoolOp | ast.Await)
            or (isinstance(parent, ast.IfExp) and parent.test is not node)
        ):
            spine.append(parent)
            node = parent
            continue
        return spine


def _counts(node: ast.AST, harmless: set[int]) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in PLUGIN_MANAGERS and id(node) not in harmless


def _bound_anywhere(tree: ast.AST) -> frozenset[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
    return frozenset(names)


def _pure_call(top: ast.AST, parents: dict[int, ast.AST], pure: frozenset[str]) -> bool:
    """``type(value)``, ``len(value)``: a builtin the file does not rebind, whose result holds no
    reference to its argument."""
    parent = parents.get(id(top))
    return (
        isinstance(parent, ast.Call)
        and isinstance(parent.func, ast.Name)
        and parent.func.id in pure
        and top in parent.args
    )


def _bound(top: ast.AST, parents: dict[int, ast.AST], keys: dict[int, Key], plain_operators: bool) -> list[Key] | None:
    """The names a value at ``top`` is bound to ([] where it is only looked at); None where it
    goes anywhere else."""
    parent = parents.get(id(top))
    if (
        (
            isinstance(parent, _LOOKED_AT)
            and (
                plain_operators
                or not isinstance(parent, ast.Compare)
                or all(isinstance(op, ast.Is | ast.IsNot) for op in parent.ops)
            )
        )
        or (isinstance(parent, ast.If | ast.While | ast.IfExp) and parent.test is top)
        or (isinstance(parent, ast.comprehension) and top in parent.ifs)
    ):
        return []
    target: ast.AST | None = None
    if isinstance(parent, ast.Assign) and parent.value is top:
        return _all_names(parent.targets, keys)
    if (isinstance(parent, ast.AnnAssign | ast.AugAssign) and parent.value is top) or (
        isinstance(parent, ast.For | ast.AsyncFor | ast.comprehension) and parent.iter is top
    ):
        target = parent.target
    elif isinstance(parent, ast.withitem) and parent.context_expr is top:
        target = parent.optional_vars
        if target is None:
            return []
    return None if target is None else _names(target, keys)


def _all_names(targets: list[ast.expr], keys: dict[int, Key]) -> list[Key] | None:
    out: list[Key] = []
    for target in targets:
        found = _names(target, keys)
        if found is None:
            return None
        out += found
    return out


def _names(target: ast.AST, keys: dict[int, Key]) -> list[Key] | None:
    """Plain names (in tuples and lists too); None for an attribute or an item stored."""
    if isinstance(target, ast.Name):
        return [_key(target, keys)]
    if isinstance(target, ast.Starred):
        return _names(target.value, keys)
    if isinstance(target, ast.Tuple | ast.List):
        return _all_names(list(target.elts), keys)
    return None
