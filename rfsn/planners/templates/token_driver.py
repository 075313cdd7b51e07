"""Apply the token-level templates at suspicious lines of non-Python files."""

from __future__ import annotations

from collections.abc import Sequence

from rfsn.planners.candidates import Candidate, apply_splices
from rfsn.planners.localize.location import Location
from rfsn.planners.templates import token_names as names
from rfsn.planners.templates import token_templates as ops
from rfsn.planners.templates.python.base import Template
from rfsn.planners.templates.python.driver import edit_score
from rfsn.planners.templates.tokens import language_of, tokenize

TOKEN_CATALOGUE: tuple[Template, ...] = (
    ops.comparison_operator,
    ops.arithmetic_operator,
    ops.logical_operator,
    ops.integer_off_by_one,
    ops.swap_arguments,
    names.similar_call,
    names.replace_member,
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


def generate_token_candidates(
    files: dict[str, str],
    locations: Sequence[Location],
    limit: int = 200,
    max_locations: int = 25,
    templates: Sequence[Template] = TOKEN_CATALOGUE,
) -> list[Candidate]:
    """Ranked, de-duplicated candidates for JS/TS, Rust, Go, Java and C-like files."""
    ranked = sorted(locations, key=lambda loc: -loc.score)[:max_locations]
    best: dict[tuple[str, str], tuple[int, Candidate]] = {}
    for loc in ranked:
        language, source = language_of(loc.file), files.get(loc.file)
        if language is None or source is None:
            continue
        ctx = ops.TokenContext(loc.file, source, language)
        for tpl in templates:
            for edit in tpl.fn(ctx, loc.line):
                patched = apply_splices(source, edit.splices)
                if patched == source or not balanced(patched, language):
                    continue
                cand = Candidate(
                    path=loc.file, line=loc.line, template=tpl.name,
                    description=f"{edit.description} at {loc.file}:{loc.line}",
                    score=edit_score(loc.score, tpl.prior, edit),
                    original=source, patched=patched, splices=edit.splices,
                )  # fmt: skip
                key = (loc.file, patched)
                if key not in best or cand.score > best[key][1].score:
                    best[key] = (best.get(key, (len(best), cand))[0], cand)
    ordered = sorted(best.values(), key=lambda pair: (-pair[1].score, pair[0]))
    return [cand for _, cand in ordered[:limit]]
