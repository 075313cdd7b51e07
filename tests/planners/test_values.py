"""A plausible patch that changes what its function returns, or the truth of the condition it edits,
on a passing test's call that no failing test makes, is not the fix claimed: ranked after one that
does not, and alone it ends the session ``plausible``. The shape: ``total % size > 1`` ->
``total // size > 1`` passes a page count's tests, and now adds a page to an exact fit, which a
passing test runs and does not check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.buildpacks.python.pyprobe import probe_plan, read_probe
from rfsn.controller.session import RepairOptions, repair_workspace
from rfsn.models import Probed, Proposal, RunTests, SessionStatus
from rfsn.models.probes import Traced
from rfsn.planners.base import Feedback
from rfsn.planners.code.candidates import FileChange
from rfsn.planners.meta import PhasePlanner, PlanOptions
from rfsn.planners.verify.sites import sites
from rfsn.planners.verify.values import changed
from rfsn.settings import Settings, load_settings
from rfsn.workspace import prepare
from tests.planners.test_meta import FIX_ADD, SOURCE, T_ADD, T_OK, WRONG, FakeStrategy, World, ran
from tests.planners.test_meta import F as FAILED
from tests.planners.test_meta import P as PASSED
from tests.sandbox.projects import make_project

PAGES = """\
def page_count(total, size):
    pages = total // size
    if total % size > {least}:
        pages += 1
    return pages
"""
PAGES_TESTS = """\
from book.pages import page_count


def test_a_last_line_of_its_own_is_a_page():
    assert page_count({rest_one}, 5) == {pages}


def test_a_partial_page_counts():
    assert page_count({rest_three}, 5) == {pages}


def test_an_exact_fit_has_pages():
    assert page_count({exact}, 5) > 0
"""
SHELF = """\
class Shelf:
    def __init__(self, books):
        self.books = books
        self.tags = {"a", "b", "c"}

    def fits(self, width):
        if sum(self.books) <= width:
            return [len(self.books), self]
        return None


def roomy(books, width):
    return Shelf(books).fits(width) is not None
"""
SHELF_TESTS = """\
from lib.shelf import Shelf, roomy


def test_fits():
    assert Shelf([1, 2]).fits(5)


def test_too_wide():
    assert Shelf([4, 4]).fits(5) is None


def test_fits_as_a_statement():
    Shelf([1]).fits(5)


def test_roomy():
    assert roomy([1], 5)
"""
REGISTRY = """\
class Registry:
    def __init__(self):
        self.items = {}

    def setdefault(self, key, default=None):
        if key in self.items:
            return default
        self.items[key] = default
        return default
"""
REGISTRY_TESTS = """\
from reg.registry import Registry


def test_setdefault_returns_the_value_it_has():
    registry = Registry()
    registry.setdefault("a", "kept")
    assert registry.setdefault("a", "new") == "kept"


def test_setdefault_keeps_the_first_value():
    registry = Registry()
    registry.setdefault("a", 1)
    registry.setdefault("a", 2)
    assert registry.items == {"a": 1}
"""


def change(original: str, old: str, new: str, path: str = "book/pages.py") -> FileChange:
    return FileChange(path=path, original=original, patched=original.replace(old, new), splices=())


WRONG_PAGE = change(PAGES.format(least=1), "total % size", "total // size")


def test_the_condition_an_edit_is_part_of_is_probed_with_the_expression() -> None:
    before, after = sites(WRONG_PAGE)  # type: ignore[misc]
    assert before.value == (("body", 1), ("test", None), ("left", None)) and before.node == ("BinOp", 3, 7)
    assert before.condition == after.condition == (("body", 1), ("test", None))
    assert before.condition_node == after.condition_node == ("Compare", 3, 7)
    _, whole = sites(change(PAGES.format(least=1), "> 1", ">= 1"))  # type: ignore[misc]
    assert whole.value is None and whole.condition == (("body", 1), ("test", None))
    _, outside = sites(change(PAGES.format(least=1), "return pages", "return pages + 0"))  # type: ignore[misc]
    assert outside.condition is None and outside.condition_node is None


def traced(**tests: list[Traced]) -> Probed:
    return Probed(traced={f"t::{name}": calls for name, calls in tests.items()})


def test_a_return_or_truth_changed_on_a_passing_tests_own_call_is_a_concern_naming_both() -> None:
    probes = sites(WRONG_PAGE)
    assert probes is not None
    before = traced(exact=[("condition", "k10", "False"), ("returns", "k10", "2")])
    after = traced(
        exact=[("condition", "k10", "True"), ("returns", "k10", "3")],
        rest=[("condition", "k11", "True"), ("returns", "k11", "3")],
    )
    returned, condition = changed(WRONG_PAGE, probes, before, after, ["t::exact"], ["t::rest"])
    assert returned.startswith(
        "page_count() returns 3 where it returned 2, on 1 passing test (t::exact) whose "
        "arguments no failing test passes"
    )
    assert condition.startswith(
        "the condition `total // size > 1` at book/pages.py:3 is True where "
        "`total % size > 1` was False (weaker than any test needs), on 1 passing test"
    )
    stronger = traced(exact=[("condition", "k10", "False")])
    assert (
        "(stronger than any test needs)"
        in changed(WRONG_PAGE, probes, traced(exact=[("condition", "k10", "True")]), stronger, ["t::exact"], [])[0]
    )


def test_changes_on_the_failing_tests_calls_or_past_what_both_runs_saw_are_no_concern() -> None:
    probes = sites(WRONG_PAGE)
    assert probes is not None
    before = traced(same=[("returns", "k11", "2")], other=[("returns", "k12", "3")])
    after = traced(
        same=[("returns", "k11", "3")],
        other=[("returns", "k12", "3"), ("returns", "k13", "9")],
        failing=[("returns", "k11", "3")],
    )
    assert changed(WRONG_PAGE, probes, before, after, ["t::same", "t::other"], ["t::failing"]) == []
    assert changed(WRONG_PAGE, probes, before, after, ["t::other"], []) == []
    assert changed(WRONG_PAGE, probes, before, after, ["t::same"], [])[0].startswith("page_count() returns 3")


def run_probe(
    repo: Path,
    reports: Path,
    original: str,
    old: str,
    new: str,
    seed: str,
    path: str = "lib/shelf.py",
    patched: bool = False,
) -> Probed:
    probes = sites(change(original, old, new, path))
    assert probes is not None
    (repo / path).write_text(original.replace(old, new) if patched else original)
    reports.mkdir()
    plan = probe_plan(["-q", "-p", "no:cacheprovider", "tests"], str(reports), probes[patched])
    for name, text in plan.files.items():
        (reports / name).write_text(text)
    argv = [sys.executable if word == "python" else word for word in plan.commands[0]]
    run = subprocess.run(
        argv, cwd=repo, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONHASHSEED": seed}
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return read_probe({"probe.json": (reports / "probe.json").read_text()})


def test_the_plugin_traces_returns_and_truths_by_arguments_the_same_in_another_process(tmp_path: Path) -> None:
    """Each call is keyed by its arguments (an object by its attributes, a set sorted, never an
    address), so two processes with other hash seeds trace the same."""
    repo = make_project(
        tmp_path / "repo",
        {"lib/__init__.py": "", "lib/shelf.py": SHELF, "tests/test_shelf.py": SHELF_TESTS},
        name="lib",
    )
    seen = [run_probe(repo, tmp_path / f"r{seed}", SHELF, "<= width", "< width", seed) for seed in ("1", "2")]
    assert seen[0].error == "" and seen[0].traced == seen[1].traced
    fits, wide = seen[0].traced["tests/test_shelf.py::test_fits"], seen[0].traced["tests/test_shelf.py::test_too_wide"]
    assert [(what, value) for what, _, value in fits] == [("condition", "True"), ("returns", fits[1][2])]
    assert fits[1][2].startswith("list[2, lib.shelf.Shelf") and "0x" not in json.dumps(seen[0].traced)
    assert [(what, value) for what, _, value in wide] == [("condition", "False"), ("returns", "None")]
    assert fits[0][1] == fits[1][1] != wide[0][1]  # one call's key, another call's other
    statement = seen[0].traced["tests/test_shelf.py::test_fits_as_a_statement"]
    assert [what for what, _, _ in statement] == ["condition"]  # a return its caller throws away is not kept
    assert seen[0].traced["tests/test_shelf.py::test_roomy"] == []  # a call project code makes: not the test's


GRAPH = """\
def undirected(pairs):
    adjacent = {}
    for one, other in pairs:
        adjacent.setdefault(one, set()).add(other)
        adjacent.setdefault(other, set()).add(one)
    return adjacent
"""


def test_a_dict_built_in_another_order_is_the_same_return(tmp_path: Path) -> None:
    """The devset's pathfinder: the right fix swaps the ends of an edge, so a passing test's
    undirected graph has its nodes in another order, and is equal."""
    repo = make_project(
        tmp_path / "repo",
        {
            "lib/__init__.py": "",
            "lib/graph.py": GRAPH,
            "tests/test_graph.py": (
                "from lib.graph import undirected\n\n\ndef test_both_ways():\n"
                "    assert undirected([(1, 2)]) == {1: {2}, 2: {1}}\n"
            ),
        },
        name="lib",
    )
    swap = ("for one, other in pairs", "for other, one in pairs")
    before, after = (
        run_probe(repo, tmp_path / f"r{n}", GRAPH, *swap, "0", "lib/graph.py", patched)
        for n, patched in enumerate((False, True))
    )
    assert before.traced and before.traced == after.traced
    probes = sites(change(GRAPH, *swap, "lib/graph.py"))
    assert (
        probes is not None
        and changed(change(GRAPH, *swap, "lib/graph.py"), probes, before, after, list(before.traced), []) == []
    )


class TracingWorld(World):
    """A probe run traces, on the passing test, what the applied candidate makes ``add`` return."""

    def __init__(self, returns: dict[str, str]) -> None:
        super().__init__({T_ADD: FAILED, T_OK: PASSED}, {"fix add": {T_ADD: PASSED}, "wrong add": {T_ADD: PASSED}})
        self.returns = returns

    def answer(self, proposal: Proposal) -> Feedback:
        feedback = super().answer(proposal)
        if isinstance(proposal, RunTests) and proposal.probe is not None and feedback.outcome is not None:
            assert feedback.outcome.report is not None
            seen = Probed(
                traced={
                    T_OK: [("returns", "(1, 1)", self.returns.get(self.applied or "", "0"))],
                    T_ADD: [("returns", "(2, 2)", "4")],
                }
            )
            return ran(feedback.outcome.report.model_copy(update={"probed": seen}))
        return feedback


def test_the_plan_chooses_the_patch_that_keeps_the_passing_tests_returns_over_one_found_first(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(SOURCE)
    planner = PhasePlanner(
        FakeStrategy([WRONG, FIX_ADD]), tmp_path, PlanOptions(language="python", workdir=str(tmp_path), probes=True)
    )
    TracingWorld({"wrong add": "1"}).run(planner)
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.FIXED and verdict.patch == FIX_ADD.diff()
    assert verdict.alternatives[0].concerns[0].startswith("add() returns 1 where it returned 0, on 1 passing test")


@pytest.fixture(scope="module")
def settings(rfsn_home: Path) -> Settings:
    """Local sandbox; its venv in the run's rfsn home (built once a worker, for every module)."""
    return load_settings(home=rfsn_home, sandbox="local", test_timeout=120)


def repair(
    tmp_path: Path, settings: Settings, least: int, rest_one: int, rest_three: int, exact: int, pages: int
) -> tuple[SessionStatus, str, list[str], Path]:
    tests = PAGES_TESTS.format(rest_one=rest_one, rest_three=rest_three, exact=exact, pages=pages)
    repo = make_project(
        tmp_path / "repo",
        {"book/__init__.py": "", "book/pages.py": PAGES.format(least=least), "tests/test_pages.py": tests},
        name="book",
    )
    options = RepairOptions(out_dir=tmp_path / "out", sandbox="local", session_id="s", timeout=300)
    result = repair_workspace(prepare(str(repo), tmp_path / "ws"), options, settings)
    return result.status, result.patch, result.concerns, tmp_path / "out" / "s"


def test_a_page_added_to_an_exact_fit_loses_to_the_fix_that_keeps_it(tmp_path: Path, settings: Settings) -> None:
    """A real session in the local sandbox: ``%`` -> ``//`` is plausible and found first; its
    alternative names the exact fit's return and condition it changes."""
    status, patch, concerns, out = repair(tmp_path, settings, least=1, rest_one=11, rest_three=13, exact=10, pages=3)
    assert status is SessionStatus.FIXED and concerns == [], (patch, concerns)
    assert "+    if total // size" not in patch
    alternatives = {
        a["description"]: a["concerns"] for a in json.loads((out / "result.json").read_text())["alternatives"]
    }
    wrong = alternatives["replace `%` with `//` at book/pages.py:3"]
    assert wrong[0].startswith(
        "page_count() returns 3 where it returned 2, on 1 passing test "
        "(tests/test_pages.py::test_an_exact_fit_has_pages)"
    )
    assert wrong[1].startswith(
        "the condition `total // size > 1` at book/pages.py:3 is True where `total % size > 1` "
        "was False (weaker than any test needs)"
    )


def test_a_page_added_to_an_exact_fit_alone_ends_plausible_with_the_concern_named(
    tmp_path: Path, settings: Settings
) -> None:
    """No template writes the fix (``> 2`` -> ``> 0``): the wrong patches alone are plausible."""
    status, patch, concerns, out = repair(tmp_path, settings, least=2, rest_one=16, rest_three=18, exact=15, pages=4)
    assert status is SessionStatus.PLAUSIBLE, (patch, concerns)
    assert concerns and concerns[0].startswith("page_count() returns 4 where it returned 3, on 1 passing test")
    result = json.loads((out / "result.json").read_text())
    assert result["status"] == "plausible" and result["concerns"] == concerns
    report = (out / "report.md").read_text()
    assert "# rfsn repair: plausible" in report and concerns[0] in report


def test_a_fix_whose_changed_return_a_passing_test_throws_away_ends_fixed(tmp_path: Path, settings: Settings) -> None:
    """The devset's lrucache shape: ``setdefault`` on a key it has returns the value it has, which
    a passing test's calls made as statements also get, and never look at."""
    repo = make_project(
        tmp_path / "repo",
        {"reg/__init__.py": "", "reg/registry.py": REGISTRY, "tests/test_registry.py": REGISTRY_TESTS},
        name="reg",
    )
    options = RepairOptions(out_dir=tmp_path / "out", sandbox="local", session_id="s", timeout=300)
    result = repair_workspace(prepare(str(repo), tmp_path / "ws"), options, settings)
    assert result.status is SessionStatus.FIXED, (result.patch, result.concerns)
    assert "+            return self.items[key]" in result.patch and result.concerns == []
