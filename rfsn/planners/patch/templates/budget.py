"""How the screening budget is spread across lines and templates.

The driver scores each candidate by its expected value (suspiciousness of its line x prior of
its template / edit size); left at that, one template making dozens of edits at the top line
fills the budget before the second line is tried. ``spread`` re-scores the candidates so that
the search moves across lines and templates:

- a *cell* is one template at one line; its k-th candidate (best first) is worth
  ``CELL_DECAY ** k`` of its own score, and past ``CELL_CAP`` it is *deferred*: kept, but
  behind every candidate that is not;
- structurally equivalent candidates of a cell (the same splices but for the string literals
  they write; not the tweaks within one, at least ``NEAR`` similar to it) form a class; its
  ``CLASS_KEEP`` members most similar to the text they replace stay, the rest are deferred.

``spending`` tallies a ranking as lines x templates, for the log event of a session's budget.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from difflib import SequenceMatcher

from rfsn.planners.code.candidates import Candidate

#: candidates one template may spend at one line before it waits behind every other cell (a fix
#: among a template's later variants at its line still comes within the candidate limit)
CELL_CAP = 25
#: each further candidate of a cell is worth this much of the one before it
CELL_DECAY = 0.95
#: members of a class of equivalent candidates kept in the ranking
CLASS_KEEP = 3
#: an edit this close to the text it replaces (a digit inside a pattern) is a tweak, not a
#: swap for another constant: it is never collapsed
NEAR = 0.9
#: what a deferred candidate keeps of its score: behind the cells that are not spent (its
#: order among the deferred kept), not behind everything (the limit would drop it)
DEFERRED = 0.05

_STRING = re.compile(r"""[rRbBuUfF]{0,2}('(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`)""")


def _cell(candidate: Candidate) -> tuple[str, int, str]:
    return candidate.path, candidate.line, candidate.template


def shape(candidate: Candidate) -> tuple[object, ...]:
    """What a candidate does with its string literals left out: equal shapes, equivalent edits."""
    return (*_cell(candidate), tuple((s.start, s.end, _STRING.sub('""', s.text)) for s in candidate.splices))


def _similarity(candidate: Candidate) -> float:
    """How close the written text is to the text it replaces (1.0: identical)."""
    pairs = [(candidate.original[s.start : s.end], s.text) for s in candidate.splices]
    return min((SequenceMatcher(None, old, new).ratio() for old, new in pairs), default=0.0)


def spread(candidates: Sequence[Candidate]) -> list[Candidate]:
    """``candidates`` re-scored by the budget model, best first."""
    order = {id(c): i for i, c in enumerate(candidates)}
    similar = {id(c): _similarity(c) for c in candidates}
    classes: dict[tuple[object, ...], list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        if similar[id(candidate)] < NEAR:
            classes[shape(candidate)].append(candidate)
    deferred: set[int] = set()
    for members in classes.values():
        if len(members) > CLASS_KEEP:
            members.sort(key=lambda c: (-similar[id(c)], -c.score, order[id(c)]))
            deferred |= {id(c) for c in members[CLASS_KEEP:]}
    cells: dict[tuple[str, int, str], list[Candidate]] = defaultdict(list)
    for candidate in sorted(candidates, key=lambda c: (-c.score, order[id(c)])):
        if id(candidate) not in deferred:
            cells[_cell(candidate)].append(candidate)
    scored: list[Candidate] = []
    for members in cells.values():
        for k, candidate in enumerate(members):
            factor = CELL_DECAY**k if k < CELL_CAP else CELL_DECAY**k * DEFERRED
            scored.append(candidate.model_copy(update={"score": candidate.score * factor}))
    scored += [c.model_copy(update={"score": c.score * DEFERRED}) for c in candidates if id(c) in deferred]
    return sorted(scored, key=lambda c: -c.score)


def spending(candidates: Sequence[Candidate], top: int = 12) -> dict[str, dict[str, int]]:
    """How many of ``candidates`` each template spends at each line (``file:line`` ->
    template -> count), for the ``top`` lines that get the most."""
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for candidate in candidates:
        table[f"{candidate.path}:{candidate.line}"][candidate.template] += 1
    busiest = sorted(table, key=lambda where: -sum(table[where].values()))[:top]
    return {where: dict(table[where]) for where in busiest}
