"""``None`` where the file's own "no value" object was meant (the fixes corpus's "replaced
Constant by Attribute <- elsewhere in file + module name"): ``XOpenDisplay(None)`` ->
``XOpenDisplay(ffi.NULL)``, ``def setupterm(term=None)`` -> ``term=ffi.NULL`` in a file that
tests values with ``== ffi.NULL``. The file's sentinels are the capitalized module-level names
(or their attributes) it compares values with ``==``, ``!=``, ``is`` or ``is not``."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, of_type, replace
from rfsn.planners.patch.templates.python.scope import module_names

_CAPITAL = re.compile(r"^_*[A-Z][A-Z0-9_]*$")
_EQUALITY = (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def sentinels(ctx: FileContext) -> list[str]:
    """The file's sentinels, in order of first comparison (computed once a file)."""
    if "sentinels" not in ctx.cache:
        module, seen = module_names(ctx), dict[str, None]()
        for node in of_type(ast.walk(ctx.tree), ast.Compare):
            if all(isinstance(op, _EQUALITY) for op in node.ops):
                for side in (node.left, *node.comparators):
                    last = side.attr if isinstance(side, ast.Attribute) else getattr(side, "id", "")
                    if _CAPITAL.match(last) and _root(side) in module:
                        seen.setdefault(ctx.map.text(side))
        ctx.cache["sentinels"] = list(seen)
    return ctx.cache["sentinels"]


def _annotation(ctx: FileContext, node: ast.AST) -> bool:
    for anc in [node, *ctx.ancestors(node)]:
        parent = ctx.parents.get(anc)
        if isinstance(parent, ast.arg) or getattr(parent, "returns", None) is anc:
            return True
        if isinstance(parent, ast.AnnAssign) and parent.annotation is anc:
            return True
        if isinstance(anc, ast.stmt):
            return False
    return False


@template("none_as_sentinel", 0.2)
def none_as_sentinel(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A ``None`` of the line (not an annotation) -> each sentinel of the file."""
    for node in of_type(ctx.nodes_at(line), ast.Constant):
        if node.value is None and node.lineno == line and not _annotation(ctx, node):
            for name in sentinels(ctx):
                yield replace(ctx, node, name, f"pass the file's sentinel `{name}`, not None")


TEMPLATES = (none_as_sentinel,)
