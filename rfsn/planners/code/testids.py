"""Test ids across runs: the targets as ids naming their file, the same test under a new id, the
files a whole-suite run leaves out."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

from rfsn.buildpacks.testfiles import is_test_module
from rfsn.models import TestReport, TestStatus
from rfsn.models.testfiles import test_id_file

_DIGITS = re.compile(r"\d+")


def located(targets: Sequence[str], failing: Sequence[str]) -> list[str]:
    """The targets as ids that name their test file, where the run names one so: a bare name
    (``test_x``, as a dataset names a test of a bare-name runner, which reports it both bare and as
    ``path.py:test_x``) stands for the failing ids of that name that do; coverage is measured
    for those. The others are kept as they are."""
    found: list[str] = []
    for target in targets:
        named = (
            []
            if test_id_file(target) != target or "/" in target
            else [t for t in failing if t != target and t.endswith((f":{target}", f"::{target}"))]
        )
        found.extend(t for t in named or [target] if t not in found)
    return found


def same_tests(statuses: Mapping[str, TestStatus], before: Mapping[str, TestStatus]) -> dict[str, TestStatus]:
    """``statuses`` with each test of ``before`` it lacks found under the id it has now, when
    that id is new and differs only in its numbers: a parameter made from the clock
    (``test_parse[06:34:53 2026-11-23]``) names the same test in every run."""
    out = dict(statuses)
    fresh: dict[str, list[str]] = {}
    for test in statuses:
        if test not in before:
            fresh.setdefault(_DIGITS.sub("N", test), []).append(test)
    for test in before:
        if test not in out:
            now = fresh.get(_DIGITS.sub("N", test))
            if now:
                out[test] = statuses[now.pop(0)]
    return out


def left_out(baseline: TestReport, targets: Collection[str]) -> tuple[str, ...]:
    """The test files a run of the whole suite leaves out: those in which no test passed at
    baseline (it collected nothing from them, or every test of them failed, timed out or was
    skipped: no candidate can break one, and a file of known failures can take most of a
    baseline), but for those holding a target (a test patch's file that fails to import before
    the fix). A target by its bare name (as a dataset names a test of a bare-name runner) holds the
    files the baseline reported a test of that name in."""
    holding = {test_id_file(t) for t in located(list(targets), list(baseline.tests))}
    return tuple(f for f in baseline.passless(is_test_module) if f not in holding)
