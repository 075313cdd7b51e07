"""Where no passing test runs the expression a plausible patch replaces, the code still says what
it is: an uncalled function the module or class defines (or a builtin function) where a value
was (an attribute the class assigns, a literal, a call's result: a call dropped) is a concern of
the same weight as the probes' (issue 71: ``else self.size`` -> ``else self.refresh`` inside
``__len__``, a number or None become a bound method, that no test showed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rfsn.controller.session import RepairOptions, repair_workspace
from rfsn.models import SessionStatus
from rfsn.planners.verify.references import static
from rfsn.planners.verify.types import TypeCheck
from rfsn.settings import Settings, load_settings
from rfsn.workspace import prepare
from tests.planners.test_types import SIZED, candidate, change
from tests.sandbox.projects import make_project

SORTER = """\
import os

LIMIT = 3
HANDLER = lambda item: item


def helper(item):
    return item


class Sorter:
    shown = 10

    def __init__(self, items, on_item=None):
        self.items, self.limit = items, LIMIT
        self.on_item = on_item
        self.hook = lambda item: item

    def weight(self, item):
        return len(item)

    @property
    def count(self):
        return len(self.items)

    def ordered(self, key=None):
        order = sorted(self.items, key=self.weight)
        return order[: self.limit] if self.limit else order
"""


def concern_of(old: str, new: str, source: str = SORTER) -> list[str]:
    return static(change(source, old, new, "m.py"))


def test_the_issues_number_or_none_become_an_uncalled_method_is_a_concern_naming_both() -> None:
    (said,) = static(change(SIZED, "else self.size", "else self.refresh"))
    assert said.startswith(
        "`self.refresh` at pkg/buf.py:9 is the method Buffer.refresh, uncalled, where `self.size`, the "
        "expression it replaced, is a value Buffer assigns to its attribute size (read from the code"
    )


@pytest.mark.parametrize(
    ("old", "new", "kinds"),
    [
        ("if self.limit else", "if self.weight else", ("the method Sorter.weight", "a value Sorter assigns to its")),
        ("order[: self.limit]", "order[: helper]", ("the function helper", "to its attribute limit")),
        ("order[: self.limit]", "order[: len]", ("the builtin function len", "a value Sorter assigns")),
        ("sorted(self.items, key=self.weight)", "sorted", ("the builtin function sorted", "a call's result")),
        ("order[: self.limit]", "order[: self.hook]", ("a function Sorter assigns to its attribute hook", "")),
        ("order[: self.limit]", "order[: HANDLER]", ("a function the module assigns to HANDLER", "")),
        ("order[: self.limit]", "order[: self.count]", None),  # a property reads as a value
        ("order[: self.limit]", "order[: self.shown]", None),  # a value for a value
        ("order[: self.limit]", "order[: LIMIT]", None),
        ("order[: self.limit]", "order[: 3]", None),
        # the reverse, a value where a function was, is often the fix (a call added): no concern
        ("key=self.weight)", "key=self.limit)", None),
        ("key=self.weight)", "key=self.weight(0))", None),
        ("key=self.weight)", "key=len)", None),  # a function for a function
    ],
)
def test_an_uncalled_function_where_the_code_says_a_value_was_is_a_concern(
    old: str, new: str, kinds: tuple[str, str] | None
) -> None:
    found = concern_of(old, new)
    if kinds is None:
        assert found == []
        return
    (said,) = found
    now, was = said.split(", the expression it replaced, is ")
    assert f"{kinds[0]}, uncalled" in now and kinds[1] in was, said


CLOCK = "class Clock:\n    def now(self):\n        return 0\n\n    def stamp(self):\n        return self.now()\n"


def test_a_call_dropped_is_a_concern_and_a_call_added_none() -> None:
    (said,) = static(change(CLOCK, "self.now()", "self.now", "m.py"))
    assert said.startswith(
        "`self.now` at m.py:6 is the method Clock.now, uncalled, where `self.now()`, the expression it replaced, "
        "is a call's result"
    )
    assert static(change(CLOCK.replace("self.now()", "self.now"), "self.now", "self.now()", "m.py")) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("order[: self.limit]", "order[: self.on_item]"),  # an attribute set from a parameter: a value
        ("order[: self.limit]", "order[: self.weight(0)]"),  # called: a call's result
        ("order[: self.limit]", "order[: key]"),  # a parameter: anything
        ("order[: self.limit]", "order[: os]"),  # a module the file imports
        ("sorted(self.items", "self.weight(self.items"),  # called either way
    ],
)
def test_an_expression_the_code_does_not_tell_or_the_same_kind_is_no_concern(old: str, new: str) -> None:
    assert concern_of(old, new) == []


def test_a_name_the_function_binds_shadows_the_module_and_the_builtins() -> None:
    source = "def helper():\n    return 1\n\n\ndef f(len, items):\n    helper = 2\n    return items\n"
    assert static(change(source, "return items", "return len", "m.py")) == []
    assert static(change(source, "return items", "return helper", "m.py")) == []
    assert static(change(source.replace("    helper = 2\n", ""), "return 0", "return helper", "m.py")) == []
    assert static(change(source.replace("items):", "items=0):"), "items=0", "items=helper", "m.py")) == []


def test_the_code_speaks_only_where_no_probe_saw_the_expression_on_a_passing_test() -> None:
    wrong = candidate(SIZED, "else self.size", "else self.refresh", 9)
    right = candidate(SIZED, "else self.size", "else (self.size or 0)", 9)
    check = TypeCheck(None, None, found={right.diff(): ["a probe's concern"]})
    said = check.concerns([wrong, right])
    assert said[right.diff()] == ["a probe's concern"]
    assert said[wrong.diff()][0].startswith("`self.refresh` at m.py:9 is the method Buffer.refresh, uncalled")
    check.seen.add(wrong.diff())  # a probe ran the expression and saw no other kind: it stands
    assert wrong.diff() not in check.concerns([wrong, right])


METER = """\
class Meter:
    def __init__(self, total=None):
        self.total = total{more}

    def reset(self):
        self.{reset} = {zero}

    def size(self):
        return self.total
"""
METER_TESTS = """\
from meter.core import Meter


def test_a_size_is_known_without_a_total():
    assert Meter().size() is not None


def test_reset():
    meter = Meter(total=5)
    meter.reset()
    assert meter.{reset} == {zero}
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return load_settings(home=tmp_path_factory.mktemp("rfsn-home"), sandbox="local", test_timeout=120)


def repair(tmp_path: Path, settings: Settings, count: bool) -> tuple[SessionStatus, str, list[str], Path]:
    """A session in the local sandbox on a meter whose ``size`` reads the total, None without one;
    no passing test runs ``size``. With ``count``, the meter also counts (a value the fix may read)."""
    shape = {"more": "\n        self.count = 0", "reset": "count", "zero": "0"} if count else {}
    shape = shape or {"more": "", "reset": "total", "zero": "None"}
    repo = make_project(
        tmp_path / "repo",
        {
            "meter/__init__.py": "",
            "meter/core.py": METER.format(**shape),
            "tests/test_core.py": METER_TESTS.format(**shape),
        },
        name="meter",
    )
    options = RepairOptions(out_dir=tmp_path / "out", sandbox="local", session_id="s", timeout=300)
    result = repair_workspace(prepare(str(repo), tmp_path / "ws"), options, settings)
    return result.status, result.patch, result.concerns, tmp_path / "out" / "s"


def test_an_uncalled_method_no_test_runs_alone_ends_plausible_with_the_concern_named(
    tmp_path: Path, settings: Settings
) -> None:
    status, patch, concerns, out = repair(tmp_path, settings, count=False)
    assert status is SessionStatus.PLAUSIBLE, (patch, concerns)
    assert "+        return self.size\n" in patch or "+        return self.reset\n" in patch
    assert concerns and "uncalled, where `self.total`, the expression it replaced, is a value Meter" in concerns[0]
    result = json.loads((out / "result.json").read_text())
    assert result["status"] == "plausible" and result["concerns"] == concerns
    report = (out / "report.md").read_text()
    assert "# rfsn repair: plausible" in report and concerns[0] in report


def test_an_uncalled_method_no_test_runs_is_ranked_after_the_value_the_fix_reads(
    tmp_path: Path, settings: Settings
) -> None:
    """Found first (the shorter edit), ``self.total`` -> ``self.size`` loses to ``self.count``."""
    status, patch, concerns, out = repair(tmp_path, settings, count=True)
    assert status is SessionStatus.FIXED and concerns == [], (patch, concerns)
    assert "+        return self.count\n" in patch
    alternatives = json.loads((out / "result.json").read_text())["alternatives"]
    assert any(
        "`self.size` at meter/core.py:10 is the method Meter.size, uncalled" in c
        for a in alternatives
        for c in a["concerns"]
    ), alternatives
