"""The token reader of the template driver: non-Python files, and their catalogue."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import lru_cache, partial

from rfsn.planners.code.lexer import Token, language_of, scan, tokenize
from rfsn.planners.patch.templates.driver import generate
from rfsn.planners.patch.templates.edit import Template
from rfsn.planners.patch.templates.tokens import calls, conditions, members, names, ops, siblings
from rfsn.planners.patch.templates.tokens.context import ProjectCalls, TokenContext

TOKEN_CATALOGUE: tuple[Template, ...] = (
    ops.comparison_operator,
    ops.arithmetic_operator,
    ops.logical_operator,
    conditions.negate_condition,
    ops.integer_off_by_one,
    ops.swap_arguments,
    names.similar_call,
    members.replace_member,
    siblings.sibling_reference,
    calls.add_missing_argument,
    names.swap_comparison_operands,
    names.replace_identifier,
    names.widen_operand,
    names.add_argument,
)


def balanced(source: str, language: str) -> bool:
    """Cheap sanity check standing in for a parser: brackets still balance."""
    return _balance(brackets(source, language))


def _balance(found: Sequence[str]) -> bool:
    stack: list[str] = []
    pairs = {")": "(", "]": "[", "}": "{"}
    for text in found:
        if text in "([{":
            stack.append(text)
        elif not stack or stack.pop() != pairs[text]:
            return False
    return not stack


def _brackets_of(tokens: Iterable[Token]) -> tuple[str, ...]:
    return tuple(tok.text for tok in tokens if tok.kind == "op" and tok.text in "()[]{}")


@lru_cache(maxsize=16)  # the original's, asked once per candidate
def brackets(source: str, language: str) -> tuple[str, ...]:
    """The bracket tokens of ``source``, in order."""
    return _brackets_of(tokenize(source, language))


@lru_cache(maxsize=4)
def _tokens(source: str, language: str) -> tuple[list[Token], list[int], dict[int, int], list[int]]:
    """``source``'s tokens (spaces too), their starts, the token ending at each offset, and the
    brackets before each token."""
    tokens = list(scan(source, language))
    before = [0]
    for token in tokens:
        before.append(before[-1] + (token.kind == "op" and token.text in "()[]{}"))
    return tokens, [t.start for t in tokens], {t.end: i for i, t in enumerate(tokens)}, before


def edited_brackets(
    source: str, patched: str, changed: tuple[int, int], language: str
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The brackets of ``patched`` (``source`` with ``changed`` replaced) as (before the edit,
    around it, after it), the edit's own ``source`` brackets in the middle replaced: only the
    tokens from the one before the edit up to the first that ends as one of ``source``'s does,
    past the edit, are read again (a large file lexed whole per candidate costs minutes)."""
    tokens, starts, ends, counted = _tokens(source, language)
    known = brackets(source, language)
    first = max(0, bisect_right(starts, changed[0]) - 2)  # a token the edit may join
    at = tokens[first].start if tokens else 0
    previous = next((t for t in reversed(tokens[:first]) if t.kind not in ("space", "comment")), None)
    delta, after, middle = len(patched) - len(source), len(tokens), []
    for token in scan(patched, language, at, previous):
        middle.append(token)
        same = ends.get(token.end - delta)
        if (
            token.end >= changed[1] + delta
            and same is not None
            and token.kind not in ("space", "comment")
            and (tokens[same].kind, tokens[same].text) == (token.kind, token.text)
        ):
            after = same + 1  # the lexer's state is the same here: the rest is source's
            break
    return known[: counted[first]], _brackets_of(middle), known[counted[after] :]


class TokenReader:
    """Non-Python files as token streams; an edit must keep the brackets balanced.

    Each file's context carries the call sites of the project's files in its
    language, indexed once per ``files`` mapping (the last one is kept).
    """

    def __init__(self) -> None:
        self._indexed: tuple[dict[str, str], dict[str, ProjectCalls]] | None = None

    def _project(self, files: dict[str, str], language: str) -> ProjectCalls:
        if self._indexed is None or self._indexed[0] is not files:
            self._indexed = (files, {})
        family = "javascript" if language == "typescript" else language
        by_family = self._indexed[1]
        if family not in by_family:
            by_family[family] = ProjectCalls.of(files, family)
        return by_family[family]

    def context(self, path: str, files: dict[str, str]) -> TokenContext | None:
        language, source = language_of(path), files.get(path)
        if language is None or source is None:
            return None
        return TokenContext(path, source, language, project=self._project(files, language))

    def valid(self, patched: str, context: TokenContext, changed: tuple[int, int]) -> bool:
        """Brackets balance; or, where the lexer cannot read the original (a JavaScript regex
        literal such as ``/[^'"]/`` looks like a bracket and a string to it), the edit left
        the brackets as they were."""
        before, middle, after = edited_brackets(context.source, patched, changed, context.language)
        if before + middle + after == brackets(context.source, context.language):
            return True  # balanced as the original is, or the original's brackets as they were
        return _balance(before + middle + after)


#: ``generate_token_candidates(files, locations, limit=200, max_locations=25, templates=...)``:
#: ranked, de-duplicated candidates for JS/TS, Rust, Go, Java and C-like files.
generate_token_candidates = partial(generate, TokenReader(), templates=TOKEN_CATALOGUE)
