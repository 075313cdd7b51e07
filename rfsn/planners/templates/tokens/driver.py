"""The token reader of the template driver: non-Python files, and their catalogue."""

from __future__ import annotations

from functools import lru_cache, partial

from rfsn.planners.templates.driver import generate
from rfsn.planners.templates.edit import Template
from rfsn.planners.templates.tokens import calls, members, names, ops, siblings
from rfsn.planners.templates.tokens.context import ProjectCalls, TokenContext
from rfsn.planners.templates.tokens.lexer import language_of, tokenize

TOKEN_CATALOGUE: tuple[Template, ...] = (
    ops.comparison_operator,
    ops.arithmetic_operator,
    ops.logical_operator,
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
    stack: list[str] = []
    pairs = {")": "(", "]": "[", "}": "{"}
    for tok in tokenize(source, language):
        if tok.kind != "op":
            continue
        if tok.text in "([{":
            stack.append(tok.text)
        elif tok.text in pairs and (not stack or stack.pop() != pairs[tok.text]):
            return False
    return not stack


@lru_cache(maxsize=16)  # the original's, asked once per candidate
def brackets(source: str, language: str) -> tuple[str, ...]:
    """The bracket tokens of ``source``, in order."""
    return tuple(tok.text for tok in tokenize(source, language) if tok.kind == "op" and tok.text in "()[]{}")


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
        if balanced(patched, context.language):
            return True
        return (not balanced(context.source, context.language)
                and brackets(patched, context.language) == brackets(context.source, context.language))


#: ``generate_token_candidates(files, locations, limit=200, max_locations=25, templates=...)``:
#: ranked, de-duplicated candidates for JS/TS, Rust, Go, Java and C-like files.
generate_token_candidates = partial(generate, TokenReader(), templates=TOKEN_CATALOGUE)
