"""Predicate switching: each condition of the located lines switched once, screened early.

Coverage ranks low a condition that every test runs (a type check in a helper all calls go
through), and the driver's ranking reaches a few dozen lines at most. A switched predicate is
one edit per condition: a negation added or dropped, ``and``/``or`` swapped, a comparison turned
to its opposite (``OPPOSITE``, kept by ``switched``). The template strategy makes them with the
templates that can (``SWITCHING``) at the ``SWITCHED_LINES`` located lines past the swept ones
(``sweep.SWEPT_LINES``), in their order; ``interleave`` gives them every ``EVERY``-th place after
the ranking's first ``AFTER``.
"""

from __future__ import annotations

from collections.abc import Sequence

from rfsn.planners.code.candidates import Candidate

#: each operator and the one that switches the predicate it makes
OPPOSITE = {
    "==": "!=",
    "!=": "==",
    "===": "!==",
    "!==": "===",
    "<": ">=",
    ">=": "<",
    ">": "<=",
    "<=": ">",
    "in": "not in",
    "not in": "in",
    "is": "is not",
    "is not": "is",
    "and": "or",
    "or": "and",
    "&&": "||",
    "||": "&&",
}
#: the templates whose edits may switch a predicate (``switched`` keeps those that do)
SWITCHING = frozenset(
    {
        "compare_operator",
        "membership",
        "boolean_operator",
        "remove_not",
        "negate_condition",
        "tok_comparison_operator",
        "tok_logical_operator",
        "tok_negate_condition",
    }
)
#: the located lines past the swept ones whose predicates are switched
SWITCHED_LINES = 200
#: the ranking's candidates screened before the first switch, and a switch's place among the rest
AFTER, EVERY = 20, 3


def switched(candidate: Candidate) -> bool:
    """Whether ``candidate`` switches one predicate: one splice that puts an operator's opposite
    in its place, adds or drops a negation, or negates a whole condition."""
    if len(candidate.splices) != 1:
        return False
    splice = candidate.splices[0]
    old, new = candidate.original[splice.start : splice.end].strip(), splice.text.strip()
    return (
        OPPOSITE.get(old) == new
        or (old in ("not", "!") and not new)
        or (not old and new == "!")
        or new in (f"not {old}", f"not ({old})")
    )


def _key(candidate: Candidate) -> object:
    """An edit's identity: its file and splices (a candidate with none is its own)."""
    if not candidate.splices:
        return id(candidate)
    return (candidate.path, *((s.start, s.end, s.text) for s in candidate.splices))


def interleave(
    ranked: Sequence[Candidate], switches: Sequence[Candidate], after: int = AFTER, every: int = EVERY
) -> list[Candidate]:
    """``ranked`` with ``switches`` taking every ``every``-th place after its first ``after``;
    an edit both hold comes once, at its first place."""
    out: list[Candidate] = []
    seen: set[object] = set()
    queues = (iter(ranked), iter(switches))
    while True:
        turn = int(len(out) >= after and (len(out) - after) % every == every - 1)
        candidate = next((c for c in queues[turn] if _key(c) not in seen), None)
        if candidate is None:
            candidate = next((c for c in queues[1 - turn] if _key(c) not in seen), None)
        if candidate is None:
            return out
        seen.add(_key(candidate))
        out.append(candidate)
