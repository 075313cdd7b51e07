"""Which tests to cover first on a large suite, and when that was not enough.

Per-test coverage of a whole large suite, or of a slow one, costs tens of
seconds (or many minutes) before the first candidate. The failing tests and the passing tests of the same test
files usually separate the faulty lines already; the whole suite is covered
only when that first ranking is flat (nothing ranked, or the top score shared
by many lines).
"""

from __future__ import annotations

from collections.abc import Sequence

from rfsn.models.testfiles import test_id_file
from rfsn.planners.code.location import Location

SMALL_SUITE = 200  # tests: below this, cover everything at once...
SLOW_SUITE = 60.0  # ...unless the baseline took this many seconds (coverage slows a run 2-3x)
FLAT_TIES = 20  # lines sharing the top score: above this, the ranking says little


def focus_tests(failing: Sequence[str], passing: Sequence[str], seconds: float = 0.0) -> tuple[str, ...] | None:
    """The tests to cover first: the failing ones and the passing ones sharing their files;
    None (cover the whole suite) on a small, fast suite (``seconds``: its baseline's time; a few
    slow tests make a suite whose coverage run outlasts the session) or when the focus would not
    be smaller."""
    if len(failing) + len(passing) < SMALL_SUITE and seconds < SLOW_SUITE:
        return None
    files = {test_id_file(t) for t in failing}
    focus = [*failing, *(t for t in passing if test_id_file(t) in files)]
    return tuple(focus) if len(focus) < len(failing) + len(passing) else None


def is_flat(ranked: Sequence[Location]) -> bool:
    """True when a ranking cannot guide the search: empty, all zero, or a wide tie at the top."""
    top = max((loc.score for loc in ranked), default=0.0)
    if top <= 0:
        return True
    return sum(1 for loc in ranked if loc.score >= top) > FLAT_TIES
