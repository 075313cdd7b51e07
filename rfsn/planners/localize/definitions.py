"""What per-test coverage cannot see: code that runs at import time.

Module-level constants, class attributes and function signatures (default
values) execute when a module is imported, before any test starts, so no
test's coverage context contains them. A fault there shows up in the lines
that *use* them. ``with_definitions`` adds, for each suspicious line, the
module-level definitions of the names it uses and the signature of its
enclosing function, at a fraction of its score.

A name is looked up where Python would find it: not at all when the enclosing
function binds it (a parameter, an assignment), else in the line's own module, else in
the module it was imported from (``from .table import LIMIT``, ``import *`` too).
An attribute (``self.rate``, ``table.LIMIT``) is looked up in every class body and in
the modules the file imports. ``with_callees`` does the same for the project functions the top
lines call, where no coverage saw into them (a ranking from stack frames): their bodies follow.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Mapping

from rfsn.buildpacks.testfiles import is_test_file
from rfsn.planners.code.location import Location

MAX_DEFINITION_LINES = 20


def parse_module(source: str) -> ast.Module | None:
    """The syntax tree of a Python source, or None when it does not parse."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


class _Scopes:
    """The module-level (per file) and class-level (every class) assignments of a project."""

    def __init__(self) -> None:
        self.module: dict[str, dict[str, list[tuple[str, int]]]] = defaultdict(lambda: defaultdict(list))
        self.classes: dict[str, list[tuple[str, int]]] = defaultdict(list)


def _assigned(body: list[ast.stmt], path: str, into: dict[str, list[tuple[str, int]]]) -> None:
    for stmt in body:
        targets = (
            stmt.targets
            if isinstance(stmt, ast.Assign)
            else ([stmt.target] if isinstance(stmt, ast.AnnAssign | ast.AugAssign) else [])
        )
        end = min(stmt.end_lineno or stmt.lineno, stmt.lineno + MAX_DEFINITION_LINES - 1)
        for target in targets:
            if isinstance(target, ast.Name):
                into[target.id] += [(path, n) for n in range(stmt.lineno, end + 1)]


def _scopes(files: Mapping[str, str]) -> _Scopes:
    scopes = _Scopes()
    for path, source in files.items():
        tree = parse_module(source) if path.endswith(".py") and not is_test_file(path) else None
        if tree is None:
            continue
        _assigned(tree.body, path, scopes.module[path])
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                _assigned(node.body, path, scopes.classes)
    return scopes


def _module_file(module: str, files: Mapping[str, str]) -> str | None:
    """The project file of a dotted module (``pkg.table``: ``pkg/table.py``, ``src/pkg/table.py``
    or ``pkg/table/__init__.py``)."""
    tail = module.replace(".", "/")
    for suffix in (f"{tail}.py", f"{tail}/__init__.py"):
        found = sorted((p for p in files if p == suffix or p.endswith("/" + suffix)), key=len)
        if found:
            return found[0]
    return None


def _imports(tree: ast.Module, path: str, files: Mapping[str, str]) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """``{local name: (file, name there)}`` of the file's ``from ... import`` statements, and
    the files of its modules imported whole (``import pkg.m``, ``from pkg import m``, ``*``)."""
    names: dict[str, tuple[str, str]] = {}
    modules: list[str] = []
    package = path.rsplit("/", 1)[0].replace("/", ".") if "/" in path else ""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [f for alias in node.names if (f := _module_file(alias.name, files))]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".") if node.level else []
            base = base[: len(base) - node.level + 1] if node.level > 1 else base
            module = ".".join([p for p in base if p] + ([node.module] if node.module else []))
            source = _module_file(module, files) if module else None
            for alias in node.names:
                if alias.name == "*":
                    modules += [source] if source else []
                elif (whole := _module_file(f"{module}.{alias.name}", files)) is not None:
                    modules.append(whole)
                elif source is not None:
                    names[alias.asname or alias.name] = (source, alias.name)
    return names, modules


def _used(tree: ast.Module, line: int) -> tuple[set[str], set[str], int | None]:
    """The free names and the attributes ``line`` uses, and the line of its enclosing
    function's signature (None: module level)."""
    function: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and node.body[0].lineno <= line <= (node.end_lineno or line)
            and (function is None or node.lineno > function.lineno)
        ):
            function = node
    bound: set[str] = set()
    if function is not None:
        args = function.args
        bound = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a}
        declared = {n for node in ast.walk(function) if isinstance(node, ast.Global | ast.Nonlocal) for n in node.names}
        bound |= {
            node.id for node in ast.walk(function) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
        } - declared
    names: set[str] = set()
    attributes: set[str] = set()
    for node in ast.walk(function or tree):
        if getattr(node, "lineno", None) != line:
            continue
        if isinstance(node, ast.Name) and node.id not in bound:
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            attributes.add(node.attr)
    return names, attributes, function.lineno if function else None


def with_definitions(
    locations: list[Location], files: Mapping[str, str], top: int = 30, factor: float = 0.8
) -> list[Location]:
    """``locations`` plus the import-time code their top lines depend on, best first."""
    scopes = _scopes(files)
    scores = {(loc.file, loc.line): loc.score for loc in locations}
    trees: dict[str, ast.Module | None] = {}
    imported: dict[str, tuple[dict[str, tuple[str, str]], list[str]]] = {}
    for loc in sorted(locations, key=lambda loc: -loc.score)[:top]:
        if loc.file not in trees:
            trees[loc.file] = parse_module(files[loc.file]) if loc.file in files else None
        tree = trees[loc.file]
        if tree is None:
            continue
        if loc.file not in imported:
            imported[loc.file] = _imports(tree, loc.file, files)
        names, attributes, signature = _used(tree, loc.line)
        extra: list[tuple[str, int]] = []
        by_name, modules = imported[loc.file]
        for name in sorted(names):  # sorted: a set's order varies with the hash seed
            own = scopes.module[loc.file].get(name)
            if own:
                extra += own
            elif name in by_name:
                extra += scopes.module[by_name[name][0]].get(by_name[name][1], [])
            else:  # from a module imported whole with ``*``
                extra += [where for m in modules for where in scopes.module[m].get(name, [])]
        for name in sorted(attributes):
            extra += scopes.classes.get(name, [])
            extra += [where for m in modules for where in scopes.module[m].get(name, [])]
        if signature is not None:
            extra.append((loc.file, signature))
        for where in extra:
            if scores.get(where, -1.0) < loc.score * factor:
                scores[where] = loc.score * factor
    ranked = sorted(scores.items(), key=lambda item: -item[1])  # stable: ties keep their order
    return [Location(path, line, score) for (path, line), score in ranked]


def _functions(tree: ast.Module) -> dict[str, tuple[int, int]]:
    """A module's top-level functions: name -> the first and last line of the body (a docstring
    apart, at most ``MAX_DEFINITION_LINES``)."""
    found: dict[str, tuple[int, int]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            body = (
                node.body[1:]
                if isinstance(node.body[0], ast.Expr)
                and isinstance(node.body[0].value, ast.Constant)
                and isinstance(node.body[0].value.value, str)
                else node.body
            )
            if body:
                first = body[0].lineno
                found[node.name] = (first, min(node.end_lineno or first, first + MAX_DEFINITION_LINES - 1))
    return found


def with_callees(
    locations: list[Location], files: Mapping[str, str], top: int = 5, factor: float = 0.8
) -> list[Location]:
    """``locations`` plus the bodies of the project's top-level functions their ``top`` lines
    name, at ``factor`` of the line's score: a stack frame stops at the line that called a
    function and acted on what it returned (``if not is_collection(x): raise``), and the fault
    may be in that function, whose lines no frame names."""
    scores = {(loc.file, loc.line): loc.score for loc in locations}
    trees = {
        path: parse_module(source) for path, source in files.items() if path.endswith(".py") and not is_test_file(path)
    }
    functions = {path: _functions(tree) for path, tree in trees.items() if tree is not None}
    for loc in sorted(locations, key=lambda loc: -loc.score)[:top]:
        tree = trees.get(loc.file)
        if tree is None:
            continue
        names, attributes, _ = _used(tree, loc.line)
        by_name, modules = _imports(tree, loc.file, files)
        called = [(loc.file, n) for n in sorted(names) if n in functions.get(loc.file, {})]
        called += [by_name[n] for n in sorted(names) if n in by_name and n not in functions.get(loc.file, {})]
        called += [(m, n) for n in sorted(attributes) for m in modules if n in functions.get(m, {})]
        for path, name in called:
            first, last = functions.get(path, {}).get(name, (0, -1))
            for line in range(first, last + 1):
                if scores.get((path, line), -1.0) < loc.score * factor:
                    scores[(path, line)] = loc.score * factor
    ranked = sorted(scores.items(), key=lambda item: -item[1])  # stable: ties keep their order
    return [Location(path, line, score) for (path, line), score in ranked]
