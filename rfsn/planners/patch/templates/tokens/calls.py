"""Token-level template for a call missing its last argument (``list.splice(i)`` ->
``list.splice(i, 1)``), proposed only with evidence that an argument is missing.

The evidence is either call-site consensus (most other calls of the same name in
the project pass more arguments) or a JavaScript built-in whose optional trailing
parameter is a classic omission (``splice``'s delete count, ``reduce``'s initial
value, ``sort``'s comparator). "Method call with a different number of
parameters" is one of the frequent one-step fix patterns (Pan et al. 2009; TBar's
"insert missing argument"); without such evidence the blind ``tok_add_argument``
still tries ``1`` and ``0`` at a low prior.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.tokens.context import (
    TokenContext,
    call_arguments,
    calls_on_line,
)

#: (built-in method, arguments given) -> values of the optional parameter that comes next
OPTIONAL_NEXT: dict[tuple[str, int], tuple[str, ...]] = {
    ("splice", 1): ("1", "0"),
    ("reduce", 1): ("0", "[]", "{}", "''"),
    ("reduceRight", 1): ("0", "[]", "''"),
    ("sort", 0): ("(a, b) => a - b", "(a, b) => b - a"),
    ("toFixed", 0): ("2", "1"),
    ("padStart", 1): ("'0'",),
    ("split", 0): ("''", "' '"),
    ("join", 0): ("''", "' '"),
    ("fill", 0): ("0", "null"),
    ("flat", 0): ("Infinity",),
}
#: small literals worth trying where the project's other calls pass one more argument
SMALL_LITERALS = ("1", "0", "true", "false", "-1")
#: small literals worth trying where the project's other calls pass one more argument
SMALL_LITERALS = ("1", "0", "true", "false", "-1")


def _in_scope(ctx: TokenContext, line: int, text: str, window: int = 40) -> bool:
    """A short single-line argument whose names all occur near ``line`` (or none: a literal)."""
    if len(text) > 40 or "\n" in text:
        return False
    near = {t.text for t in ctx.tokens if abs(t.line - line) <= window and t.kind == "ident"}
    mine = TokenContext("", text, ctx.language).tokens
    return all(t.text in near or t.text in ctx.keywords for t in mine if t.kind == "ident")


def _consensus(ctx: TokenContext, line: int, name: str, method: bool, given: int) -> list[str]:
    """Values for argument number ``given`` when most other calls of ``name`` pass more:
    theirs where its names are in scope here, else small literals."""
    if ctx.project is None:
        return []
    sites = ctx.project.sites.get((name, method), [])
    longer = [args for args in sites if len(args) > given]
    others = len(sites) - 1  # this call is one of the sites
    if not longer or 2 * len(longer) < others:
        return []
    seen = Counter(args[given] for args in longer)
    used = [text for text, _ in seen.most_common() if _in_scope(ctx, line, text)]
    return used or list(SMALL_LITERALS)


@template("tok_add_missing_argument", 0.7)
def add_missing_argument(ctx: TokenContext, line: int) -> Iterator[Edit]:
    """``xs.splice(i)`` -> ``xs.splice(i, 1)``; ``f(a)`` -> ``f(a, b)`` where other calls pass two."""
    toks = ctx.tokens
    js = ctx.language in ("javascript", "typescript")
    for name_i, open_i in calls_on_line(ctx, line):
        name = toks[name_i].text
        method = name_i > 0 and toks[name_i - 1].text in (".", "?.")
        args = call_arguments(ctx, open_i)
        values = _consensus(ctx, line, name, method, len(args))
        if js and method:
            values = [*OPTIONAL_NEXT.get((name, len(args)), ()), *values]
        at, sep = (toks[args[-1][1]].end, ", ") if args else (toks[open_i].end, "")
        for value in dict.fromkeys(values):
            yield Edit((Splice(at, at, f"{sep}{value}"),), f"add argument `{value}` to `{name}`")
