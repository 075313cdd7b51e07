"""Token-level templates about names and operands: similar functions, swapped
comparison operands, widened operands, added call arguments."""

from __future__ import annotations

from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.code.lexer import Token
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.similar import SIMILAR
from rfsn.planners.patch.templates.tokens.context import (
    CLOSE,
    TokenContext,
    call_arguments,
    calls_on_line,
    substitute,
)
from rfsn.planners.patch.templates.tokens.ops import ARITY, COMPARATOR_METHODS, COMPARISON, EXTRA_SIMILAR


def _similar_names(ctx: TokenContext, name: str) -> list[str]:
    known = [*EXTRA_SIMILAR.get(name, []), *SIMILAR.get(name, [])]
    return list(dict.fromkeys(n for n in known if n != name))


@template("tok_similar_call", 0.75)
def similar_call(ctx: TokenContext, line: int) -> Iterator[Edit]:
    """``parseInt`` -> ``parseFloat``, ``min`` -> ``max``, ``push`` -> ``unshift``, ..."""
    for name_i, open_i in calls_on_line(ctx, line):
        name = ctx.tokens[name_i].text
        args = call_arguments(ctx, open_i)
        for other in _similar_names(ctx, name):
            edit = substitute(ctx, name_i, other)
            keep = ARITY.get(other)
            if keep is not None and len(args) > keep:
                drop_from = ctx.tokens[args[keep - 1][1]].end
                drop_to = ctx.tokens[args[-1][1]].end
                edit = Edit((*edit.splices, Splice(drop_from, drop_to, "")), edit.description)
            yield edit


def operand_start(ctx: TokenContext, end: int) -> int:
    """First token of the postfix chain (``a.b[0].c``) ending at token ``end``."""
    toks, i = ctx.tokens, end
    while i >= 0:
        if toks[i].text in CLOSE:
            i = ctx.match(i) - 1
            continue
        if toks[i].kind in ("ident", "number") and toks[i].text not in ctx.keywords:
            if i and toks[i - 1].text in (".", "::"):
                i -= 2
                continue
            return i
        return i + 1
    return 0


def _operand_end(ctx: TokenContext, start: int) -> int:
    toks, i = ctx.tokens, start
    while toks[i].text in ("&", "*", "!", "-") and i + 1 < len(toks):
        i += 1
    while i + 1 < len(toks):
        nxt = toks[i + 1].text
        if nxt in ("(", "["):
            i = ctx.match(i + 1)
        elif nxt in (".", "::") and i + 2 < len(toks) and toks[i + 2].kind in ("ident", "number"):
            i += 2
        else:
            break
    return i


def _swap_spans(ctx: TokenContext, a: tuple[int, int], b: tuple[int, int], what: str) -> Edit:
    ta, tb = ctx.text(*a), ctx.text(*b)
    toks = ctx.tokens
    splices = (
        Splice(toks[a[0]].start, toks[a[1]].end, tb),
        Splice(toks[b[0]].start, toks[b[1]].end, ta),
    )
    return Edit(splices, f"swap {what} `{ta}` and `{tb}`")


@template("tok_swap_comparison_operands", 0.7)
def swap_comparison_operands(ctx: TokenContext, line: int) -> Iterator[Edit]:
    """``a < b`` -> ``b < a``; ``x.cmp(&y)`` -> ``y.cmp(&x)`` (and compareTo, ...)."""
    toks = ctx.tokens
    for i in ctx.on_line(line):
        tok = toks[i]
        if tok.kind == "op" and tok.text in COMPARISON and tok.text not in ("==", "!=", "===", "!=="):
            left, right = (operand_start(ctx, i - 1), i - 1), (i + 1, _operand_end(ctx, i + 1))
            if left[0] <= left[1] and right[0] <= right[1]:
                yield _swap_spans(ctx, left, right, "operands")
        if tok.kind == "ident" and tok.text in COMPARATOR_METHODS and toks[i - 1].text == ".":
            args = call_arguments(ctx, i + 1) if toks[i + 1].text == "(" else []
            if len(args) == 1:
                receiver = (operand_start(ctx, i - 2), i - 2)
                a0, a1 = args[0]
                while toks[a0].text in ("&", "*") and a0 < a1:
                    a0 += 1
                yield _swap_spans(ctx, receiver, (a0, a1), "compared values")


def _nearby_identifiers(ctx: TokenContext, line: int, window: int = 15) -> list[str]:
    toks = ctx.tokens
    names = [
        t.text for i, t in enumerate(toks)
        if abs(t.line - line) <= window and t.kind == "ident" and t.text not in ctx.keywords
        and not (i and toks[i - 1].text in (".", "::"))
        and not (i + 1 < len(toks) and toks[i + 1].text in ("(", "::"))
        and not t.text[:1].isupper()
    ]  # fmt: skip
    return list(dict.fromkeys(names))


def _with_neighbours(ctx: TokenContext, line: int) -> Iterator[tuple[int, Token, list[str]]]:
    """Each token on the line that names a nearby variable, with the other nearby variables."""
    nearby = _nearby_identifiers(ctx, line)
    for i in ctx.on_line(line):
        tok = ctx.tokens[i]
        if tok.kind == "ident" and tok.text in nearby:
            yield i, tok, [other for other in nearby if other != tok.text]


@template("tok_replace_identifier", 0.5)
def replace_identifier(ctx: TokenContext, line: int) -> Iterator[Edit]:
    """A variable on the line -> another variable used nearby."""
    for i, _, others in _with_neighbours(ctx, line):
        if not (i and ctx.tokens[i - 1].text in (".", "::")):
            for other in others:
                yield substitute(ctx, i, other)


@template("tok_widen_operand", 0.4)
def widen_operand(ctx: TokenContext, line: int) -> Iterator[Edit]:
    """``q / buy`` -> ``q / (buy + free)``: combine an arithmetic operand with a neighbour."""
    toks = ctx.tokens
    for i, tok, others in _with_neighbours(ctx, line):
        if not i or toks[i - 1].text not in ("/", "*", "%", "+", "-") or toks[i + 1].text in (".", "("):
            continue
        for other in others:
            for op in ("+", "-"):
                yield substitute(ctx, i, f"({tok.text} {op} {other})")


@template("tok_add_argument", 0.35)
def add_argument(ctx: TokenContext, line: int) -> Iterator[Edit]:
    """``list.splice(i)`` -> ``list.splice(i, 1)``: append a small literal argument."""
    toks = ctx.tokens
    for name_i, open_i in calls_on_line(ctx, line):
        args = call_arguments(ctx, open_i)
        if not args or toks[name_i].text in ctx.keywords:
            continue
        at = toks[args[-1][1]].end
        for literal in ("1", "0"):
            yield Edit((Splice(at, at, f", {literal}"),), f"add argument `{literal}`")
