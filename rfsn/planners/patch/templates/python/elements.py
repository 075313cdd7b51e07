"""An element dropped from a list, tuple or set display or an argument from a call (``['ucrt',
'vcruntime140']`` -> ``['vcruntime140']``, ``__init__(self, *args)`` -> ``__init__(*args)``): the
fix shapes "element removed" and "argument removed" of the fixes corpus (benchmarks/fixes)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from itertools import pairwise

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, header_nodes
from rfsn.planners.patch.templates.python.formats import string_tokens


def _items(node: ast.AST) -> list[ast.expr | ast.keyword]:
    """The elements of a display (two at least: none left empty) or a call's arguments, in order."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return list[ast.expr | ast.keyword](node.elts) if len(node.elts) > 1 else []
    if isinstance(node, ast.Call):
        return sorted([*node.args, *node.keywords], key=lambda n: (n.lineno, n.col_offset))
    return []


@template("drop_element", 0.2)
def drop_element(ctx: FileContext, line: int) -> Iterator[Edit]:
    """Each element (argument) on ``line`` of a display (call) of the statement there, dropped
    with its comma: a value listed, passed or unpacked that must not be."""
    stmt = ctx.statement_at(line)
    if stmt is None:
        return
    for node in header_nodes(stmt):
        items = _items(node)
        for i, item in enumerate(items):
            if not item.lineno <= line <= (item.end_lineno or item.lineno):
                continue
            if i + 1 < len(items):
                start, end = ctx.map.span(item)[0], ctx.map.span(items[i + 1])[0]
            elif i:
                start, end = ctx.map.span(items[i - 1])[1], ctx.map.span(item)[1]
            else:  # a call's only argument
                start, end = ctx.map.span(item)
            yield Edit((Splice(start, end, ""),), f"drop `{ctx.map.text(item)}`")


@template("split_concatenation", 0.3)
def split_concatenation(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``['UUID', 'FloatRange'\n 'Tuple']`` -> ``['UUID', 'FloatRange',\n 'Tuple']``: a comma
    missing at a line's end between two strings of a display or a call, which Python joins."""
    stmt = ctx.statement_at(line)
    if stmt is None:
        return
    for node in header_nodes(stmt):
        elements = node.elts if isinstance(node, ast.List | ast.Tuple | ast.Set) else getattr(node, "args", [])
        for element in elements if isinstance(node, ast.List | ast.Tuple | ast.Set | ast.Call) else []:
            if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
                continue
            tokens = string_tokens(ctx, element)
            for (_, _, end, where), after in pairwise(tokens):
                if where == line and after[3] > where:
                    yield Edit((Splice(end, end, ","),), "split the strings Python joins: a comma missing")


TEMPLATES = (drop_element, split_concatenation)
