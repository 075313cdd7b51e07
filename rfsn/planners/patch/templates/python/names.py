"""Replacement of variables, attributes and constants with others from the same scope/file."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import (
    FUNCTIONS,
    FileContext,
    header_nodes,
    of_type,
    replace,
)
from rfsn.planners.patch.templates.python.kinds import compatible
from rfsn.planners.patch.templates.python.scope import (
    class_at,
    function_at,
    kinds_at,
    local_names,
    names_before,
    parameters,
    self_attributes,
    sibling_attributes,
)


@template("replace_variable", 0.7)
def replace_variable(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A local or parameter read on the line -> another local or parameter."""
    func = function_at(ctx, line)
    if func is None:
        return
    names, kinds = local_names(func), kinds_at(ctx, line)
    for node in of_type(ctx.nodes_at(line), ast.Name):
        if isinstance(node.ctx, ast.Load) and node.id in names:
            for other in names:
                if other != node.id and compatible(kinds.get(node.id), kinds.get(other)):
                    yield replace(ctx, node, other, f"replace `{node.id}` with `{other}`")


#: the statements after a dead store where its use is looked for
DEAD_STORE_REACH = 8


@template("use_dead_store", 0.7)
def use_dead_store(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A local assigned on the line and never read in its function (``diffsize = ...``, then
    ``self.__currsize += size``): one of the next statements meant it. A read of another local
    there -> the dead one. The edit is on a later line than the suspicious one."""
    func, stmt = function_at(ctx, line), ctx.statement_at(line)
    if func is None or stmt is None:
        return
    read = {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    dead = [
        n.id
        for n in ast.walk(stmt)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and n.id not in read and not n.id.startswith("_")
    ]
    if not dead:
        return
    names, kinds = local_names(func), kinds_at(ctx, line)
    later = sorted(
        (
            s
            for s in ast.walk(func)
            if isinstance(s, ast.stmt)
            and s.lineno > (stmt.end_lineno or stmt.lineno)
            and ctx.enclosing(s, FUNCTIONS) is func
        ),
        key=lambda s: s.lineno,
    )[:DEAD_STORE_REACH]
    for after in later:
        for node in of_type(header_nodes(after), ast.Name):
            if isinstance(node.ctx, ast.Load) and node.id in names:
                for other in dict.fromkeys(dead):
                    if other != node.id and compatible(kinds.get(node.id), kinds.get(other)):
                        yield replace(ctx, node, other, f"replace `{node.id}` with `{other}` (assigned and never read)")


def attr_edit(ctx: FileContext, node: ast.Attribute, new: str) -> Edit:
    end = ctx.map.span(node)[1]
    base = ctx.map.text(node.value)
    return Edit(
        (Splice(end - len(node.attr), end, new),),
        f"replace `{base}.{node.attr}` with `{base}.{new}`",
    )


@template("replace_attribute", 0.7)
def replace_attribute(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``x.a`` -> ``x.b`` for attributes used on ``x`` (or alongside ``a``) elsewhere."""
    cls = class_at(ctx, line)
    for node in of_type(ctx.nodes_at(line), ast.Attribute):
        if not ctx.map.text(node).endswith(node.attr):
            continue
        base = node.value.id if isinstance(node.value, ast.Name) else None
        if base == "self" and cls is not None:
            options = self_attributes(cls)
        else:
            options = sibling_attributes(ctx.tree, node.attr)
        for other in options:
            if other != node.attr and not (other.startswith("__") and other.endswith("__")):
                yield attr_edit(ctx, node, other)


def bare(name: str) -> str:
    return name.lstrip("_")


@template("self_or_local", 0.65)
def self_or_local(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``name`` -> ``self.name`` (a parameter or local read where the object's attribute of that
    name was meant: ``lineof(name, name)`` for ``lineof(self.name, name)``), and back. A private
    attribute (``self.__size``) stands for the local it holds (``size``)."""
    func, cls = function_at(ctx, line), class_at(ctx, line)
    if func is None:
        return
    attrs = self_attributes(cls) if cls is not None and parameters(func)[:1] == ["self"] else []
    scope = names_before(ctx, line)
    for node in ctx.nodes_at(line):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id != "self":
            for attr in attrs:
                if bare(attr) == bare(node.id):
                    yield replace(ctx, node, f"self.{attr}", f"replace `{node.id}` with `self.{attr}`")
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Load)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        ):
            for name in scope:
                if bare(name) == bare(node.attr):
                    yield replace(ctx, node, name, f"replace `self.{node.attr}` with `{name}`")


@template("attribute_as_target", 0.6)
def attribute_as_target(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``denominator = frac.numerator`` -> ``frac.denominator``: the attribute named as what it
    is assigned to, or passed as (``size=item.count`` -> ``item.size``)."""
    stmt = ctx.statement_at(line)
    pairs: list[tuple[str, ast.expr]] = []
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        pairs.append((stmt.targets[0].id, stmt.value))
    elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
        pairs.append((stmt.target.id, stmt.value))
    for call in of_type(ctx.nodes_at(line), ast.Call):
        pairs += [(k.arg, k.value) for k in call.keywords if k.arg]
    for name, value in pairs:
        if (
            isinstance(value, ast.Attribute)
            and value.attr != name
            and value.lineno <= line <= (value.end_lineno or value.lineno)
            and ctx.map.text(value).endswith(value.attr)
        ):
            yield attr_edit(ctx, value, name)


def _same_value(a: object, b: object) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    return type(a) is type(b) and a == b


@template("constant_to_named_constant", 0.75)
def constant_to_named_constant(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A literal -> a module-level constant with the same (or a case-folded equal) value."""
    for node in of_type(ctx.nodes_at(line), ast.Constant):
        if isinstance(node.value, bool) or node.value is None:
            continue
        for name, value in ctx.module_constants.items():
            if _same_value(value, node.value) and node.lineno == line:
                yield replace(ctx, node, name, f"replace `{ctx.map.text(node)}` with `{name}`")


_KEYISH = re.compile(r"^[\w.\-: ]{1,40}$")


def _file_strings(ctx: FileContext) -> list[str]:
    """The file's short strings, docstrings aside (computed once a file)."""
    if "file_strings" not in ctx.cache:
        seen: dict[str, None] = {}
        for node in ast.walk(ctx.tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and (_KEYISH.match(node.value) and not _is_docstring(ctx, node))
            ):
                seen.setdefault(node.value)
        ctx.cache["file_strings"] = list(seen)
    return ctx.cache["file_strings"]


def _is_docstring(ctx: FileContext, node: ast.Constant) -> bool:
    return isinstance(ctx.parents.get(node), ast.Expr)


@template("string_constant", 0.45)
def string_constant(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A short string literal (e.g. a dict key) -> another short string of the file."""
    options = _file_strings(ctx)
    for node in of_type(ctx.nodes_at(line), ast.Constant):
        if not isinstance(node.value, str) or not _KEYISH.match(node.value):
            continue
        if _is_docstring(ctx, node) or node.lineno != line:
            continue
        for other in options:
            if other != node.value:
                old = ctx.map.text(node)
                yield replace(ctx, node, repr(other), f"replace {old} with {other!r}")


@template("boolean_literal", 0.55)
def boolean_literal(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``True`` <-> ``False``."""
    for node in of_type(ctx.nodes_at(line), ast.Constant):
        if isinstance(node.value, bool) and node.lineno == line:
            new = str(not node.value)
            yield replace(ctx, node, new, f"replace `{node.value}` with `{new}`")


TEMPLATES = (
    replace_variable,
    replace_attribute,
    self_or_local,
    attribute_as_target,
    use_dead_store,
    constant_to_named_constant,
    string_constant,
    boolean_literal,
)
