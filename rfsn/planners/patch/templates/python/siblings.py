"""A reference swapped with a sibling of the same module, class or object.

``operator.gt`` where ``operator.ge`` was meant, ``os.path.basename`` for
``os.path.dirname``, ``self.lower`` for ``self.upper``: the receiver is right,
the member is its neighbour. The members come from where the receiver is
defined, not only from what the file already uses: a standard-library module's
namespace, a project module's top-level definitions, a class body (methods and
class attributes). Siblings of the same kind (callable or not) are proposed,
those the project already uses on that receiver first, then by name similarity.
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections import Counter
from collections.abc import Iterator

from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, of_type
from rfsn.planners.patch.templates.python.names import attr_edit
from rfsn.planners.patch.templates.python.scope import class_at
from rfsn.planners.patch.templates.similar import MAX_SIBLINGS, similarity

#: standard-library modules never imported to list their members (importing them acts)
_UNSAFE = frozenset({"antigravity", "this", "turtle", "tkinter", "idlelib", "webbrowser", "pydoc"})

Members = dict[str, bool]  # name -> callable


def _imports(tree: ast.Module) -> dict[str, str]:
    """Local name -> the dotted module it is bound to, from module-level imports."""
    out: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    out[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    out[root] = root
        elif isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
            for alias in stmt.names:
                out[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"
    return out


def _dotted(node: ast.AST, imports: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return imports.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, imports)
        return f"{base}.{node.attr}" if base else None
    return None


def _body_members(body: list[ast.stmt]) -> Members:
    out: Members = {}
    for stmt in body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out[stmt.name] = True
        elif isinstance(stmt, ast.Assign | ast.AnnAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            out.update({t.id: False for t in targets if isinstance(t, ast.Name)})
    return out


def _project_module(ctx: FileContext, dotted: str) -> Members | None:
    stem = dotted.replace(".", "/")
    for path, tree in ctx.project_trees.items():
        if path.endswith((f"{stem}.py", f"{stem}/__init__.py")) and (
            path in (f"{stem}.py", f"{stem}/__init__.py") or path.split(stem)[0].endswith("/")
        ):
            return _body_members(tree.body)
    return None


def _stdlib_module(dotted: str) -> Members | None:
    root = dotted.split(".")[0]
    if root not in sys.stdlib_module_names or root in _UNSAFE:
        return None
    try:
        module = sys.modules.get(dotted) or importlib.import_module(dotted)
    except Exception:  # a module that cannot be imported has no members to offer
        return None
    return {name: callable(getattr(module, name, None)) for name in dir(module)}


def _module_members(ctx: FileContext, dotted: str) -> Members | None:
    key = ("sibling_module", dotted)
    if key not in ctx.cache:
        ctx.cache[key] = _project_module(ctx, dotted) or _stdlib_module(dotted)
    return ctx.cache[key]


def _receiver_members(ctx: FileContext, node: ast.Attribute, line: int) -> Members | None:
    base = node.value
    if isinstance(base, ast.Name) and base.id in ("self", "cls"):
        cls = class_at(ctx, line)
        return _body_members(cls.body) if cls is not None else None
    if isinstance(base, ast.Name):
        for stmt in ctx.tree.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == base.id:
                return _body_members(stmt.body)
    dotted = _dotted(base, _imports(ctx.tree))
    return _module_members(ctx, dotted) if dotted else None


def _used_on(ctx: FileContext, receiver: str) -> Counter[str]:
    """How often the project writes ``<receiver>.<name>``, per name."""
    key = ("sibling_uses", receiver)
    if key not in ctx.cache:
        uses: Counter[str] = Counter()
        for tree in ctx.project_trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and ast.unparse(node.value) == receiver:
                    uses[node.attr] += 1
        ctx.cache[key] = uses
    return ctx.cache[key]


def siblings(ctx: FileContext, node: ast.Attribute, line: int) -> list[str]:
    """The members of ``node``'s receiver that could stand for ``node.attr``, best first."""
    members = _receiver_members(ctx, node, line)
    if not members:
        return []
    kind = members.get(node.attr)
    private = node.attr.startswith("_")
    options = [
        name
        for name, is_callable in members.items()
        if name != node.attr and (kind is None or is_callable == kind) and (private or not name.startswith("_"))
    ]
    uses = _used_on(ctx, ctx.map.text(node.value))
    options.sort(key=lambda name: (-min(uses[name], 1), -similarity(node.attr, name), name))
    return options[:MAX_SIBLINGS]


@template("sibling_reference", 0.6)
def sibling_reference(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``receiver.member`` -> ``receiver.sibling``: another member of the same module or class."""
    for node in of_type(ctx.nodes_at(line), ast.Attribute):
        if not node.lineno <= line <= (node.end_lineno or node.lineno) or not ctx.map.text(node).endswith(node.attr):
            continue
        for other in siblings(ctx, node, line):
            yield attr_edit(ctx, node, other)


TEMPLATES = (sibling_reference,)
