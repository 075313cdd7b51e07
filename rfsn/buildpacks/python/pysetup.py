"""What a project's setup.py and setup.cfg declare of its dependencies, read without running them:
the literal arguments of ``setup()``, and whether they are computed (then only pip knows)."""

from __future__ import annotations

import ast
import configparser
import sys
from pathlib import Path
from typing import Any

from rfsn.buildpacks.python.pysources import ini, lines
from rfsn.fsutil import read_toml


def setup_py_kwargs(path: Path) -> dict[str, Any]:
    """Literal keyword arguments of the first ``setup(...)`` call in setup.py; a plain name
    stands for the literal a module-level assignment gives it (``install_requires=REQUIRES``),
    and ``**NAME`` for the entries a module-level dict of that name is given (``_entries``)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return {}
    constants = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "setup":
            given: list[tuple[str | None, ast.expr]] = []
            for kw in node.keywords:
                spread = _entries(tree, kw.value.id) if kw.arg is None and isinstance(kw.value, ast.Name) else []
                given += spread or [(kw.arg, kw.value)]
            return {
                arg: value for arg, expr in given if arg and (value := _literal(_resolved(expr, constants))) is not None
            }
    return {}


def _entries(tree: ast.Module, name: str) -> list[tuple[str | None, ast.expr]]:
    """The (key, value) entries the module-level dict ``name`` is given, in order, by
    ``name = dict(k=v)`` or ``{'k': v}``, ``name.update(k=v)`` or ``({'k': v})``, ``name['k'] = v``."""
    found: list[tuple[str | None, ast.expr]] = []
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            for t in statement.targets:
                if isinstance(t, ast.Name) and t.id == name:
                    found = _dict_entries(statement.value)  # bound again: what came before is gone
                elif isinstance(t, ast.Subscript) and getattr(t.value, "id", "") == name:
                    key = t.slice.value if isinstance(t.slice, ast.Constant) else None
                    found.append((key if isinstance(key, str) else None, statement.value))
        elif isinstance(statement, ast.Expr) and isinstance(call := statement.value, ast.Call):
            method = call.func
            if (
                isinstance(method, ast.Attribute)
                and method.attr == "update"
                and getattr(method.value, "id", "") == name
            ):
                found += _call_entries(call)
    return found


def _dict_entries(node: ast.expr | None) -> list[tuple[str | None, ast.expr]]:
    """Pure: the entries of ``dict(k=v, ...)`` (its keywords and a dict it is given) or ``{'k': v}``."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "dict":
        return _call_entries(node)
    if isinstance(node, ast.Dict):
        return [
            (k.value if isinstance(k.value, str) else None, v)
            for k, v in zip(node.keys, node.values, strict=True)
            if isinstance(k, ast.Constant)
        ]
    return []


def _call_entries(call: ast.Call) -> list[tuple[str | None, ast.expr]]:
    """Pure: the entries a call of ``dict`` or ``update`` gives: its keywords and a dict argument's."""
    return [(kw.arg, kw.value) for kw in call.keywords] + [e for a in call.args for e in _dict_entries(a)]


#: setup() arguments that decide what installing the project pulls in
_DEPENDENCY_KWARGS = ("install_requires", "extras_require", "tests_require")


def dynamic(repo: Path) -> bool:
    """Whether the project's dependencies are only known once its metadata is built: a
    pyproject.toml ``dynamic`` dependency field, a setup.cfg ``file:`` directive, or a setup.py
    whose dependency arguments are not plain literals assigned once (``EXTRAS['dev'] =
    EXTRAS['a'] + ...``, a loop, a ``**kwargs``). Then pip is asked (``pipresolve``); a
    reader would miss what the code computes."""
    fields = read_toml(repo / "pyproject.toml").get("project", {}).get("dynamic", [])
    if isinstance(fields, list) and {"dependencies", "optional-dependencies"} & set(fields):
        return True
    setup_cfg = ini(repo / "setup.cfg")
    values = [setup_cfg.get("options", "install_requires", fallback="")]
    if setup_cfg.has_section("options.extras_require"):
        values += [v for _, v in setup_cfg.items("options.extras_require")]
    if any(v.strip().startswith("file:") for v in values):
        return True
    return (repo / "setup.py").is_file() and _setup_py_dynamic(repo / "setup.py")


def _setup_py_dynamic(path: Path) -> bool:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return False  # a setup.py Python 3 cannot parse: pip could not build it either
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "setup"
    ]
    if not calls:
        return True  # setup() reached some other way: only running it tells
    names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)]
    for keyword in calls[0].keywords:
        if keyword.arg is None:
            return True  # setup(**kwargs)
        if keyword.arg not in _DEPENDENCY_KWARGS:
            continue
        value = keyword.value
        if isinstance(value, ast.Name):
            # a constant: static only if bound once and used nowhere else (no item assignment,
            # no append, no concatenation into another)
            assigned = [
                node
                for node in tree.body
                if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == value.id for t in node.targets)
            ]
            if len(assigned) != 1 or names.count(value.id) != 2:
                return True
            value = assigned[0].value
        try:
            ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, RecursionError):
            return True
    return False


def _resolved(node: ast.expr, constants: dict[str, ast.expr]) -> ast.expr:
    return constants.get(node.id, node) if isinstance(node, ast.Name) else node


def _literal(node: ast.expr) -> Any:
    """The value of a literal; of a dict, its literal entries. None if not a literal."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        pass  # not a literal (a variable, a call): unknown without running the code
    if isinstance(node, ast.Dict):
        pairs = ((_literal(k), _literal(v)) for k, v in zip(node.keys, node.values, strict=True) if k is not None)
        return {k: v for k, v in pairs if isinstance(k, str) and v is not None}
    return None


def as_list(value: Any) -> list[str]:
    """setup() accepts a string (one requirement per line) wherever it accepts a list."""
    if isinstance(value, str):
        return lines(value)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list | tuple) else []


#: what a setup.py may import without its build asking for more: setuptools and what it brings
_BUILD_TOOLS = frozenset({"setuptools", "distutils", "pkg_resources", "_distutils_hack"})


def imports_at_build(repo: Path) -> bool:
    """Whether the project's setup.py imports a module (anywhere, a function's body included)
    that neither the standard library, setuptools nor the project's own tree provides: what
    building it needs is then known only to its build backend (a ``SetupRequirementsError``,
    ``setup_requires``, an import that fails without it), which the env build asks."""
    path = repo / "setup.py"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return False
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module and not node.level
    }
    tops = {name.split(".")[0] for name in names}
    return any(top not in sys.stdlib_module_names and top not in _BUILD_TOOLS and not _local(repo, top) for top in tops)


def _local(repo: Path, top: str) -> bool:
    """Whether the project's tree holds the module ``top`` (a file or a package, ``src/`` too)."""
    return any((where / f"{top}.py").is_file() or (where / top).is_dir() for where in (repo, repo / "src"))


def has_setup_cfg_metadata(repo: Path) -> bool:
    """Whether setup.cfg names the project (``[metadata] name``): setuptools installs it from there."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(repo / "setup.cfg", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return False
    return parser.has_option("metadata", "name")
