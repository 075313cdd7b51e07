"""Token-level repair templates for C-like languages, applied at one line: operators,
integer literals, argument order.

Each template is ``(TokenContext, line) -> Iterable[Edit]``; edits never touch
string or comment tokens because they only ever splice code tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from itertools import combinations

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.tokens.context import (
    TokenContext,
    call_arguments,
    calls_on_line,
    substitute,
)

COMPARISON = {
    "<": ("<=", ">", "!="), "<=": ("<", ">="), ">": (">=", "<", "!="), ">=": (">", "<="),
    "==": ("!=",), "!=": ("==",), "===": ("!==",), "!==": ("===",),
}  # fmt: skip
ARITHMETIC = {"+": ("-",), "-": ("+",), "*": ("/",), "/": ("*", "%"), "%": ("/",)}
LOGICAL = {"&&": ("||",), "||": ("&&",)}
EXTRA_SIMILAR = {
    "parseInt": ["parseFloat", "Number"], "parseFloat": ["parseInt", "Number"],
    "push": ["unshift"], "unshift": ["push"], "shift": ["pop"], "floor": ["ceil", "round", "trunc"],
    "ceil": ["floor", "round"], "round": ["floor", "ceil"], "some": ["every"], "every": ["some"],
    "slice": ["splice"], "indexOf": ["lastIndexOf", "includes"], "cmp": ["partial_cmp"],
    "then_with": ["then"], "iter": ["iter_mut", "into_iter"], "trim_start": ["trim_end", "trim"],
    "sort_by": ["sort_unstable_by"], "first": ["last"], "last": ["first"], "unwrap_or": ["unwrap_or_default"],
}  # fmt: skip
ARITY = {"parseFloat": 1, "Number": 1, "floor": 1, "ceil": 1, "round": 1, "trunc": 1}
COMPARATOR_METHODS = {"cmp", "partial_cmp", "compareTo", "localeCompare", "compare"}


def _ops(table: Mapping[str, tuple[str, ...]]) -> Callable[[TokenContext, int], Iterator[Edit]]:
    def fn(ctx: TokenContext, line: int) -> Iterator[Edit]:
        for i in ctx.on_line(line):
            tok = ctx.tokens[i]
            if tok.kind == "op" and not (tok.text in "<>" and _generic(ctx, i)):
                for new in table.get(tok.text, ()):
                    yield substitute(ctx, i, new)

    return fn


def _generic(ctx: TokenContext, i: int) -> bool:
    """``Vec<T>`` / ``Map<K, V>``: an angle bracket right after a capitalised type name."""
    prev = ctx.tokens[i - 1] if i else None
    return bool(prev and prev.kind == "ident" and prev.text[:1].isupper() and ctx.tokens[i].text == "<")


comparison_operator = template("tok_comparison_operator", 0.9)(_ops(COMPARISON))
arithmetic_operator = template("tok_arithmetic_operator", 0.8)(_ops(ARITHMETIC))
logical_operator = template("tok_logical_operator", 0.85)(_ops(LOGICAL))


@template("tok_integer_off_by_one", 0.7)
def integer_off_by_one(ctx: TokenContext, line: int) -> Iterator[Edit]:
    for i in ctx.on_line(line):
        tok = ctx.tokens[i]
        if tok.kind == "number" and tok.text.isdigit():
            for new in (int(tok.text) + 1, int(tok.text) - 1):
                if new >= 0:
                    yield substitute(ctx, i, str(new))


@template("tok_swap_arguments", 0.75)
def swap_arguments(ctx: TokenContext, line: int) -> Iterator[Edit]:
    for _, open_i in calls_on_line(ctx, line):
        for (a0, a1), (b0, b1) in combinations(call_arguments(ctx, open_i), 2):
            ta, tb = ctx.text(a0, a1), ctx.text(b0, b1)
            if ta != tb:
                splices = (
                    Splice(ctx.tokens[a0].start, ctx.tokens[a1].end, tb),
                    Splice(ctx.tokens[b0].start, ctx.tokens[b1].end, ta),
                )
                yield Edit(splices, f"swap arguments `{ta}` and `{tb}`")
