"""Token-level repair templates for C-like languages, applied at one line.

Each template is ``(TokenContext, line) -> Iterable[Edit]``; edits never touch
string or comment tokens because they only ever splice code tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations, pairwise
from typing import TYPE_CHECKING, Any

from rfsn.planners.candidates import Splice
from rfsn.planners.templates.python.base import Edit, template
from rfsn.planners.templates.tokens import Token, code_tokens, tokenize

if TYPE_CHECKING:  # the call index reads files into TokenContexts, so it imports this module
    from rfsn.planners.templates.token_calls import ProjectCalls

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
_OPEN, _CLOSE = {"(": ")", "[": "]", "{": "}"}, {")": "(", "]": "[", "}": "{"}
_KEYWORDS = set(
    [
        "if",
        "else",
        "for",
        "while",
        "return",
        "let",
        "const",
        "var",
        "mut",
        "fn",
        "function",
        "new",
        "class",
        "match",
        "loop",
        "break",
        "continue",
        "true",
        "false",
        "null",
        "undefined",
        "this",
        "self",
        "Self",
        "pub",
        "use",
        "mod",
        "impl",
        "struct",
        "enum",
        "trait",
        "where",
        "as",
        "in",
        "of",
        "typeof",
        "instanceof",
        "void",
        "async",
        "await",
        "static",
        "func",
        "package",
        "import",
        "type",
        "interface",
        "switch",
        "case",
        "default",
        "try",
        "catch",
        "finally",
        "throw",
        "throws",
        "public",
        "private",
        "protected",
        "final",
        "int",
        "long",
        "double",
        "float",
        "boolean",
        "char",
        "string",
        "usize",
        "isize",
        "u8",
        "u32",
        "u64",
        "i32",
        "i64",
        "f64",
        "bool",
        "Some",
        "None",
        "Ok",
        "Err",
        "go",
        "defer",
        "chan",
        "map",
        "range",
        "nil",
    ]
)


@dataclass
class TokenContext:
    path: str
    source: str
    language: str
    #: the call sites of the project's files in this language (None: not indexed)
    project: ProjectCalls | None = None
    #: what templates compute once per file and share
    cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def tokens(self) -> list[Token]:
        return code_tokens(tokenize(self.source, self.language))

    def on_line(self, line: int) -> list[int]:
        return [i for i, t in enumerate(self.tokens) if t.line == line]

    @cached_property
    def called_names(self) -> set[str]:
        toks = self.tokens
        return {t.text for t, n in pairwise(toks) if t.kind == "ident" and n.text == "("}

    @cached_property
    def members(self) -> dict[str, bool]:
        """Names used after ``.``: name -> called with no arguments (``.len()``)."""
        out: dict[str, bool] = {}
        toks = self.tokens
        for i in range(1, len(toks) - 1):
            if toks[i - 1].text == "." and toks[i].kind == "ident":
                empty_call = (
                    i + 2 < len(toks) and toks[i + 1].text == "(" and toks[i + 2].text == ")"
                )
                out[toks[i].text] = out.get(toks[i].text, False) or empty_call
        return out

    def match(self, i: int) -> int:
        """Index of the bracket closing (or opening) the one at ``i``."""
        toks = self.tokens
        forward = toks[i].text in _OPEN
        step, opening, closing = (1, _OPEN, _CLOSE) if forward else (-1, _CLOSE, _OPEN)
        depth, j = 0, i
        while 0 <= j < len(toks):
            depth += (toks[j].text in opening) - (toks[j].text in closing)
            if depth == 0:
                return j
            j += step
        return i

    def text(self, i: int, j: int) -> str:
        """Source text from token ``i`` to token ``j`` inclusive."""
        return self.source[self.tokens[i].start : self.tokens[j].end]


def _sub(ctx: TokenContext, i: int, new: str, what: str | None = None) -> Edit:
    tok = ctx.tokens[i]
    return Edit((Splice(tok.start, tok.end, new),), what or f"replace `{tok.text}` with `{new}`")


def _ops(table: Mapping[str, tuple[str, ...]]) -> Callable[[TokenContext, int], Iterator[Edit]]:
    def fn(ctx: TokenContext, line: int) -> Iterator[Edit]:
        for i in ctx.on_line(line):
            tok = ctx.tokens[i]
            if tok.kind == "op" and not (tok.text in "<>" and _generic(ctx, i)):
                for new in table.get(tok.text, ()):
                    yield _sub(ctx, i, new)

    return fn


def _generic(ctx: TokenContext, i: int) -> bool:
    """``Vec<T>`` / ``Map<K, V>``: an angle bracket right after a capitalised type name."""
    prev = ctx.tokens[i - 1] if i else None
    return bool(
        prev and prev.kind == "ident" and prev.text[:1].isupper() and ctx.tokens[i].text == "<"
    )


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
                    yield _sub(ctx, i, str(new))


def call_arguments(ctx: TokenContext, open_i: int) -> list[tuple[int, int]]:
    """(first, last) token indexes of each top-level argument of the call at ``open_i``."""
    close = ctx.match(open_i)
    args, start, i = [], open_i + 1, open_i + 1
    while i < close:
        text = ctx.tokens[i].text
        if text in _OPEN:
            i = ctx.match(i)
        elif text == ",":
            args.append((start, i - 1))
            start = i + 1
        i += 1
    if start <= close - 1:
        args.append((start, close - 1))
    return [a for a in args if a[0] <= a[1]]


def _calls(ctx: TokenContext, line: int) -> Iterator[tuple[int, int]]:
    """(name index, open-paren index) of calls starting on the line."""
    toks = ctx.tokens
    for i in ctx.on_line(line):
        is_call = i + 1 < len(toks) and toks[i + 1].text == "("
        if toks[i].kind == "ident" and is_call and toks[i].text not in _KEYWORDS:
            yield i, i + 1


@template("tok_swap_arguments", 0.75)
def swap_arguments(ctx: TokenContext, line: int) -> Iterator[Edit]:
    for _, open_i in _calls(ctx, line):
        for (a0, a1), (b0, b1) in combinations(call_arguments(ctx, open_i), 2):
            ta, tb = ctx.text(a0, a1), ctx.text(b0, b1)
            if ta != tb:
                splices = (
                    Splice(ctx.tokens[a0].start, ctx.tokens[a1].end, tb),
                    Splice(ctx.tokens[b0].start, ctx.tokens[b1].end, ta),
                )
                yield Edit(splices, f"swap arguments `{ta}` and `{tb}`")
