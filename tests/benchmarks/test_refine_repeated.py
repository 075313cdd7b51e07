"""A flip found on a CI line tried after the one chosen is kept only where it repeats.

sindresorhus/p-limit 587c309 (2018, jsbugs design row, "Avoid constructing extra anonymous
function", a refactor): on Node 8 and 6 no test flipped; on Node 4 ``concurrency: 1``, a test
of a 590-650 ms window, failed once at base under load and passed with the fix, and the row was
kept on Node 4; its validation then said the test changes from run to run at base. These are
that row's statuses (ava's TAP on Node 4.9.1).
"""

from __future__ import annotations

from tests.benchmarks.test_history import mine

_NAMES = ("concurrency: 1", "concurrency: 4", "non-promise returning function", "continues after sync throw")
PASSED = dict.fromkeys(_NAMES, "passed")
FLAKED = {**PASSED, "concurrency: 1": "failed"}


def test_a_flip_seen_once_on_another_line_is_not_kept_p_limit_587c309() -> None:
    row = {"instance_id": "sindresorhus__p-limit-587c309", "FAIL_TO_PASS": ["test.js"], "runtime": "4"}
    out = mine.refined(row, mine.Runs(FLAKED, PASSED))
    assert (out["refined"], out["FAIL_TO_PASS"]) == ("ok", ["concurrency: 1"])
    assert mine.repeated(out, mine.Runs(PASSED, PASSED)) == []  # the second pair: it passed at base
    assert mine.repeated(out, mine.Runs(FLAKED, PASSED)) == ["concurrency: 1"]
    assert mine.repeated(out, "base run: timed out") == []
