"""How the token templates see one file of a C-like language: its code tokens, brackets,
calls, and the call sites of the whole project (for consensus on arguments and receivers).

Shared by every token template module; it imports none of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from typing import Any

from rfsn.buildpacks.languages import keywords
from rfsn.planners.code.candidates import Splice
from rfsn.planners.code.lexer import Token, code_tokens, language_of, tokenize
from rfsn.planners.patch.templates.edit import Edit

OPEN, CLOSE = {"(": ")", "[": "]", "{": "}"}, {")": "(", "]": "[", "}": "{"}


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
    def keywords(self) -> frozenset[str]:
        """The words this file's language reserves (its ecosystem's; every one's if it has none):
        ``type``, ``match`` and ``of`` are keywords of Go or Rust and ordinary names in JavaScript."""
        return keywords(self.language)

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
                empty_call = i + 2 < len(toks) and toks[i + 1].text == "(" and toks[i + 2].text == ")"
                out[toks[i].text] = out.get(toks[i].text, False) or empty_call
        return out

    def match(self, i: int) -> int:
        """Index of the bracket closing (or opening) the one at ``i``."""
        toks = self.tokens
        forward = toks[i].text in OPEN
        step, opening, closing = (1, OPEN, CLOSE) if forward else (-1, CLOSE, OPEN)
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


def substitute(ctx: TokenContext, i: int, new: str, what: str | None = None) -> Edit:
    tok = ctx.tokens[i]
    return Edit((Splice(tok.start, tok.end, new),), what or f"replace `{tok.text}` with `{new}`")


def call_arguments(ctx: TokenContext, open_i: int) -> list[tuple[int, int]]:
    """(first, last) token indexes of each top-level argument of the call at ``open_i``."""
    close = ctx.match(open_i)
    args, start, i = [], open_i + 1, open_i + 1
    while i < close:
        text = ctx.tokens[i].text
        if text in OPEN:
            i = ctx.match(i)
        elif text == ",":
            args.append((start, i - 1))
            start = i + 1
        i += 1
    if start <= close - 1:
        args.append((start, close - 1))
    return [a for a in args if a[0] <= a[1]]


def calls_on_line(ctx: TokenContext, line: int) -> Iterator[tuple[int, int]]:
    """(name index, open-paren index) of calls starting on the line."""
    toks = ctx.tokens
    for i in ctx.on_line(line):
        is_call = i + 1 < len(toks) and toks[i + 1].text == "("
        if toks[i].kind == "ident" and is_call and toks[i].text not in ctx.keywords:
            yield i, i + 1


#: files larger than this are not read for call sites (generated or vendored code), and
#: reading stops past the total (about 0.4 s per million characters)
MAX_FILE_CHARS = 200_000
MAX_PROJECT_CHARS = 4_000_000
_FAMILY = {"typescript": "javascript"}


@dataclass
class ProjectCalls:
    """Every call site in the project's files of one language family:
    (callee name, called as a method) -> the argument texts of each call."""

    sites: dict[tuple[str, bool], list[tuple[str, ...]]] = field(default_factory=dict)
    #: a plain receiver (``strings``, ``Math``, ``path``) -> how often each method is called on it
    receivers: dict[str, Counter[str]] = field(default_factory=dict)
    #: a plain receiver (``flag``, ``opts``) -> how often each field is read or written on it
    fields: dict[str, Counter[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, files: Mapping[str, str], language: str) -> ProjectCalls:
        family = _FAMILY.get(language, language)
        index, read = cls(), 0
        for path, source in files.items():
            other = language_of(path)
            if other is None or _FAMILY.get(other, other) != family or len(source) > MAX_FILE_CHARS:
                continue
            read += len(source)
            if read > MAX_PROJECT_CHARS:
                break
            ctx = TokenContext(path, source, other)
            for name_i, open_i in _all_calls(ctx):
                method = name_i > 0 and ctx.tokens[name_i - 1].text in (".", "?.")
                args = tuple(ctx.text(a, b) for a, b in call_arguments(ctx, open_i))
                index.sites.setdefault((ctx.tokens[name_i].text, method), []).append(args)
                receiver = plain_receiver(ctx, name_i) if method else None
                if receiver is not None:
                    index.receivers.setdefault(receiver, Counter())[ctx.tokens[name_i].text] += 1
            for i in field_accesses(ctx):
                receiver = plain_receiver(ctx, i)
                if receiver is not None:
                    index.fields.setdefault(receiver, Counter())[ctx.tokens[i].text] += 1
        return index


def field_accesses(ctx: TokenContext, line: int | None = None) -> Iterator[int]:
    """Indexes of the member names after ``.`` that are not called (``flag.DefValue``), on
    ``line`` or in the whole file."""
    toks = ctx.tokens
    for i in ctx.on_line(line) if line is not None else range(len(toks)):
        if (
            i > 1
            and toks[i].kind == "ident"
            and toks[i - 1].text in (".", "?.")
            and not (i + 1 < len(toks) and toks[i + 1].text == "(")
        ):
            yield i


def plain_receiver(ctx: TokenContext, name_i: int) -> str | None:
    """The receiver of the method named at ``name_i`` when it is one bare name
    (``strings.HasPrefix``, ``Math.floor``; not ``a.b.c`` nor ``f().c``)."""
    toks = ctx.tokens
    if name_i < 2 or toks[name_i - 1].text not in (".", "?.") or toks[name_i - 2].kind != "ident":
        return None
    if name_i >= 3 and toks[name_i - 3].text in (".", "?.", "::"):
        return None
    return None if toks[name_i - 2].text in ctx.keywords else toks[name_i - 2].text


def _all_calls(ctx: TokenContext) -> Iterator[tuple[int, int]]:
    toks = ctx.tokens
    for i in range(len(toks) - 1):
        declared = i > 0 and toks[i - 1].text in ("fn", "function", "func")
        if toks[i].kind == "ident" and toks[i + 1].text == "(" and toks[i].text not in ctx.keywords and not declared:
            yield i, i + 1
