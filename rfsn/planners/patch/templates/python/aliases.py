"""A builtin where the file's own stand-in for it was meant (the fixes corpus's "replaced name <-
module name"): ``unicode(value)`` -> ``text_type(value)``, ``ord(cid[0])`` -> ``i8(cid[0])``,
``isinstance(name, unicode)`` -> ``isinstance(name, basestring)``. A stand-in is a name the module
binds by an import or by assigning another name or attribute (``i8 = _binary.i8``), that the
file calls or uses as a type (``isinstance``'s second argument, ``ty is text_type``) elsewhere."""

from __future__ import annotations

import ast
import builtins
from collections import Counter
from collections.abc import Iterator

from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, replace

#: Python 2's builtins, which Python 3 code of that age names for its stand-ins
_OLD_BUILTINS = frozenset({"unicode", "basestring", "long", "unichr", "xrange", "raw_input", "buffer", "file"})
#: the builtins a stand-in replaces: types (not exceptions) and the conversions between them
_BUILTINS = (
    _OLD_BUILTINS
    | {
        name
        for name, value in vars(builtins).items()
        if isinstance(value, type) and not issubclass(value, BaseException) and not name.startswith("_")
    }
    | {"ord", "chr", "repr", "hex", "oct", "open", "input"}
)
_TYPE_CALLS = frozenset({"isinstance", "issubclass"})
#: stand-ins offered for one builtin, the most used first
MAX_ALIASES = 3


def _role(ctx: FileContext, node: ast.Name) -> str | None:
    """``call`` (the function called), ``type`` (what a value is tested against) or None."""
    parent = ctx.parents.get(node)
    if isinstance(parent, ast.Tuple):
        parent = ctx.parents.get(parent)
    if isinstance(parent, ast.Call) and parent.func is node:
        return "call"
    if isinstance(parent, ast.Call) and getattr(parent.func, "id", None) in _TYPE_CALLS and node in ast.walk(parent):
        return "type" if parent.args[0] is not node else None
    if isinstance(parent, ast.Compare) and any(isinstance(op, ast.Is | ast.IsNot | ast.Eq) for op in parent.ops):
        return "type"
    return None


def _aliases(ctx: FileContext) -> Counter[str]:
    """The module's stand-ins, with how often the file calls them or uses them as types (once a file)."""
    if "aliases" not in ctx.cache:
        bound = set[str]()
        for stmt in ctx.tree.body:
            if isinstance(stmt, ast.Import | ast.ImportFrom):
                bound |= {(a.asname or a.name).split(".")[0] for a in stmt.names}
            elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Name | ast.Attribute):
                bound |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
        uses = Counter[str]()
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Name) and node.id in bound - _BUILTINS and _role(ctx, node):
                uses[node.id] += 1
        ctx.cache["aliases"] = uses
    return ctx.cache["aliases"]


@template("builtin_as_alias", 0.1)
def builtin_as_alias(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A builtin called or tested against on the line -> a stand-in the file uses the same way."""
    aliases = _aliases(ctx)
    if not aliases:
        return
    shadowed = {n.id for n in ast.walk(ctx.tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for node in ctx.nodes_at(line):
        if not isinstance(node, ast.Name) or node.lineno != line or node.id not in _BUILTINS - shadowed:
            continue
        if _role(ctx, node) is None:
            continue
        for alias, _ in sorted(aliases.items(), key=lambda p: (-p[1], p[0]))[:MAX_ALIASES]:
            yield replace(ctx, node, alias, f"replace the builtin `{node.id}` with the file's `{alias}`")


TEMPLATES = (builtin_as_alias,)
