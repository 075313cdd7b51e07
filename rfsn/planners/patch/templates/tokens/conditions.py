"""A negation dropped or added in a C-like language: ``!x`` -> ``x``, and ``x`` -> ``!x`` for an
operand of an ``if``/``while`` condition that is a name, member, call or index chain (an
operand with an operator of its own is the operator templates' to change)."""

from __future__ import annotations

from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.tokens.context import OPEN, TokenContext

#: what may follow a unary ``!``: the start of an operand
_OPERAND = frozenset({"ident", "number", "string"})
#: the tokens a name, member, call or index chain is made of, besides bracketed groups
_CHAIN = frozenset({".", "?.", "::"})
#: the most tokens a condition without parentheses is read for before its block's ``{``
_LONGEST = 200


@template("tok_negate_condition", 0.65)
def negate_condition(ctx: TokenContext, line: int) -> Iterator[Edit]:
    toks = ctx.tokens
    for i in ctx.on_line(line):
        if toks[i].text == "!" and _unary(ctx, i):
            yield Edit((Splice(toks[i].start, toks[i].end, ""),), f"drop the negation of `{_operand_text(ctx, i + 1)}`")
    for start, end in _operands(ctx, line):
        if _chain(ctx, start, end):
            yield Edit((Splice(toks[start].start, toks[start].start, "!"),), f"negate `{ctx.text(start, end)}`")


def _unary(ctx: TokenContext, i: int) -> bool:
    """Whether the ``!`` at ``i`` negates what follows: not a macro's (``println!``), not a
    non-null assertion (``x!``), and an operand after it."""
    toks = ctx.tokens
    before = toks[i - 1] if i else None
    after = toks[i + 1] if i + 1 < len(toks) else None
    if after is None or not (after.kind in _OPERAND or after.text in ("(", "!")):
        return False
    if before is None:
        return True
    if before.kind == "ident":
        return before.text in ctx.keywords
    return before.kind == "op" and before.text not in (")", "]")


def _operand_text(ctx: TokenContext, i: int) -> str:
    """The chain starting at ``i`` (for the description): ``strings.Contains(literal, x)``."""
    toks, end = ctx.tokens, i
    while end + 2 < len(toks):
        if toks[end + 1].text in ("(", "["):
            end = ctx.match(end + 1)
        elif toks[end + 1].text in _CHAIN and toks[end + 2].kind == "ident":
            end += 2
        else:
            break
    return ctx.text(i, end)


def _conditions(ctx: TokenContext, line: int) -> Iterator[tuple[int, int]]:
    """(first, last) tokens of each ``if``/``while`` condition starting on ``line``: inside its
    parentheses, or up to the block's ``{`` (Go, Rust)."""
    toks = ctx.tokens
    for i in ctx.on_line(line):
        if toks[i].text not in ("if", "while") or i + 1 >= len(toks):
            continue
        if toks[i + 1].text == "(" and ctx.language not in ("go", "rust"):
            yield i + 2, ctx.match(i + 1) - 1
            continue
        j = i + 1
        while j < min(len(toks), i + _LONGEST) and toks[j].text != "{":
            j = ctx.match(j) + 1 if toks[j].text in ("(", "[") else j + 1
        if j < len(toks) and toks[j].text == "{":
            yield i + 1, j - 1


def _operands(ctx: TokenContext, line: int) -> Iterator[tuple[int, int]]:
    """(first, last) tokens of each ``&&``/``||`` operand of the conditions on ``line``."""
    toks = ctx.tokens
    for first, last in _conditions(ctx, line):
        start, j = first, first
        while j <= last:
            if toks[j].text in OPEN:
                j = ctx.match(j)
            elif toks[j].text in ("&&", "||"):
                yield start, j - 1
                start = j + 1
            j += 1
        yield start, last


def _chain(ctx: TokenContext, start: int, end: int) -> bool:
    """Whether tokens ``start``..``end`` are one name, member, call or index chain."""
    toks = ctx.tokens
    if start > end or toks[start].kind != "ident" or toks[start].text in ctx.keywords:
        return False
    j = start
    while j <= end:
        tok = toks[j]
        if tok.text in ("(", "["):
            j = ctx.match(j)
        elif not (tok.kind == "ident" or tok.text in _CHAIN):
            return False
        j += 1
    return True
