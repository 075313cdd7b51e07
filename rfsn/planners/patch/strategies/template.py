"""The offline strategy: repair templates over the syntax tree (Python) or tokens (others)."""

from __future__ import annotations

from collections.abc import Iterator

import structlog

from rfsn.planners.base import RepairContext
from rfsn.planners.code.candidates import Candidate
from rfsn.planners.patch.templates.budget import spending
from rfsn.planners.patch.templates.hints import boost
from rfsn.planners.patch.templates.python import generate_candidates
from rfsn.planners.patch.templates.sweep import sweep
from rfsn.planners.patch.templates.tokens.driver import generate_token_candidates

log = structlog.get_logger(__name__)


class TemplateStrategy:
    name = "template"

    def __init__(self, limit: int = 500) -> None:
        self.limit = limit

    def ranked(self, context: RepairContext) -> list[Candidate]:
        """Every candidate of the session, in the order they are to be screened."""
        python = {p: t for p, t in context.files.items() if p.endswith(".py")}
        others = {p: t for p, t in context.files.items() if not p.endswith(".py")}
        found: list[Candidate] = []
        py_locations = [loc for loc in context.locations if loc.file.endswith(".py")]
        other_locations = [loc for loc in context.locations if not loc.file.endswith(".py")]
        if py_locations:
            found += generate_candidates(python, py_locations, limit=self.limit * 2,
                                         max_locations=40)
        if other_locations:
            found += generate_token_candidates(others, other_locations, limit=self.limit)
        lines = dict.fromkeys((loc.file, loc.line) for loc in sorted(context.locations, key=lambda loc: -loc.score))
        return sweep(boost(found), list(lines))[: self.limit]

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
            log.info("template.budget", planned=len(ranked), tried=len(tried),
                     lines=len({(c.path, c.line) for c in tried}),
                     templates=len({c.template for c in tried}), spent=spending(tried))
