"""Where a Python file holds a pytest hook that pytest would load by itself.

pytest reads a module's hooks when it imports or registers it, from what code running at import
binds: ``pytest_*`` functions of a plugin or conftest, ``pytest_plugins`` and
``pytest_generate_tests`` of a test module, ``pytest_*`` methods of classes a plugin registers
or pytest collects. A hook defined in a function body is test code (a local plugin for
``inline_run``), unless the file reaches the running session (``pytestconfig``, ``request``)
and a plugin manager or hook caller: then its hooks count wherever they are, and so does every
use of the manager but the harmless ones (``rules_manager_uses``). A string is data
unless it is run (``exec``) or names a hook at import. A test module (``test_*.py``,
``*_test.py``) is imported, never registered: pytest reads only ``pytest_plugins`` and
``pytest_generate_tests`` of it; a hook it sets on another module counts.

Pure functions over source text; the marker rule calls them on every Python edit.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from collections.abc import Iterator

from rfsn.buildpacks.ecosystems import ecosystem
from rfsn.gate.rules_manager_uses import builtin_plugins_only, harmless_uses
from rfsn.gate.session_flow import DYNAMIC_ATTRIBUTES, PLUGIN_MANAGERS, RUNS_SOURCE, follow

#: a hook's name, an entry-point group of pytest plugins
HOOK_NAME = re.compile(r"pytest_\w*|pytest11")
#: what pytest reads from a test module, which it imports but never registers as a plugin
TEST_MODULE_HOOK_NAME = re.compile(r"pytest_plugins|pytest_generate_tests")
_RUNS_SOURCE = re.compile(r"\b(?:exec|eval|compile)\b")
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")


def could_add_hook(text: str, added: list[str]) -> bool:
    """Whether adding ``added`` lines to make ``text`` can add a hook at all: only in text that
    names pytest or a plugin manager, or with a line that runs a string (spares parsing a
    module per candidate)."""
    return "pytest" in text or "pluginmanager" in text or any(_RUNS_SOURCE.search(line) for line in added)


def is_test_module(path: str) -> bool:
    """A file pytest imports as a test module (its default ``python_files``, the Python ecosystem's globs)."""
    globs = ecosystem("python").tests.globs
    return any(fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], glob) for glob in globs)


def hook_lines(text: str, test_module: bool = False) -> set[int] | None:
    """The lines (numbered from 1) of statements that bind, change or run a hook pytest would
    load by itself from this file (a ``test_module`` when pytest imports it as one); None when
    ``text`` does not parse (the caller falls back to its strict rule)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    harmless = harmless_uses(tree)
    everywhere = _reaches_session(tree, harmless)
    names = TEST_MODULE_HOOK_NAME if test_module and not everywhere else HOOK_NAME
    modules, counters = _module_names(tree), _range_counters(tree)
    lines: set[int] = set()
    for node, statement, at_import in _walk(tree, tree, True):
        if id(node) in harmless or builtin_plugins_only(statement):
            continue
        registers = everywhere and isinstance(node, ast.Attribute) and node.attr in PLUGIN_MANAGERS
        if registers or ((at_import or everywhere) and _is_hook(node, at_import, modules, names, counters)):
            lines.update(_span(node if isinstance(node, ast.Constant | ast.Call) else statement))
    return lines


def _walk(node: ast.AST, statement: ast.AST, at_import: bool) -> Iterator[tuple[ast.AST, ast.AST, bool]]:
    """Every node under ``node`` with its statement and whether it runs at import."""
    for child in ast.iter_child_nodes(node):
        inner = statement
        if isinstance(child, ast.stmt):
            inner = child
        runs = at_import and not _runs_later(node, child)
        yield child, inner, runs
        yield from _walk(child, inner, runs)


def _runs_later(node: ast.AST, child: ast.AST) -> bool:
    """Is ``child`` part of the body of the function ``node`` (not its decorators or defaults)?"""
    if isinstance(node, ast.Lambda):
        return child is node.body
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(child is s for s in node.body)


def _module_names(tree: ast.AST) -> frozenset[str]:
    """Names ``import`` binds to modules: a module is no routine, pytest calls none."""
    return frozenset(
        alias.asname or alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    )


def _is_hook(
    node: ast.AST,
    at_import: bool,
    modules: frozenset[str],
    names: re.Pattern[str],
    counters: frozenset[str] = frozenset(),
) -> bool:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return bool(names.fullmatch(node.name))
    if isinstance(node, ast.Attribute):  # setting one on another module reaches a plugin too
        return bool((names if isinstance(node.ctx, ast.Load) else HOOK_NAME).fullmatch(node.attr))
    if isinstance(node, ast.ImportFrom):
        return any(names.fullmatch(alias.asname or alias.name) for alias in node.names)
    if not at_import:  # a function's local names are no module's or object's attributes
        return False
    if isinstance(node, ast.Name):
        return bool(names.fullmatch(node.id)) and not (isinstance(node.ctx, ast.Load) and node.id in modules)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(names.fullmatch(node.value))  # setattr, globals()[...], specname=, entry points
    if isinstance(node, ast.keyword):
        return bool(node.arg and names.fullmatch(node.arg))  # globals().update(pytest_x=...)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
        name = node.args[1] if len(node.args) > 1 else None
        return isinstance(name, ast.Constant) and isinstance(name.value, str) and bool(HOOK_NAME.fullmatch(name.value))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in RUNS_SOURCE:
        source = node.args[0] if node.args else None
        text = _numbered_source(source, counters)
        if text is None:
            return True  # code built at import is code nobody read
        inner = hook_lines(text, names is TEST_MODULE_HOOK_NAME)
        return inner is None or bool(inner)
    return False


def _numbered_source(source: ast.AST | None, counters: frozenset[str]) -> str | None:
    """The text a string or an f-string run with ``exec`` holds, when it can be read: an f-string
    only when every value it puts in is a ``counter`` (a number: pytest's bench/unit_test.py makes
    15,000 test classes so); None otherwise."""
    if isinstance(source, ast.Constant) and isinstance(source.value, str):
        return source.value
    if not isinstance(source, ast.JoinedStr):
        return None
    parts = []
    for part in source.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            parts.append(part.value)
        elif (
            isinstance(part, ast.FormattedValue)
            and isinstance(part.value, ast.Name)
            and part.value.id in counters
            and part.format_spec is None
        ):
            parts.append("0")
        else:
            return None
    return "".join(parts)


def _range_counters(tree: ast.AST) -> frozenset[str]:
    """Names bound only as the target of ``for NAME in range(...)``: they hold numbers."""
    loops = {
        id(node.target)
        for node in ast.walk(tree)
        if isinstance(node, ast.For)
        and isinstance(node.iter, ast.Call)
        and isinstance(node.iter.func, ast.Name)
        and node.iter.func.id == "range"
    }
    bound: dict[str, bool] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            bound[node.id] = bound.get(node.id, True) and id(node) in loops
        elif isinstance(node, ast.arg):
            bound[node.arg] = False
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound[node.name] = False
        elif isinstance(node, ast.alias):
            bound[node.asname or node.name.split(".")[0]] = False
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar | ast.Global | ast.Nonlocal):
            for name in getattr(node, "names", None) or [getattr(node, "name", None)]:
                if name:
                    bound[name] = False
    return frozenset(name for name, only in bound.items() if only)


def _reaches_session(tree: ast.AST, harmless: set[int]) -> bool:
    """Could the file reach the running session and use its plugin manager or a hook caller? Any
    mention of each counts (an alias, a name in a string, an attribute read at run time) but the
    ``harmless`` uses (``rules_manager_uses``), unless ``session_flow`` follows every session
    value of the file and none reaches a manager but harmlessly."""
    managers = any(id(node) not in harmless and _names_a_manager(node) for node in ast.walk(tree))
    return managers and follow(tree, harmless) is not False


def _names_a_manager(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr in PLUGIN_MANAGERS
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value in PLUGIN_MANAGERS
    if isinstance(node, ast.Call):
        func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        named = node.args[1:2] if func == "getattr" else node.args[:1]
        return func in DYNAMIC_ATTRIBUTES and not all(
            isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in named
        )
    return False


def _span(node: ast.AST) -> range:
    """The lines of a simple statement or expression; of a compound statement, its header
    (decorators, signature, condition), not its body."""
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])  # type: ignore[attr-defined]
    for field in _BODIES:
        body = getattr(node, field, None)
        if isinstance(body, list) and body and isinstance(body[0], ast.AST):
            return range(first, max(first, body[0].lineno - 1) + 1)  # type: ignore[attr-defined]
    return range(first, (getattr(node, "end_lineno", None) or node.lineno) + 1)  # type: ignore[attr-defined]
