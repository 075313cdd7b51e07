"""Rule: a test file's code that runs at import may not reach tests it did not define.

At import a test module can mark another module's object by a call (``pytest.mark.skip(f)``,
``unittest.skip('r')(C)``), rebind a test of another module (``m.test_x = ...``, ``setattr``),
replace a module (``sys.modules[...]``, ``globals()[...]``, ``__dict__[...]``) or patch the code
under test (``pkg.mod.add = ...``): the existing tests then run something the edit wrote. An
attribute may still be set on what the file made itself (its defs and classes, a value it
built by a call: ``WCS2D = WCS(naxis=2); WCS2D.wcs.ctype = ...``) or on a module neither the
project's nor a test framework's (``enum.StrEnum = enum.Enum``, a backport). A file the gate's
Python cannot parse (a newer grammar) is read line by line: no such line outside a ``def``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from rfsn.gate.rules_scope import definitions

#: calls that return a module, or an object that already exists, rather than make one
FETCHES = frozenset(
    {
        "import_module",
        "__import__",
        "reload",
        "getattr",
        "vars",
        "globals",
        "locals",
        "type",
        "get",
        "getmodule",
        "find_spec",
        "module_from_spec",
    }
)


def applied_elsewhere(after: str, numbers: set[int], guarded: Callable[[str], bool]) -> int | None:
    """The first line among ``numbers`` where code that runs at import hands an object to a
    marker by a call (``pytest.mark.skip(f)``, ``unittest.skip('r')(C)``) or changes another
    module's object (``m.test_x = ...``, ``setattr(m, ...)``, ``sys.modules[...] = ...``):
    either reaches tests this file did not define. An attribute of a module imported from a top-level
    package ``guarded`` says no to (not the project's, not a test framework: ``enum.StrEnum = ...``)
    may be set."""
    try:
        tree = ast.parse(after)
    except (SyntaxError, ValueError, RecursionError):
        return _line_fallback(after, numbers)
    own = {name.split(".")[-1] for name, _ in definitions(tree.body)}
    imported = _imported(tree)
    free = {name for name, top in imported.items() if not guarded(top)} | own | (_made(tree, guarded) - set(imported))
    for node, line in _at_import(tree):
        if line in numbers and (_marker_applied(node) or _reaches_out(node, free)):
            return line
    return None


def _imported(tree: ast.AST) -> dict[str, str]:
    """Each name an import binds, with the top-level package it comes from ("." for relative)."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out[alias.asname or alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            top = "." if node.level else (node.module or "").split(".")[0]
            for alias in node.names:
                out[alias.asname or alias.name] = top
    return out


def _at_import(tree: ast.AST) -> Iterator[tuple[ast.AST, int]]:
    """Nodes that run when the module is imported (not in function bodies), with their line."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and child in node.body:
                continue
            if isinstance(node, ast.Lambda) and child is node.body:
                continue
            yield child, getattr(child, "lineno", 0)
            stack.append(child)


_MARKER_NAME = re.compile(r"skip\w*|xfail|expectedFailure")


def _names_marker(node: ast.AST) -> bool:
    return any(
        (isinstance(n, ast.Attribute) and _MARKER_NAME.fullmatch(n.attr))
        or (isinstance(n, ast.Name) and _MARKER_NAME.fullmatch(n.id))
        for n in ast.walk(node)
    )


def _marker_applied(node: ast.AST) -> bool:
    """A marker called with one object and nothing else: pytest's and unittest's markers then
    mark that object (the call form of a decorator)."""
    return (
        isinstance(node, ast.Call)
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Name | ast.Attribute | ast.Subscript)
        and _names_marker(node.func)
    )


def _root(node: ast.AST) -> ast.AST:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def _reaches_out(node: ast.AST, own: set[str]) -> bool:
    """Does this statement bind or delete an attribute of an object the file did not define, or
    a name in a module table?"""
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign | ast.Delete):
        targets = list(node.targets)
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"setattr", "delattr"}:
        targets = [ast.Attribute(value=node.args[0], attr="x")] if node.args else []
    while targets:
        target = targets.pop()
        if isinstance(target, ast.Tuple | ast.List):
            targets.extend(target.elts)
        elif isinstance(target, ast.Starred):
            targets.append(target.value)
        elif isinstance(target, ast.Attribute):
            root = _root(target)
            if not (isinstance(root, ast.Name) and root.id in own):
                return True
        elif isinstance(target, ast.Subscript) and _modules_table(target.value):
            return True
    return False


def _modules_table(node: ast.AST) -> bool:
    """``sys.modules``, a ``__dict__``, ``vars()`` or ``globals()`` of something: where a module's
    or an object's names live."""
    if isinstance(node, ast.Attribute):
        return node.attr in {"modules", "__dict__"}
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"vars", "globals"}


def _made(tree: ast.AST, guarded: Callable[[str], bool]) -> set[str]:
    """Names every assignment of which binds a value made by a call (``x = WCS(naxis=2)``) or a
    literal, not fetched (``importlib.import_module``, ``getattr``) or read off a guarded import."""
    imported = _imported(tree)
    made: dict[str, bool] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        fresh = _fresh(node.value, imported, guarded)
        for target in targets:
            if isinstance(target, ast.Name):
                made[target.id] = made.get(target.id, True) and fresh
    return {name for name, fresh in made.items() if fresh}


def _fresh(value: ast.expr, imported: dict[str, str], guarded: Callable[[str], bool]) -> bool:
    if isinstance(value, ast.Constant | ast.List | ast.Tuple | ast.Dict | ast.Set | ast.ListComp | ast.DictComp):
        return True
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    root = _root(func)
    handed = [*value.args, *(k.value for k in value.keywords)]
    return (
        name not in FETCHES
        and not (isinstance(root, ast.Name) and root.id in ("sys", "__import__"))
        and not any(isinstance(n, ast.Attribute) and n.attr in {"modules", "__dict__"} for n in ast.walk(func))
        and not any(isinstance(n, ast.Name) and n.id in FETCHES for n in ast.walk(value))
        and not any(isinstance(a, ast.Name) and a.id in imported and guarded(imported[a.id]) for a in handed)
    )


_DEF = re.compile(r"^(\s*)(?:async\s+)?def\s")
_REACH_LINE = re.compile(
    r"^\s*[A-Za-z_][\w.]*\.\w+\s*(?:[-+*/|&%@^]|<<|>>|//|\*\*)?=(?!=)|"
    r"\bsys\s*\.\s*modules\b|\b(?:setattr|delattr)\s*\(|__dict__|"
    r"\b(?:globals|vars)\s*\(\s*\w*\s*\)\s*\["
)


def _line_fallback(after: str, numbers: set[int]) -> int | None:
    """Without a tree: the first added line outside a ``def`` body that sets an attribute or
    touches a module table, ``setattr`` or ``delattr``."""
    body: int | None = None  # indentation of the def whose body the lines are in
    header = False  # in a def's signature, which may close at the def's own indentation
    for number, line in enumerate(after.splitlines(), start=1):
        indent = len(line) - len(line.lstrip())
        if header:
            header = not line.split("#", 1)[0].rstrip().endswith(":")
            continue
        if line.strip() and body is not None and indent <= body:
            body = None
        if body is None and number in numbers and _REACH_LINE.search(line):
            return number
        found = _DEF.match(line)
        if body is None and found:
            body, header = len(found[1]), not line.split("#", 1)[0].rstrip().endswith(":")
    return None
