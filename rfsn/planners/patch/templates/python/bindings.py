"""Arguments bound to the wrong parameter: a positional argument named after another parameter of the
callee than the one its position binds (the callee defined once in the file), passed by keyword from
there on (``getmask2(text, mode, direction, features)`` -> ``getmask2(text, mode, direction=direction,
features=features)`` where ``getmask2(self, text, mode="", fill=None, direction=None, features=None)``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FUNCTIONS, FileContext, of_type

Signature = tuple[list[str], set[str]]  # the positional parameters as a call binds them, and every name


def _bound_first(func: ast.FunctionDef | ast.AsyncFunctionDef, in_class: bool) -> bool:
    """Whether a call through an attribute binds the first parameter itself (``self``, ``cls``)."""
    names = {d.id for d in func.decorator_list if isinstance(d, ast.Name)}
    return in_class and "staticmethod" not in names


def signatures(ctx: FileContext) -> dict[str, list[tuple[Signature, bool]]]:
    """Each function name of the file -> (its signature, whether it is a method), once a file."""
    if "signatures" not in ctx.cache:
        found: dict[str, list[tuple[Signature, bool]]] = {}
        for func in (n for n in ast.walk(ctx.tree) if isinstance(n, FUNCTIONS)):
            args = func.args
            positional = [a.arg for a in [*args.posonlyargs, *args.args]]
            every = {*positional, *(a.arg for a in args.kwonlyargs)}
            method = _bound_first(func, isinstance(ctx.parents.get(func), ast.ClassDef))
            found.setdefault(func.name, []).append(((positional[1 if method else 0 :], every), method))
        ctx.cache["signatures"] = found
    return ctx.cache["signatures"]


def _callee(ctx: FileContext, call: ast.Call) -> Signature | None:
    """The signature the call binds its arguments to, when the file defines the callee once."""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
    defined = signatures(ctx).get(name or "", [])
    if len(defined) != 1 or defined[0][1] != isinstance(call.func, ast.Attribute):
        return None
    return defined[0][0]


def _misbound(call: ast.Call, positional: list[str], every: set[str]) -> list[str]:
    """The argument names from the first one that names another parameter than its position's on,
    when each of them names a parameter the call's keywords do not already give."""
    names = [a.id if isinstance(a, ast.Name) else "" for a in call.args]
    bound = [*positional, *[""] * len(names)]
    first = next((i for i, n in enumerate(names) if n in every and n != bound[i]), None)
    rest = names[first:] if first is not None else []
    given = {k.arg for k in call.keywords}
    return rest if rest and all(n in every and n not in given for n in rest) else []


@template("positional_as_keyword", 0.4)
def positional_as_keyword(ctx: FileContext, line: int) -> Iterator[Edit]:
    """From the first positional argument named after another parameter, every argument by keyword."""
    for call in of_type(ctx.nodes_at(line), ast.Call):
        signature = _callee(ctx, call)
        if signature is None or any(isinstance(a, ast.Starred) for a in call.args):
            continue
        rest = _misbound(call, *signature)
        if rest:
            start, end = ctx.map.span(call.args[-len(rest)])[0], ctx.map.span(call.args[-1])[1]
            text = ", ".join(f"{n}={n}" for n in rest)
            yield Edit((Splice(start, end, text),), f"pass `{', '.join(rest)}` by keyword")


TEMPLATES = (positional_as_keyword,)
