"""Spectrum-based fault localization: suspiciousness formulas and line ranking.

For one line: ``ef``/``ep`` failing/passing tests that cover it, ``nf``/``np``
those that do not. Formulas are pure functions of these four counts.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from rfsn.buildpacks.base import CoverageByTest
from rfsn.buildpacks.testfiles import is_test_file
from rfsn.planners.code.location import Location

Formula = Callable[[int, int, int, int], float]


def ochiai(ef: int, ep: int, nf: int, np: int) -> float:
    denominator = math.sqrt((ef + nf) * (ef + ep))
    return ef / denominator if denominator else 0.0


def dstar(ef: int, ep: int, nf: int, np: int, star: int = 2) -> float:
    """DStar (star=2); a line covered by every failing test and no passing one scores
    ``ef**star`` / 0.5 instead of infinity, which keeps scores finite and ordered."""
    denominator = ep + nf
    return ef**star / (denominator if denominator else 0.5)


def tarantula(ef: int, ep: int, nf: int, np: int) -> float:
    failed, passed = ef + nf, ep + np
    fail_ratio = ef / failed if failed else 0.0
    pass_ratio = ep / passed if passed else 0.0
    total = fail_ratio + pass_ratio
    return fail_ratio / total if total else 0.0


FORMULAS: dict[str, Formula] = {"ochiai": ochiai, "dstar": dstar, "tarantula": tarantula}


def _counts(coverage: CoverageByTest, tests: Iterable[str], include_tests: bool) -> Counter[tuple[str, int]]:
    counts: Counter[tuple[str, int]] = Counter()
    for test in tests:
        for path, lines in coverage.get(test, {}).items():
            if include_tests or not is_test_file(path):
                counts.update((path, line) for line in lines)
    return counts


def rank(
    coverage_by_test: CoverageByTest,
    failing: Iterable[str],
    passing: Iterable[str],
    formula: str | Formula = "ochiai",
    boosts: Mapping[tuple[str, int], float] | None = None,
    include_tests: bool = False,
) -> list[Location]:
    """Lines covered by at least one failing test (or boosted), most suspicious first.

    ``boosts`` (e.g. `traceback_boosts`) are added to the formula's score. Ties are
    broken by boost, then by fewer passing tests covering, then by the later line
    (deeper in the computation), then by path: the order is deterministic.
    """
    fn = FORMULAS[formula] if isinstance(formula, str) else formula
    failing, passing = sorted(set(failing)), sorted(set(passing))
    ef_counts = _counts(coverage_by_test, failing, include_tests)
    ep_counts = _counts(coverage_by_test, passing, include_tests)
    boosts = {k: v for k, v in (boosts or {}).items() if include_tests or not is_test_file(k[0])}
    keyed = []
    for where in set(ef_counts) | set(boosts):
        ef, ep = ef_counts[where], ep_counts[where]
        score = fn(ef, ep, len(failing) - ef, len(passing) - ep) + boosts.get(where, 0.0)
        order = (-score, -boosts.get(where, 0.0), ep, -where[1], where[0])
        keyed.append((order, Location(where[0], where[1], score)))
    return [loc for _, loc in sorted(keyed)]
