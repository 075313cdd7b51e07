"""The offline strategy: repair templates over the syntax tree (Python) or tokens (others)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import structlog

from rfsn.planners.base import RepairContext
from rfsn.planners.code.candidates import Candidate
from rfsn.planners.code.location import Location
from rfsn.planners.patch.templates.budget import spending
from rfsn.planners.patch.templates.hints import boost
from rfsn.planners.patch.templates.python import generate_with_tests
from rfsn.planners.patch.templates.python.catalogue import CATALOGUE
from rfsn.planners.patch.templates.sweep import SWEPT_LINES, sweep
from rfsn.planners.patch.templates.switches import SWITCHED_LINES, SWITCHING, interleave, switched
from rfsn.planners.patch.templates.tokens.driver import TOKEN_CATALOGUE, generate_token_candidates

log = structlog.get_logger(__name__)


class TemplateStrategy:
    name = "template"

    def __init__(self, limit: int = 500) -> None:
        self.limit = limit

    def ranked(self, context: RepairContext) -> list[Candidate]:
        """Every candidate of the session, in the order they are to be screened."""
        found = _made(context, context.locations, python=(self.limit * 2, 40), tokens=(self.limit, 25))
        lines = list(
            dict.fromkeys((loc.file, loc.line) for loc in sorted(context.locations, key=lambda loc: -loc.score))
        )
        return interleave(sweep(boost(found), lines)[: self.limit], _switches(context, lines[SWEPT_LINES:]))

    def candidates(self, context: RepairContext) -> Iterator[Candidate]:
        """The ranked candidates; when the session stops asking, a ``template.budget`` event
        says how many it tried, at which lines, with which templates."""
        ranked = self.ranked(context)
        tried: list[Candidate] = []
        try:
            for candidate in ranked:
                tried.append(candidate)
                yield candidate
        finally:
            log.info(
                "template.budget",
                planned=len(ranked),
                tried=len(tried),
                lines=len({(c.path, c.line) for c in tried}),
                templates=len({c.template for c in tried}),
                spent=spending(tried),
            )


def _made(
    context: RepairContext,
    locations: Sequence[Location],
    python: tuple[int, int],
    tokens: tuple[int, int],
    only: frozenset[str] | None = None,
) -> list[Candidate]:
    """The candidates of the catalogues (their templates named in ``only``) at ``locations``:
    Python's over the syntax tree (drawing on the failing tests' text too), the others' over
    tokens, each (limit, lines) as given."""
    found: list[Candidate] = []
    for is_python, generate, catalogue, (limit, lines) in (
        (True, generate_with_tests(context.tests, context.failing), CATALOGUE, python),
        (False, generate_token_candidates, TOKEN_CATALOGUE, tokens),
    ):
        here = [loc for loc in locations if loc.file.endswith(".py") == is_python]
        if here:
            found += generate(
                {p: t for p, t in context.files.items() if p.endswith(".py") == is_python},
                here,
                limit=limit,
                max_locations=lines,
                templates=[t for t in catalogue if only is None or t.name in only],
            )
    return found


def _switches(context: RepairContext, lines: list[tuple[str, int]]) -> list[Candidate]:
    """The switched predicates (``templates.switches``) at the first ``SWITCHED_LINES`` of
    ``lines``, in their order."""
    far = [Location(path, line, 1.0) for path, line in lines[:SWITCHED_LINES]]
    rank = {line: i for i, line in enumerate(lines)}
    made = _made(context, far, python=(10 * len(far), len(far)), tokens=(10 * len(far), len(far)), only=SWITCHING)
    return sorted((c for c in made if switched(c)), key=lambda c: rank[(c.path, c.line)])
