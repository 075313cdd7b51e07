"""A method call that should be a function call taking the receiver first (the fixes corpus's
"replaced name + argument added"): Python 2's ``it.next()`` -> ``next(it)`` and
``kwargs.iteritems()`` -> ``six.iteritems(kwargs)``, ``self.getattr(name)`` -> ``getattr(self,
name)``. The function is a builtin no common type has as a method, a module-level function of
the file, or a module's function the file calls elsewhere (``six.iteritems``)."""

from __future__ import annotations

import ast
import builtins
import types
from collections.abc import Iterator

from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, of_type, replace
from rfsn.planners.patch.templates.python.scope import class_at, function_at

_TYPES = (str, bytes, list, dict, set, tuple, int, float, object)
#: builtin functions whose name no common type has as a method (``format``, ``sort`` are left out)
FUNCTIONS = frozenset(
    name
    for name in dir(builtins)
    if not name.startswith("_")
    and isinstance(getattr(builtins, name), types.BuiltinFunctionType)
    and not any(hasattr(t, name) for t in _TYPES)
    and name not in {"print", "exec", "eval", "compile", "input", "globals", "locals", "breakpoint"}
)


def _functions(ctx: FileContext) -> dict[str, list[str]]:
    """Per name, the module-level functions of the file and the ``module.name`` calls it makes
    (``module`` a name the file imports), indexed once a file."""
    if "functions_by_name" in ctx.cache:
        return ctx.cache["functions_by_name"]
    out: dict[str, list[str]] = {}
    imported = {
        (alias.asname or alias.name).split(".")[0]
        for node in ast.walk(ctx.tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    for node in ctx.tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            out.setdefault(node.name, []).append(node.name)
    for call in (n for n in ast.walk(ctx.tree) if isinstance(n, ast.Call)):
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in imported:
            qualified = f"{func.value.id}.{func.attr}"
            if qualified not in out.setdefault(func.attr, []):
                out[func.attr].append(qualified)
    ctx.cache["functions_by_name"] = out
    return out


@template("method_as_function", 0.3)
def method_as_function(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``x.f(a)`` -> ``f(x, a)``: a method call that should pass its receiver to a function."""
    for call in of_type(ctx.nodes_at(line), ast.Call):
        func = call.func
        if not isinstance(func, ast.Attribute):
            continue
        known = _functions(ctx)
        receiver = ctx.map.text(func.value)
        names = [f for f in known.get(func.attr, []) if f != f"{receiver}.{func.attr}"]
        names += [func.attr] if func.attr in FUNCTIONS and func.attr not in names else []
        rest = [*call.args, *call.keywords]
        args = ctx.source[ctx.map.span(rest[0])[0] : ctx.map.span(rest[-1])[1]] if rest else ""
        for name in names:
            text = f"{name}({receiver}, {args})" if args else f"{name}({receiver})"
            yield replace(ctx, call, text, f"call `{name}` with the receiver `{receiver}` first")


def _receivers(func: ast.FunctionDef, cls: ast.ClassDef | None) -> tuple[dict[str, set[str]], set[str]]:
    """Per attribute, the names the function reads it on; and its parameters annotated with the
    enclosing class (others of ``self``'s kind)."""
    on: dict[str, set[str]] = {}
    for node in ast.walk(func):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            on.setdefault(node.attr, set()).add(node.value.id)
    args = [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]
    same = {
        a.arg
        for a in args
        if cls is not None and a.annotation is not None and ast.unparse(a.annotation).strip("'\"") == cls.name
    }
    return on, same


@template("other_receiver", 0.4)
def other_receiver(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``a.x`` -> ``b.x``, not called: the attribute of another object of the function, one it
    uses ``.x`` on elsewhere (``sys.prefix`` -> ``i.prefix`` beside ``i.prefix = ...``), or for
    ``self`` a parameter of the enclosing class (``self.calls += 1`` -> ``origin.calls += 1``)."""
    func = function_at(ctx, line)
    if func is None:
        return
    on, same = _receivers(func, class_at(ctx, line))
    for node in of_type(ctx.nodes_at(line), ast.Attribute):
        parent = ctx.parents.get(node)
        if not isinstance(node.value, ast.Name) or (isinstance(parent, ast.Call) and parent.func is node):
            continue
        base = node.value.id
        others = sorted(on.get(node.attr, set()) | (same if base == "self" else set()))
        for other in others:
            if other != base:
                yield replace(ctx, node.value, other, f"read `.{node.attr}` on `{other}`, not `{base}`")


TEMPLATES = (method_as_function, other_receiver)
