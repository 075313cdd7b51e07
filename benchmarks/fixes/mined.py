"""Template priors learned from real fixes (issue 71): the hand-set prior of each template,
moved toward how often its candidates wrote the fixes developers made. An experiment: the
catalogue keeps its hand priors, as every weight tried (0.1-1) cost the devset's real sessions
more candidates (README.md, "Template priors learned from the design part").

``mined_counts.FIXES`` holds, per template, the design part's fixes (benchmarks/fixes, split by project) that
one of its candidates writes and the score mass of the candidates it makes at those fixes' lines
(the sum of their scores without the prior). ``benchmarks/fixes/priors.py --write`` makes it.
"""

from __future__ import annotations

#: candidate score mass the hand prior counts for: below it a template's own record moves its
#: prior little, well above it the record decides
STRENGTH = 200.0


def priors(hand: dict[str, float], table: dict[str, tuple[int, float]], weight: float) -> dict[str, float]:
    """Pure: each template's prior, its hand prior and its record blended (``weight``: how far
    toward the blend, geometric: 0 keeps the hand prior, 1 takes the blend), scaled so that the
    best is the best hand prior. A record is fixes per score mass; the catalogue's average
    record counts as the average hand prior."""
    fixes, mass = sum(f for f, _ in table.values()), sum(m for _, m in table.values())
    if not fixes or not hand:
        return dict(hand)
    unit = mass * sum(hand.values()) / len(hand) / fixes
    blended = {}
    for name, prior in hand.items():
        hits, spent = table.get(name, (0, 0.0))
        blended[name] = prior ** (1 - weight) * ((hits * unit + STRENGTH * prior) / (spent + STRENGTH)) ** weight
    scale = max(hand.values()) / max(blended.values())
    return {name: value * scale for name, value in blended.items()}
