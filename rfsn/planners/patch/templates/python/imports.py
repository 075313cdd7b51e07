"""An import of the file's own package written the way that resolves (``from core import *`` in
``idna/compat.py`` -> ``from idna.core import *`` or ``from .core import *``; ``from .info import
x`` -> ``from pkg.sub.info import x``; ``import Image`` in ``PIL/`` -> ``from PIL import Image``):
the fix shapes "changed ImportFrom.module", "changed ImportFrom.level" and "replaced Import by
ImportFrom" of the fixes corpus (benchmarks/fixes), mostly Python 2's implicit relative imports."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, replace


def packages(path: str) -> list[str]:
    """Pure: the dotted packages the file may belong to, the innermost first and longest first
    (``src/pkg/sub/mod.py``: ``src.pkg.sub``, ``pkg.sub``, ``sub``); its directories are all
    the path says (a leading ``src`` or ``lib`` may be no package)."""
    parts = [p for p in path.split("/")[:-1] if p.isidentifier()]
    return [".".join(parts[i:]) for i in range(len(parts))]


def _resolved(node: ast.ImportFrom, path: str) -> str | None:
    """The absolute module a relative ``from`` import names, given the file's directories."""
    parts = [p for p in path.split("/")[:-1] if p.isidentifier()]
    if node.level - 1 > len(parts):
        return None
    base = parts[: len(parts) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])]) or None


def _names(node: ast.ImportFrom) -> str:
    return ", ".join(a.name if a.asname is None else f"{a.name} as {a.asname}" for a in node.names)


def _from(ctx: FileContext, node: ast.ImportFrom) -> Iterator[str]:
    """Other spellings of a ``from`` import: a relative one absolute in each package the path
    allows, an absolute one relative to the file's package or qualified by it."""
    names = _names(node)
    if node.level:
        full = _resolved(node, ctx.path)
        parts = full.split(".") if full else []
        yield from (f"from {'.'.join(parts[i:])} import {names}" for i in range(len(parts) - 1))
        return
    module = node.module or ""
    yield f"from .{module} import {names}"
    parent, _, last = module.rpartition(".")
    if parent and [a.name for a in node.names] == [last]:
        yield f"from {parent} import {names}"  # the submodule, not the name it defines
    for package in packages(ctx.path):
        if module.startswith(package + "."):
            yield f"from .{module[len(package) + 1 :]} import {names}"
        else:
            yield f"from {package}.{module} import {names}"


@template("package_import", 0.3)
def package_import(ctx: FileContext, line: int) -> Iterator[Edit]:
    """The import statement on ``line`` respelled to resolve in the file's own package: a bare
    or implicit relative name qualified, an absolute name relative, a relative one absolute."""
    stmt = ctx.statement_at(line)
    if isinstance(stmt, ast.ImportFrom) and stmt.module != "__future__" and "\n" not in ctx.map.text(stmt):
        for text in dict.fromkeys(_from(ctx, stmt)):
            yield replace(ctx, stmt, text, f"import as `{text}`")
    elif isinstance(stmt, ast.Import) and len(stmt.names) == 1 and stmt.names[0].asname is None:
        name = stmt.names[0].name
        for package in packages(ctx.path):
            if "." not in name:
                text = f"from {package} import {name}"
                yield replace(ctx, stmt, text, f"import as `{text}`")


TEMPLATES = (package_import,)
