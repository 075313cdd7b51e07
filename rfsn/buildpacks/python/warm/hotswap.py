"""Hot-swapping edited functions into modules already imported (stdlib only; runs in the sandbox).

A process that imported the project once can take an edit to function bodies without importing
again: compile the edited file and give each changed function the new ``__code__``, so every
reference to it runs the new body. ``plan`` answers None (use a fresh process) when:

- anything outside function bodies differs (statements, signatures, defaults, decorators);
- a changed function is decorated (its module attribute is a wrapper);
- a changed function may have run at import time (module-level code calls it, decorates with
  it, hands it to a call, or uses syntax that calls it: ``x[k] = v``); one only referenced
  there (a default value, an alias) is the same object, and takes the new code;
- the new code does not fit the function (another set of closure variables).

A loaded text is analysed once for all its edits (``LoadedText``, kept by hotswap_loaded.py).
Kept to the syntax and library of Python 3.6, the oldest an env image runs the servers on.
"""

import ast

#: decorators that leave the function reachable as an attribute of the class entry
PLAIN_WRAPPERS = {"staticmethod", "classmethod", "property"}


class NotSwappable(Exception):
    """The edit is not local to function bodies: a fresh process must run it."""


def _skeleton(tree):
    """The module with every module- or class-level function body blanked, dumped. (The
    bodies are set aside and put back: a deep copy of a large module cost ten times more.)"""
    defs = [node for _, node in _defs(tree.body)]
    bodies = [node.body for node in defs]
    try:
        for node in defs:
            node.body = [ast.Pass()]
        return ast.dump(tree)
    finally:
        for index, node in enumerate(defs):  # (no zip(strict=): Python 3.8 runs this too)
            node.body = bodies[index]


def _defs(body, prefix=""):
    """(qualified name, def) of the functions a module defines at its level or in its classes."""
    found = []
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append((prefix + node.name, node))
        elif isinstance(node, ast.ClassDef):
            found.extend(_defs(node.body, prefix + node.name + "."))
    return found


def _overload(node):
    """Whether a def is a ``typing.overload`` stub: at run time only the plain def of its name
    that follows exists, so the stubs are no definitions of the name."""
    return any(
        (d.id if isinstance(d, ast.Name) else d.attr if isinstance(d, ast.Attribute) else "") == "overload"
        for d in node.decorator_list
    )


def _named_defs(body):
    """Qualified name -> def; None for a name defined twice (a property's setter, say)."""
    named = {}
    for name, node in _defs(body):
        if not _overload(node):
            named[name] = None if name in named else node
    return named


def _dumps(body):
    """Qualified name -> the dumps of every def of that name, in order (overload stubs aside)."""
    dumps = {}
    for name, node in _defs(body):
        if not _overload(node):
            dumps.setdefault(name, []).append(ast.dump(node))
    return dumps


#: the methods that syntax at module level calls without naming them
_IMPLIED = {
    ast.Subscript: ("__getitem__", "__setitem__", "__delitem__", "__class_getitem__"),
    ast.BinOp: (
        "__add__",
        "__sub__",
        "__mul__",
        "__truediv__",
        "__floordiv__",
        "__mod__",
        "__pow__",
        "__and__",
        "__or__",
        "__xor__",
        "__lshift__",
        "__rshift__",
        "__matmul__",
    ),
    ast.Compare: ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__contains__", "__hash__"),
    ast.UnaryOp: ("__neg__", "__pos__", "__invert__", "__bool__"),
    ast.For: ("__iter__", "__next__"),
    ast.comprehension: ("__iter__", "__next__"),
    ast.With: ("__enter__", "__exit__"),
    ast.ClassDef: ("__init_subclass__", "__set_name__"),
    ast.JoinedStr: ("__format__", "__str__", "__repr__"),
}
#: what calling a class of the module (or an instance) runs
_CONSTRUCTION = ("__init__", "__new__", "__call__", "__post_init__")


def _module_level_names(tree):
    """Names that code running at import time (outside function bodies) may call: a callee, a
    decorator, anything handed to a call (it may call what it gets), and the methods that
    syntax calls implicitly (``x[k] = v``: ``__setitem__``). A function only referenced (a
    default value, an alias) keeps its object, and its new code with it: it does not count; nor
    does what only a script's ``if __name__ == "__main__":`` block calls. Outside function bodies
    alone: a module whose skeleton is unchanged has the same names."""
    names, callees, classes = set(), set(), set()
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                names.update(_named(decorator))
            stack.extend(node.decorator_list)
            stack.extend(node.args.defaults)
            stack.extend(d for d in node.args.kw_defaults if d is not None)
            continue
        if isinstance(node, ast.If) and _main_guard(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.ClassDef):
            classes.add(node.name)
            for decorator in node.decorator_list:
                names.update(_named(decorator))
        if isinstance(node, ast.Call):
            for part in ast.walk(node):  # the callee, and everything handed to it
                names.update(_named(part))
            callees.update(_named(node.func))
        names.update(_IMPLIED.get(type(node), ()))
        stack.extend(ast.iter_child_nodes(node))
    return names | (set(_CONSTRUCTION) if callees & classes else set())


def _main_guard(test):
    """Whether ``test`` is ``__name__ == "__main__"`` (either way round): false on import."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s.id for s in sides if isinstance(s, ast.Name)]
    texts = [getattr(s, "value", getattr(s, "s", None)) for s in sides if not isinstance(s, ast.Name)]
    return names == ["__name__"] and texts == ["__main__"]


def _named(node):
    """The name a Name or an attribute access loads ({} for anything else)."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        return {node.id}
    if isinstance(node, ast.Attribute):
        return {node.attr}
    return set()


def _codes(code, prefix=""):
    """qualname -> code object of the functions in a compiled module (classes walked)."""
    found = {}
    for const in code.co_consts:
        if not hasattr(const, "co_code"):
            continue
        name = prefix + const.co_name
        if const.co_name.startswith("<"):
            continue
        found[name] = const  # the last def of a name is the one bound at run time
        if _is_class_body(const):
            found.update(_codes(const, name + "."))
    return found


def _is_class_body(code):
    return "__qualname__" in code.co_names and "__module__" in code.co_names


class LoadedText:
    """What planning needs of a module's loaded text, worked out once: its skeleton, each def's
    dumps, and the names code at import time may call (the same for any text of its skeleton)."""

    def __init__(self, text, filename):
        try:
            tree = ast.parse(text, filename)
        except SyntaxError as exc:
            raise NotSwappable(f"the loaded file does not compile: {exc}") from exc
        self.skeleton, self.dumps = _skeleton(tree), _dumps(tree.body)
        self.imported = _module_level_names(tree)


def plan(old_text, new_text, filename):
    """[(qualname, new code)] that turn the module loaded from ``old_text`` into ``new_text``."""
    return planned(LoadedText(old_text, filename), new_text, filename)


def planned(old, new_text, filename):
    """``plan`` against a ``LoadedText`` (analysed once for every edit of its file)."""
    try:
        new_tree = ast.parse(new_text, filename)
        if old.skeleton != _skeleton(new_tree):
            raise NotSwappable("the edit is not local to function bodies")
        new_defs, new_dumps = _named_defs(new_tree.body), _dumps(new_tree.body)
        # a name defined twice (overloads, a property's setter) counts only when one of them changed
        changed = [name for name in new_defs if new_dumps[name] != old.dumps.get(name)]
        codes = _codes(compile(new_text, filename, "exec"))
    except SyntaxError as exc:
        raise NotSwappable(f"the edited file does not compile: {exc}") from exc
    swaps = []
    for name in changed:
        node = new_defs[name]
        if node is None:
            raise NotSwappable(f"{name} is defined twice")
        if any(_decorator(d) not in PLAIN_WRAPPERS for d in node.decorator_list):
            raise NotSwappable(f"{name} is decorated")
        if node.name in old.imported:
            raise NotSwappable(f"{name} is used by code that runs at import time")
        if name not in codes:
            raise NotSwappable(f"no code object for {name}")
        swaps.append((name, codes[name]))
    return swaps


def _decorator(node):
    return node.id if isinstance(node, ast.Name) else ""


def _function(module, qualname):
    obj = module
    for part in qualname.split("."):
        if isinstance(obj, type) and part.startswith("__") and not part.endswith("__") and obj.__name__.strip("_"):
            part = f"_{obj.__name__.lstrip('_')}{part}"  # a private name is stored mangled by its class
        obj = vars(obj).get(part) if hasattr(obj, "__dict__") else None
        if obj is None:
            raise NotSwappable(f"{qualname} is not in the loaded module")
    for attr in ("__func__", "fget"):  # staticmethod, classmethod; property
        obj = getattr(obj, attr, obj)
    if not hasattr(obj, "__code__"):
        raise NotSwappable(f"{qualname} is not a plain function")
    return obj


def apply(module, swaps):
    """Give each planned function its new code; all or nothing."""
    targets = [(_function(module, name), code) for name, code in swaps]
    for func, code in targets:
        if func.__code__.co_freevars != code.co_freevars:
            raise NotSwappable(f"{func.__qualname__} closes over other variables")
    for func, code in targets:
        func.__code__ = code
