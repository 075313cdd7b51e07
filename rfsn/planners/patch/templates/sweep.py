"""A first pass over the most suspicious lines before the ranking by expected value.

The ranking (`driver.generate`, `budget.spread`) orders candidates by suspiciousness x template
prior. Where the top lines score alike, that is template-major: every high-prior template's
edits at a dozen lines come before a low-prior template's one edit at the second line, and a
session that screens a few candidates a second spends its budget before reaching it. ``sweep``
moves the best candidate of each template at each of the ``SWEPT_LINES`` most suspicious lines
(in their ranked order) ahead of the rest, so each of those lines has had every template's
likeliest edit early; the rest keep their order.
"""

from __future__ import annotations

from collections.abc import Sequence

from rfsn.planners.code.candidates import Candidate

#: the most suspicious lines whose every template's best candidate is screened first
SWEPT_LINES = 5


def sweep(ranked: Sequence[Candidate], lines: Sequence[tuple[str, int]], swept: int = SWEPT_LINES) -> list[Candidate]:
    """``ranked`` (best first) with the best candidate of each (line, template) at the first
    ``swept`` of ``lines`` (most suspicious first) taking every second place, in their ranked
    order, until each has had one: half the screening goes to the breadth of the top lines."""
    top = set(lines[:swept])
    seen: set[tuple[str, int, str]] = set()
    firsts: list[Candidate] = []
    for candidate in ranked:
        cell = (candidate.path, candidate.line, candidate.template)
        if (candidate.path, candidate.line) in top and cell not in seen:
            seen.add(cell)
            firsts.append(candidate)
    out: list[Candidate] = []
    taken: set[int] = set()
    queues = (iter(ranked), iter(firsts))
    turn = 0
    while len(out) < len(ranked):
        for candidate in queues[turn]:
            if id(candidate) not in taken:
                taken.add(id(candidate))
                out.append(candidate)
                break
        turn = 1 - turn
    return out
