import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rfsn.buildpacks.testfiles import is_test_file
from rfsn.planners.localize.sbfl import dstar, ochiai, rank, tarantula
from rfsn.planners.localize.tracebacks import traceback_boosts, traceback_frames

COV = {
    "t_fail": {"pkg/a.py": {1, 2, 3}, "tests/test_a.py": {10}},
    "t_pass1": {"pkg/a.py": {1, 2}},
    "t_pass2": {"pkg/a.py": {1}},
}


def test_formulas():
    assert ochiai(1, 0, 0, 2) == 1.0
    assert ochiai(1, 1, 0, 1) == pytest.approx(1 / math.sqrt(2))
    assert ochiai(0, 2, 1, 0) == 0.0
    assert tarantula(1, 0, 0, 2) == 1.0
    assert tarantula(1, 2, 0, 0) == pytest.approx(0.5)
    assert dstar(1, 1, 0, 1) == 1.0
    assert dstar(2, 0, 0, 3) == 8.0  # never infinite


@given(st.integers(0, 20), st.integers(0, 20), st.integers(0, 20), st.integers(0, 20))
def test_formulas_are_finite_and_bounded(ef, ep, nf, np):
    for value in (ochiai(ef, ep, nf, np), tarantula(ef, ep, nf, np)):
        assert 0.0 <= value <= 1.0
    assert math.isfinite(dstar(ef, ep, nf, np))


@pytest.mark.parametrize("formula", ["ochiai", "dstar", "tarantula"])
def test_rank_puts_the_line_only_failing_tests_cover_first(formula):
    ranked = rank(COV, ["t_fail"], ["t_pass1", "t_pass2"], formula)
    assert [(loc.file, loc.line) for loc in ranked] == [
        ("pkg/a.py", 3),
        ("pkg/a.py", 2),
        ("pkg/a.py", 1),
    ]


def test_rank_excludes_tests_and_boosts_traceback_lines():
    ranked = rank(COV, ["t_fail"], ["t_pass1", "t_pass2"], boosts={("pkg/a.py", 1): 1.0})
    assert ranked[0][:2] == ("pkg/a.py", 1)
    assert all(not is_test_file(loc.file) for loc in ranked)


def test_ties_are_broken_deterministically_by_later_line():
    cov = {"f": {"m.py": {5, 9}}, "p": {}}
    assert [loc.line for loc in rank(cov, ["f"], ["p"])] == [9, 5]


def test_is_test_file():
    for path in (
        "tests/a.py",
        "pkg/test/b.py",
        "test_x.py",
        "x_test.py",
        "conftest.py",
        "test/a.test.js",
    ):
        assert is_test_file(path), path
    for path in ("pkg/testing_utils.py", "src/contest.py", "latest.py"):
        assert not is_test_file(path), path


PYTEST_LONG = """
    def test_x():
>       assert f(1) == 2

tests/test_m.py:5:
_ _ _ _
/testbed/pkg/m.py:12: in f
    return g(x)
pkg/util.py:30: ValueError
"""

NATIVE = """Traceback (most recent call last):
  File "/testbed/tests/test_m.py", line 5, in test_x
  File "/testbed/pkg/m.py", line 12, in f
  File "/usr/lib/python3.11/json/__init__.py", line 346, in loads
  File "/testbed/pkg/util.py", line 30, in g
ValueError: boom
"""

#: pytest's own crash: the traceback of the error, each line behind pytest's prefix
INTERNAL = """tests/test_m.py .
INTERNALERROR> Traceback (most recent call last):
INTERNALERROR>   File "/usr/lib/python3.11/site-packages/_pytest/main.py", line 333, in wrap_session
INTERNALERROR>     session.exitstatus = doit(config, session) or 0
INTERNALERROR>   File "/testbed/pkg/m.py", line 12, in f
INTERNALERROR>     return g(x)
INTERNALERROR>   File "/testbed/pkg/util.py", line 30, in g
INTERNALERROR> ValueError: boom
"""


@pytest.mark.parametrize("output", [PYTEST_LONG, NATIVE, INTERNAL], ids=["pytest", "native", "internalerror"])
def test_traceback_frames(output):
    assert traceback_frames(output, root="/testbed") == [("pkg/m.py", 12), ("pkg/util.py", 30)]


def test_traceback_boosts_grow_with_depth():
    boosts = traceback_boosts([("a.py", 1), ("b.py", 2)])
    assert boosts[("b.py", 2)] > boosts[("a.py", 1)]


@given(st.text())
def test_traceback_parser_never_fails(text):
    traceback_frames(text)
