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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from rfsn.planners.candidates import Splice
from rfsn.planners.templates.python.base import Edit, template
from rfsn.planners.templates.token_templates import (
    _KEYWORDS,
    TokenContext,
    _calls,
    call_arguments,
)
from rfsn.planners.templates.tokens import language_of

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
        return index


def plain_receiver(ctx: TokenContext, name_i: int) -> str | None:
    """The receiver of the method named at ``name_i`` when it is one bare name
    (``strings.HasPrefix``, ``Math.floor``; not ``a.b.c`` nor ``f().c``)."""
    toks = ctx.tokens
    if name_i < 2 or toks[name_i - 1].text not in (".", "?.") or toks[name_i - 2].kind != "ident":
        return None
    if name_i >= 3 and toks[name_i - 3].text in (".", "?.", "::"):
        return None
    return None if toks[name_i - 2].text in _KEYWORDS else toks[name_i - 2].text


def _all_calls(ctx: TokenContext) -> Iterator[tuple[int, int]]:
    toks = ctx.tokens
    for i in range(len(toks) - 1):
        declared = i > 0 and toks[i - 1].text in ("fn", "function", "func")
        if toks[i].kind == "ident" and toks[i + 1].text == "(" and toks[i].text not in _KEYWORDS \
                and not declared:
            yield i, i + 1


def _in_scope(ctx: TokenContext, line: int, text: str, window: int = 40) -> bool:
    """A short single-line argument whose names all occur near ``line`` (or none: a literal)."""
    if len(text) > 40 or "\n" in text:
        return False
    near = {t.text for t in ctx.tokens if abs(t.line - line) <= window and t.kind == "ident"}
    mine = TokenContext("", text, ctx.language).tokens
    return all(t.text in near or t.text in _KEYWORDS for t in mine if t.kind == "ident")


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
    for name_i, open_i in _calls(ctx, line):
        name = toks[name_i].text
        method = name_i > 0 and toks[name_i - 1].text in (".", "?.")
        args = call_arguments(ctx, open_i)
        values = _consensus(ctx, line, name, method, len(args))
        if js and method:
            values = [*OPTIONAL_NEXT.get((name, len(args)), ()), *values]
        at, sep = (toks[args[-1][1]].end, ", ") if args else (toks[open_i].end, "")
        for value in dict.fromkeys(values):
            yield Edit((Splice(at, at, f"{sep}{value}"),), f"add argument `{value}` to `{name}`")
