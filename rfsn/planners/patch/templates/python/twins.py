"""A call that forgot a keyword argument its twin passes: two calls of a file that pass mostly
the same keywords (a sync and an async transport built alike, an option and an argument
built from the same settings) and one lacks a keyword the other has (the fixes corpus's
"keyword argument added <- keyword elsewhere in file")."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, of_type
from rfsn.planners.patch.templates.python.scope import BUILTIN_NAMES, module_names, names_before

#: keywords two calls must share to be twins (and at least half of the call's own)
MIN_SHARED = 2


def _named(call: ast.Call) -> list[str]:
    return [k.arg for k in call.keywords if k.arg]


def _calls(ctx: FileContext) -> list[ast.Call]:
    """The file's calls that pass keywords by name (indexed once a file)."""
    if "keyword_calls" not in ctx.cache:
        ctx.cache["keyword_calls"] = [
            n for n in ast.walk(ctx.tree) if isinstance(n, ast.Call) and len(_named(n)) >= MIN_SHARED
        ]
    return ctx.cache["keyword_calls"]


def _twins(ctx: FileContext, call: ast.Call) -> Iterator[ast.Call]:
    mine = set(_named(call))
    for other in _calls(ctx):
        shared = mine & set(_named(other))
        if other is not call and len(shared) >= MIN_SHARED and 2 * len(shared) >= len(mine):
            yield other


def _where(ctx: FileContext, call: ast.Call, twin: ast.Call, name: str) -> tuple[int, str]:
    """Where the keyword ``name`` goes in ``call``: after the keyword it follows in ``twin``, or
    before the one it precedes there, or last; and the text's separator side."""
    order = _named(twin)
    mine = {k.arg: k for k in call.keywords if k.arg}
    at = order.index(name)
    if at > 0 and order[at - 1] in mine:
        return ctx.map.span(mine[order[at - 1]])[1], "before"
    if at + 1 < len(order) and order[at + 1] in mine:
        return ctx.map.span(mine[order[at + 1]])[0], "after"
    return ctx.map.span(call.keywords[-1])[1], "before"


@template("twin_keyword", 0.35)
def twin_keyword(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``f(a=o.a, b=o.b)`` -> ``f(a=o.a, b=o.b, c=o.c)`` when a twin call of the file passes
    ``c=o.c`` and the names its value reads are in scope here."""
    scope = {*names_before(ctx, line), *module_names(ctx), *BUILTIN_NAMES, "self", "cls"}
    for call in of_type(ctx.nodes_at(line), ast.Call):
        if len(_named(call)) < MIN_SHARED or any(k.arg is None for k in call.keywords):
            continue
        seen = set(_named(call))
        for twin in _twins(ctx, call):
            for keyword in twin.keywords:
                value = ctx.map.text(keyword.value)
                names = {n.id for n in ast.walk(keyword.value) if isinstance(n, ast.Name)}
                if keyword.arg is None or keyword.arg in seen or "\n" in value or not names <= scope:
                    continue
                seen.add(keyword.arg)
                at, side = _where(ctx, call, twin, keyword.arg)
                text = f", {keyword.arg}={value}" if side == "before" else f"{keyword.arg}={value}, "
                yield Edit((Splice(at, at, text),), f"pass `{keyword.arg}={value}` as a twin call does")


TEMPLATES = (twin_keyword,)
