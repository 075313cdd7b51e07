"""Type tests too narrow: a builtin type in ``isinstance`` where its abstract base was meant."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.templates.edit import Edit, template
from rfsn.planners.templates.python.base import FUNCTIONS, FileContext, of_type, replace

#: a builtin type and the abstract bases (``collections.abc``, ``numbers``, six) that widen it
ABSTRACT = {
    "dict": ("Mapping", "MutableMapping"),
    "list": ("Sequence", "MutableSequence", "Iterable"),
    "tuple": ("Sequence", "Iterable"),
    "set": ("Set", "AbstractSet", "MutableSet"),
    "frozenset": ("Set", "AbstractSet"),
    "int": ("Integral", "Number"),
    "float": ("Real", "Number"),
    "str": ("string_types", "basestring"),
}


def imported_names(ctx: FileContext) -> set[str]:
    """Names the module binds outside its functions: imports (in ``try`` blocks too) and
    assignments."""
    key = "imported_names"
    if key not in ctx.cache:
        names: set[str] = set()
        stack: list[ast.AST] = list(ctx.tree.body)
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Import | ast.ImportFrom):
                names |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, ast.Assign):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            elif not isinstance(node, FUNCTIONS | ast.ClassDef | ast.expr):
                stack.extend(ast.iter_child_nodes(node))
        ctx.cache[key] = names
    return ctx.cache[key]


@template("abstract_type", 0.5)
def abstract_type(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``isinstance(x, dict)`` -> ``isinstance(x, Mapping)``, with the bases the module binds."""
    bound = imported_names(ctx)
    for call in of_type(ctx.nodes_at(line), ast.Call):
        if getattr(call.func, "id", "") not in {"isinstance", "issubclass"} or len(call.args) != 2:
            continue
        kinds = call.args[1].elts if isinstance(call.args[1], ast.Tuple) else [call.args[1]]
        for kind in kinds:
            if not isinstance(kind, ast.Name):
                continue
            for base in ABSTRACT.get(kind.id, ()):
                if base in bound:
                    yield replace(ctx, kind, base, f"test for `{base}`, not only `{kind.id}`")


TEMPLATES = (abstract_type,)
