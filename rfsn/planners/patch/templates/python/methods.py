"""A value used as what it is not yet, made so by one call (the fixes corpus's "call wrapped"):
a mapping unpacked into pairs read with ``.items()``, a string compared with a lower-case
literal read with ``.lower()``, a path asked a string's question read with ``str()``, a
collection stored from another object's state read with ``.copy()``, the bytes of a standard
library call decoded; and Python 2's ``e.message`` and ``x.__class__`` read by ``str`` and ``type``."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, of_type
from rfsn.planners.patch.templates.python.exprs import ATOM, substitute

#: the methods only ``str`` (and ``bytes``) have, whose receiver may be a path or a number
STR_METHODS = frozenset(
    {"startswith", "endswith", "lower", "upper", "split", "rsplit", "strip", "lstrip", "rstrip", "encode", "replace"}
)
_PLAIN = ast.Name | ast.Attribute | ast.Subscript
#: the standard library's functions that return ``bytes`` where callers often want text
BYTES_CALLS = frozenset(
    {
        "check_output",
        "b64encode",
        "b64decode",
        "urlsafe_b64encode",
        "urlsafe_b64decode",
        "standard_b64encode",
        "encodebytes",
        "hexlify",
        "b2a_base64",
    }
)


def _text(ctx: FileContext, node: ast.AST) -> str | None:
    text = ctx.map.text(node)
    return None if "\n" in text else text


def _pairs(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``for k, v in d`` (or a comprehension's) -> ``for k, v in d.items()``."""
    for node in ctx.nodes_at(line):
        if not isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            continue
        target, it = node.target, node.iter
        if isinstance(target, ast.Tuple) and len(target.elts) == 2 and isinstance(it, _PLAIN):
            text = _text(ctx, it)
            if text is not None:
                yield substitute(ctx, it, f"{text}.items()", ATOM, f"iterate over `{text}.items()`")


def _cased(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``x == "multipart"`` -> ``x.lower() == "multipart"`` (``.upper()`` for an upper-case
    literal): a comparison that should ignore the case of what it reads."""
    for node in of_type(ctx.nodes_at(line), ast.Compare):
        if not all(isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn) for op in node.ops):
            continue
        found = [
            e for o in node.comparators for e in (o.elts if isinstance(o, ast.Tuple | ast.List | ast.Set) else [o])
        ]
        words = [o.value for o in found if isinstance(o, ast.Constant) and isinstance(o.value, str)]
        word = "".join(c for w in words for c in w if c.isalpha())
        side = node.left
        if not word or not isinstance(side, _PLAIN | ast.Call) or _method(side) in ("lower", "upper", "casefold"):
            continue
        fold = "lower" if word.islower() else "upper" if word.isupper() else None
        text = _text(ctx, side)
        if fold and text is not None:
            yield substitute(ctx, side, f"{text}.{fold}()", ATOM, f"compare `{text}` ignoring its case")


def _method(node: ast.AST) -> str:
    return node.func.attr if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else ""


def _strings(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``path.endswith(".ps1")`` -> ``str(path).endswith(".ps1")``: a string's method asked of
    what may be a path (or a number)."""
    for call in of_type(ctx.nodes_at(line), ast.Call):
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr in STR_METHODS and isinstance(func.value, _PLAIN)):
            continue
        if isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
            continue
        text = _text(ctx, func.value)
        if text is not None:
            yield substitute(ctx, func.value, f"str({text})", ATOM, f"ask `str({text})`, not `{text}`")


def _copies(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``self.info = state["info"]`` -> ``state["info"].copy()``: an attribute that must not
    share (and later change) another object's collection."""
    for node in of_type(ctx.nodes_at(line), ast.Assign):
        value = node.value
        if not (len(node.targets) == 1 and isinstance(node.targets[0], ast.Attribute)):
            continue
        if isinstance(value, ast.Subscript | ast.Attribute) and node.lineno == line:
            text = _text(ctx, value)
            if text is not None:
                yield substitute(ctx, value, f"{text}.copy()", ATOM, f"store a copy of `{text}`")


def _decoded(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``base64.b64encode(m)`` -> ``base64.b64encode(m).decode("utf-8")`` (or ``.decode()``):
    the bytes of a standard library call used where text is meant."""
    for call in of_type(ctx.nodes_at(line), ast.Call):
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        parent = ctx.parents.get(call)
        if name not in BYTES_CALLS or (isinstance(parent, ast.Attribute) and parent.attr == "decode"):
            continue
        end = ctx.map.span(call)[1]
        for text in ('.decode("utf-8")', ".decode()"):
            yield Edit((Splice(end, end, text),), f"decode the bytes of `{name}(...)`: `{text}`")


def _caught_names(ctx: FileContext) -> set[str]:
    if "caught_names" not in ctx.cache:
        ctx.cache["caught_names"] = {h.name for h in ast.walk(ctx.tree) if isinstance(h, ast.ExceptHandler) and h.name}
    return ctx.cache["caught_names"]


def _builtin_reads(ctx: FileContext, line: int) -> Iterator[Edit]:
    """Python 2's attributes read by a builtin: ``e.message`` -> ``str(e)`` (an exception caught
    in the file), ``x.__class__`` -> ``type(x)``."""
    for node in of_type(ctx.nodes_at(line), ast.Attribute):
        if not isinstance(node.ctx, ast.Load) or not isinstance(node.value, ast.Name):
            continue
        name = node.value.id
        if node.attr == "__class__" or (node.attr == "message" and name in _caught_names(ctx)):
            call = "type" if node.attr == "__class__" else "str"
            yield substitute(ctx, node, f"{call}({name})", ATOM, f"read `{call}({name})`, not `{name}.{node.attr}`")


@template("append_method", 0.3)
def append_method(ctx: FileContext, line: int) -> Iterator[Edit]:
    """One call that makes a value what its place uses it as: ``.items()`` for pairs,
    ``.lower()``/``.upper()`` for a case-blind comparison, ``str()`` for a string's method,
    ``.copy()`` for a stored collection, ``.decode()`` for a call's bytes; ``str(e)``, ``type(x)``
    for Python 2's attributes."""
    yield from _pairs(ctx, line)
    yield from _cased(ctx, line)
    yield from _strings(ctx, line)
    yield from _copies(ctx, line)
    yield from _decoded(ctx, line)
    yield from _builtin_reads(ctx, line)


def chains(ctx: FileContext) -> dict[str, dict[str, None]]:
    """For each method name, the calls the file chains onto its result (``.strip()`` ->
    ``.lstrip('=')``, ``.decode('ascii')`` -> ``.strip()``), in the file's order, once a file."""
    if "chains" not in ctx.cache:
        found: dict[str, dict[str, None]] = {}
        for node in ast.walk(ctx.tree):
            inner = node.func.value if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else None
            if isinstance(inner, ast.Call) and _method(inner):
                start, end = ctx.map.span(inner)[1], ctx.map.span(node)[1]
                text = ctx.source[start:end]
                if "\n" not in text:
                    found.setdefault(_method(inner), {})[text] = None
        ctx.cache["chains"] = found
    return ctx.cache["chains"]


@template("append_chained_call", 0.3)
def append_chained_call(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``line.strip()`` -> ``line.strip().lstrip('=')`` where the file chains that call onto another
    ``.strip()``: a step the code takes after the same method elsewhere."""
    known = chains(ctx)
    for call in of_type(ctx.nodes_at(line), ast.Call):
        parent = ctx.parents.get(call)
        after = parent.attr if isinstance(parent, ast.Attribute) else None
        end = ctx.map.span(call)[1]
        for text in known.get(_method(call), {}):
            if text.split("(", 1)[0] != f".{after}":
                yield Edit((Splice(end, end, text),), f"chain `{text}` onto `.{_method(call)}(...)`")


TEMPLATES = (append_method, append_chained_call)
