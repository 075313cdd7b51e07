"""with_reach: lines the failing tests run only implicitly do not outrank what they call."""

from __future__ import annotations

from pathlib import Path

import pytest
from structlog.testing import capture_logs

from rfsn.controller.session import RepairOptions, repair_workspace
from rfsn.planners.code.location import Location
from rfsn.planners.localize.reach import UNREACHED, with_reach
from rfsn.settings import load_settings
from rfsn.workspace import prepare
from tests.sandbox.projects import make_project

SHIM = '''\
"""limits: clamp numbers; the old names still work, with a warning."""
import warnings

from limits.core import clamp

_RENAMED = {"bound": "clamp", "limit": "clamp"}


def __getattr__(name):
    if name in _RENAMED:
        new = _RENAMED[name]
        message = f"limits.{name} is deprecated: use limits.{new}"
        warnings.warn(message, DeprecationWarning, stacklevel=2)
        return globals()[new]
    raise AttributeError(f"module 'limits' has no attribute {name!r}")
'''
CORE = """\
def clamp(value, low, high):
    if low > high:
        raise ValueError("low > high")
    if value < low:
        return low
    if value > high + 1:
        return high
    return value
"""
FAULT = ("limits/core.py", 6)  # ``value > high + 1``: the fix is ``value > high``
CURRENT = """\
import limits


def test_inside():
    assert limits.clamp(5, 0, 10) == 5


def test_below():
    assert limits.clamp(-3, 0, 10) == 0


def test_far_above():
    assert limits.clamp(50, 0, 10) == 10


def test_edges():
    assert limits.clamp(0, 0, 10) == 0
    assert limits.clamp(10, 0, 10) == 10


def test_inverted():
    try:
        limits.clamp(1, 5, 0)
    except ValueError:
        return
    raise AssertionError("no error")
"""
LEGACY = """\
import pytest

import limits


@pytest.mark.parametrize("high", [1, 2, 4, 9, 20, 100])
def test_caps_just_above_and_keeps_the_old_name(high):
    with pytest.deprecated_call():
        assert limits.bound is limits.clamp
    assert limits.clamp(high + 1, 0, high) == high
"""
FILES = {
    "limits/__init__.py": SHIM,
    "limits/core.py": CORE,
    "tests/test_current.py": CURRENT,
    "tests/test_legacy.py": LEGACY,
}


def _failing() -> list[str]:
    return [
        f"tests/test_legacy.py::test_caps_just_above_and_keeps_the_old_name[{high}]" for high in (1, 2, 4, 9, 20, 100)
    ]


def _sources() -> tuple[dict[str, str], dict[str, str]]:
    return (
        {p: t for p, t in FILES.items() if not p.startswith("tests/")},
        {p: t for p, t in FILES.items() if p.startswith("tests/")},
    )


def test_a_module_getattr_shim_no_failing_test_calls_is_scaled_down() -> None:
    """The shim's lines ran in every failing test and in no passing one (Ochiai 1.0); the
    failing tests never name ``__getattr__``: they keep a tenth of that."""
    files, tests = _sources()
    ranked = [
        Location("limits/__init__.py", 11, 1.0),
        Location("limits/core.py", 6, 0.6),
        Location("limits/core.py", 4, 0.4),
    ]
    got = with_reach(ranked, files, tests, _failing())
    assert got[0] == Location("limits/core.py", 6, 0.6)
    assert Location("limits/__init__.py", 11, UNREACHED) in got


def test_a_shim_line_in_a_failing_tests_traceback_keeps_its_score() -> None:
    """A frame of the failing tests' own traceback is how they reached the line."""
    files, tests = _sources()
    ranked = [Location("limits/__init__.py", 13, 1.0), Location("limits/core.py", 6, 0.6)]
    assert with_reach(ranked, files, tests, _failing(), keep={("limits/__init__.py", 13)}) == ranked


@pytest.mark.parametrize("failing", [["limits/core.py::limits.core.clamp"], ["tests/test_legacy.py::test_gone"]])
def test_a_failing_test_whose_code_is_not_found_leaves_the_ranking_as_it_was(failing: list[str]) -> None:
    """A doctest, or a test id the test files do not define: nothing tells its calls apart."""
    files, tests = _sources()
    ranked = [Location("limits/__init__.py", 11, 1.0), Location("limits/core.py", 6, 0.6)]
    assert with_reach(ranked, files, tests, failing) == ranked


def test_tests_that_name_none_of_the_ranked_functions_leave_the_ranking_as_it_was() -> None:
    """A test calling the code only through a value (``old = getattr(limits, name); old()``)
    names nothing ranked: telling the shim from the fault would take the values' flow."""
    files, tests = _sources()
    tests = {
        "tests/test_legacy.py": "import limits\n\ndef test_old():\n"
        "    old = getattr(limits, 'bound')\n    assert old(2, 0, 1) == 1\n"
    }
    ranked = [Location("limits/__init__.py", 11, 1.0), Location("limits/core.py", 6, 0.6)]
    assert with_reach(ranked, files, tests, ["tests/test_legacy.py::test_old"]) == ranked


def test_what_the_interpreter_calls_on_a_reached_class_and_a_registered_handler_stay() -> None:
    """A reached class's dunder methods run without being named; a handler registered by a
    decorator is reached through the decorator; a table of functions through its name."""
    files = {
        "pkg/m.py": (
            "HANDLERS = {}\n"  # 1
            "def register(fn):\n"  # 2
            "    HANDLERS[fn.__name__] = fn\n"  # 3
            "    return fn\n"  # 4
            "@register\n"  # 5
            "def double(x):\n"  # 6
            "    return 2 * x\n"  # 7
            "class Box:\n"  # 8
            "    def __init__(self, v):\n"  # 9
            "        self.v = v\n"  # 10
            "    def __eq__(self, other):\n"  # 11
            "        return self.v == other.v\n"  # 12
            "TABLE = {'half': lambda x: x / 2}\n"  # 13
            "def unused():\n"  # 14
            "    return 0\n"
        )
    }  # 15
    tests = {
        "tests/test_m.py": (
            "from pkg.m import HANDLERS, Box\ndef test_box():\n    assert Box(HANDLERS['double'](1)) == Box(3)\n"
        )
    }
    lines = [10, 12, 7, 15]
    ranked = [Location("pkg/m.py", line, 1.0) for line in lines]
    got = {loc.line: loc.score for loc in with_reach(ranked, files, tests, ["tests/test_m.py::test_box"])}
    assert got == {10: 1.0, 12: 1.0, 7: 1.0, 15: UNREACHED}


def test_a_fault_under_a_deprecation_getattr_shim_ranks_in_the_top_three(tmp_path: Path, rfsn_home: Path) -> None:
    """Seen on a real project: every failing test took the package's old names through its
    module-level ``__getattr__``, which warns about them; coverage ranked that shim's lines
    above the faulty conditional. A real session (real pytest, real per-test coverage) in
    the local sandbox puts the faulty line among its first three."""
    repo = make_project(tmp_path / "repo", FILES, name="limits")
    settings = load_settings(home=rfsn_home, sandbox="local", test_timeout=120)  # its venv: once a worker
    options = RepairOptions(
        out_dir=tmp_path / "out",
        sandbox="local",
        max_steps=4,  # to the first edit
        timeout=300,
    )  # (the baseline, its failures once more, coverage)
    with capture_logs() as logs:
        repair_workspace(prepare(str(repo), tmp_path / "ws"), options, settings)
    (localized,) = [e for e in logs if e["event"] == "planner.localized"]
    assert localized["by"] == "coverage"
    assert "{}:{}".format(*FAULT) in localized["ranked"][:3], localized["ranked"][:8]
