"""A flip is kept only where a second pair of runs repeats it: on a CI line tried after the one
chosen, and on the chosen one.

sindresorhus/p-limit 587c309 (2018, jsbugs design row, "Avoid constructing extra anonymous
function", a refactor): on Node 8 and 6 no test flipped; on Node 4 ``concurrency: 1``, a test
of a 590-650 ms window, failed once at base under load and passed with the fix, and the row was
kept on Node 4; its validation then said the test changes from run to run at base. These are
that row's statuses (ava's TAP on Node 4.9.1).
"""

from __future__ import annotations

from pathlib import Path

import pytest

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


_EXITS = "test.js > chokidar fs.watch (non-polling) close > should not prevent the process from exiting"
_TIMING = "test.js > chokidar fs.watch (non-polling) watch a directory > should watch removed and re-added directories"


def _pairs(monkeypatch: pytest.MonkeyPatch, *pairs: mine.Runs) -> list[dict[str, object]]:
    """``run_both`` answering ``pairs`` in turn; the rows it was asked for."""
    asked: list[dict[str, object]] = []
    answers = iter(pairs)

    def run_both(row: dict[str, object], repos_dir: Path, timeout: float) -> mine.Runs:
        asked.append(row)
        return next(answers)

    monkeypatch.setattr(mine, "run_both", run_both)
    return asked


def test_a_flip_on_the_chosen_line_is_kept_only_where_it_repeats_chokidar_c716ffd(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """paulmillr/chokidar c716ffd (2017, design): refine's one pair of runs flipped the fix's test
    and a timing test it does not touch; validation then found the timing test passing at base."""
    before, after = {_EXITS: "failed", _TIMING: "failed"}, {_EXITS: "passed", _TIMING: "passed"}
    asked = _pairs(monkeypatch, mine.Runs(before, after), mine.Runs({**before, _TIMING: "passed"}, after))
    row = {"instance_id": "paulmillr__chokidar-c716ffd", "FAIL_TO_PASS": ["test.js"]}
    out = mine.refine_row(row, Path("."), 60)
    assert (out["refined"], out["FAIL_TO_PASS"], len(asked)) == ("ok", [_EXITS], 2)


def test_a_row_whose_only_flip_does_not_repeat_is_not_refined_chokidar_dae7788(monkeypatch: pytest.MonkeyPatch) -> None:
    """paulmillr/chokidar dae7788 (2019, design, "Fix all tests!"): its one FAIL_TO_PASS, a timing
    test, flipped once in refine and passed at base in validation (labelled ``env``)."""
    flaky = "test.js > chokidar fs.watch (non-polling) watch individual files > should ignore unwatched siblings"
    passed = mine.Runs({flaky: "passed"}, {flaky: "passed"})
    _pairs(monkeypatch, mine.Runs({flaky: "failed"}, {flaky: "passed"}, lines=("8",)), passed, passed)
    out = mine.refine_row({"instance_id": "paulmillr__chokidar-dae7788", "FAIL_TO_PASS": ["test.js"]}, Path("."), 60)
    assert out["refined"] == (
        f"no test fails at the buggy commit and passes with the fix twice ({flaky} flipped once, not again)"
        " (on the CI's other lines 8: none flips)"
    )
    assert out["FAIL_TO_PASS"] == ["test.js"]  # as mined
