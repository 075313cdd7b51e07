"""A plausible patch that changes what an expression is (its type, whether it is callable) on the
passing tests that run it is not the fix claimed: ranked after one that does not, and alone it
ends the session ``plausible``. Issue 71's shapes: ``else self.size`` -> ``else self.refresh``
inside ``__len__``, ``'w' in cmd.parts`` -> ``'w' in cmd.text``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.buildpacks.python.pyprobe import probe_plan, read_probe
from rfsn.controller.session import RepairOptions, repair_workspace
from rfsn.models import Finish, Phase, Probed, Proposal, RunTests, SessionStatus
from rfsn.models.probes import Seen
from rfsn.planners.base import Feedback
from rfsn.planners.code.candidates import Candidate, FileChange, Splice
from rfsn.planners.meta import PhasePlanner, PlanOptions
from rfsn.planners.verify.choice import Evidence, rank_plausible
from rfsn.planners.verify.sites import covering, sites
from rfsn.planners.verify.types import retyped
from rfsn.settings import Settings, load_settings
from rfsn.workspace import prepare
from tests.planners.test_meta import FIX_ADD, SOURCE, T_ADD, T_OK, FakeStrategy, World, ran
from tests.planners.test_meta import F as FAILED
from tests.planners.test_meta import P as PASSED
from tests.planners.test_meta import candidate as meta_candidate
from tests.sandbox.projects import make_project

SIZED = """\
class Buffer:
    def __init__(self, items=None, size=None):
        self.items, self.size = items, size

    def refresh(self):
        return None

    def __len__(self):
        return len(self.items) if self.items else self.size
"""
BUFFER_TESTS = """\
from pkg.buf import Buffer


def test_items():
    assert len(Buffer([1, 2])) == 2


def test_size_given():
    assert Buffer(size=3).__len__() is not None
"""
COMMAND = """\
class Command:
    def __init__(self, script):
        self.script = script
        self.program, *self.parts = script.split(){cut}


def match(cmd):
    return "git" in cmd.parts and "push" in cmd.script
"""
COMMAND_TESTS = """\
from rules.command import Command, match


def test_git_push_matches():
    assert match(Command("git push"))


def test_other_commands_do_not_match():
    assert not match(Command("ls -la"))


def test_push_without_git_does_not_match():
    assert not match(Command("hg push"))
"""


def change(original: str, old: str, new: str, path: str = "pkg/buf.py") -> FileChange:
    return FileChange(path=path, original=original, patched=original.replace(old, new), splices=())


def candidate(original: str, old: str, new: str, line: int) -> Candidate:
    start = original.index(old)
    return Candidate(
        path="m.py",
        line=line,
        template="t",
        score=1.0,
        description=f"{old} -> {new}",
        original=original,
        patched=original.replace(old, new),
        splices=(Splice(start, start + len(old), new),),
    )


def test_the_probe_sites_are_the_replaced_expression_and_its_functions_returns() -> None:
    before, after = sites(change(SIZED, "else self.size", "else self.refresh"))  # type: ignore[misc]
    assert before.function == after.function == "Buffer.__len__" and after.returns == ()
    assert before.value == after.value == (("body", 0), ("value", None), ("orelse", None))
    assert before.node == after.node == ("Attribute", 9, 50)


def test_a_condition_is_no_value_site_and_code_outside_one_function_no_site() -> None:
    condition = "def f(a, b):\n    if a < b:\n        return 1\n    return 2\n"
    before, _ = sites(change(condition, "a < b", "a <= b", "m.py"))  # type: ignore[misc]
    assert before.value is None and before.returns == ()
    assert sites(change(SIZED, "class Buffer:", "class Buffer(object):")) is None
    assert sites(change("X = 1\n", "1", "2", "m.py")) is None
    assert sites(change(SIZED, "self.size", "self.items")) is None  # two functions edited


def probed(values: dict[str, list[tuple[str, bool]]], returns: dict[str, list[tuple[str, bool]]]) -> Probed:
    return Probed(values=values, returns=returns)


def test_a_number_or_none_that_became_a_bound_method_is_a_concern_naming_both() -> None:
    edit = change(SIZED, "else self.size", "else self.refresh")
    probes = sites(edit)
    assert probes is not None
    before = probed(
        {"t::a": [("builtins.int", False)], "t::b": [("builtins.NoneType", False)]}, {"t::a": [("builtins.int", False)]}
    )
    after = probed(
        {"t::a": [("builtins.method", True)], "t::b": [("builtins.method", True)]},
        {"t::a": [("builtins.method", True)]},
    )
    value, returned = retyped(edit, probes, before, after)
    assert value.startswith(
        "`self.refresh` at pkg/buf.py:9 is a bound method (callable) where `self.size`, "
        "the expression it replaced, was None or a number, on 2 passing tests (t::a, t::b)"
    )
    assert returned.startswith("Buffer.__len__() returns a bound method (callable) where it returned a number")


def test_values_it_narrows_numbers_it_trades_or_defaults_it_fills_are_no_concern() -> None:
    edit = change(SIZED, "else self.size", "else (self.size or 0)")
    probes = sites(edit)
    assert probes is not None
    before = probed({"t::a": [("builtins.int", False), ("builtins.NoneType", False)]}, {})
    assert retyped(edit, probes, before, probed({"t::a": [("builtins.int", False)]}, {})) == []
    assert retyped(edit, probes, before, probed({"t::a": [("builtins.float", False)]}, {})) == []
    assert retyped(edit, probes, before, probed({"t::other": [("builtins.str", False)]}, {})) == []
    only_none = probed({"t::a": [("builtins.NoneType", False)]}, {})  # a default filled in; not a method
    assert retyped(edit, probes, only_none, probed({"t::a": [("builtins.int", False)]}, {})) == []
    assert retyped(edit, probes, only_none, probed({"t::a": [("builtins.method", True)]}, {})) != []


def test_a_retyped_patch_found_first_is_chosen_after_one_that_is_not() -> None:
    source = "def f(cmd):\n    return 'w' in cmd.parts\n\n\ndef g(n):\n    return n + 1 if n is not None else n\n"
    wrong, right = candidate(source, "cmd.parts", "cmd.text", 2), candidate(source, "n + 1", "n + 2", 6)
    assert [r.candidate for r in rank_plausible([right, wrong], Evidence())] == [wrong, right]  # smaller
    concern = "`cmd.text` at m.py:2 is a string where `cmd.parts`, the expression it replaced, was a list"
    ranked = rank_plausible([wrong, right], Evidence(retyped={wrong.diff(): [concern]}))
    assert [r.candidate for r in ranked] == [right, wrong]
    assert ranked[1].doubts == [concern] and ranked[1].concerns[0] == concern and ranked[0].doubts == []


def test_the_covering_tests_are_the_passing_ones_that_run_a_replaced_line() -> None:
    edit = change(SIZED, "else self.size", "else self.refresh")
    coverage = {"t::a": {"pkg/buf.py": [8, 9]}, "t::b": {"pkg/buf.py": [2, 3]}, "t::c": {"pkg/buf.py": [9]}}
    assert covering(edit, coverage, ["t::a", "t::b"], limit=5) == ["t::a"]


def test_the_plugin_records_each_tests_types_in_a_real_pytest_run(tmp_path: Path) -> None:
    """The sandbox half, run on the host's Python: the function gets an instrumented copy of its
    code once its module is imported, and each test's kinds of value go to the report."""
    repo = make_project(
        tmp_path / "repo",
        {
            "pkg/__init__.py": "",
            "pkg/buf.py": SIZED.replace("else self.size", "else self.refresh"),
            "tests/test_buf.py": BUFFER_TESTS,
        },
    )
    probes = sites(change(SIZED, "else self.size", "else self.refresh"))
    assert probes is not None
    reports = tmp_path / "reports"
    reports.mkdir()
    plan = probe_plan(["-q", "-p", "no:cacheprovider", "tests"], str(reports), probes[1])
    for name, text in plan.files.items():
        (reports / name).write_text(text)
    argv = [sys.executable if word == "python" else word for word in plan.commands[0]]
    run = subprocess.run(argv, cwd=repo, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    seen = read_probe({"probe.json": (reports / "probe.json").read_text()})
    assert seen.error == "" and seen.values == {"tests/test_buf.py::test_size_given": [("builtins.method", True)]}
    assert seen.returns["tests/test_buf.py::test_items"] == [("builtins.int", False)]
    assert json.loads((reports / "probe.json").read_text())["returns"]["tests/test_buf.py::test_size_given"] == [
        ["builtins.method", True]
    ]


RETYPE = meta_candidate("a - b", "a.__add__", "retype add")


class ProbingWorld(World):
    """A probe run reports, on the passing test, the kind of value the applied candidate makes."""

    def __init__(self, kinds: dict[str, list[Seen]]) -> None:
        super().__init__({T_ADD: FAILED, T_OK: PASSED}, {"fix add": {T_ADD: PASSED}, "retype add": {T_ADD: PASSED}})
        self.kinds = kinds

    def answer(self, proposal: Proposal) -> Feedback:
        feedback = super().answer(proposal)
        if isinstance(proposal, RunTests) and proposal.probe is not None and feedback.outcome is not None:
            assert feedback.outcome.report is not None
            seen = self.kinds.get(self.applied or "", [("builtins.int", False)])
            return ran(feedback.outcome.report.model_copy(update={"probed": Probed(values={T_OK: seen})}))
        return feedback


def probing_planner(tmp_path: Path) -> PhasePlanner:
    (tmp_path / "m.py").write_text(SOURCE)
    return PhasePlanner(
        FakeStrategy([RETYPE, FIX_ADD]), tmp_path, PlanOptions(language="python", workdir=str(tmp_path), probes=True)
    )


def test_the_plan_probes_each_plausible_patch_and_chooses_the_one_that_keeps_the_type(tmp_path: Path) -> None:
    planner, world = probing_planner(tmp_path), ProbingWorld({"retype add": [("builtins.method", True)]})
    proposals = world.run(planner)
    probes = [p for p in proposals if isinstance(p, RunTests) and p.probe is not None]
    # both replace `a - b`: one run without a patch serves both, then one with each (and the failing target)
    assert [(p.tests, p.probe.value is not None) for p in probes] == [  # type: ignore[union-attr]
        ((T_OK,), True),
        ((T_OK, T_ADD), True),
        ((T_OK, T_ADD), True),
    ]
    verdict = planner.verdict()
    assert verdict.status is SessionStatus.FIXED and verdict.patch == FIX_ADD.diff()
    assert verdict.alternatives[0].concerns[0].startswith("`a.__add__` at m.py:2 is a bound method (callable)")


def test_what_the_probes_saw_stands_when_the_budget_cuts_verify(tmp_path: Path) -> None:
    planner, world = probing_planner(tmp_path), ProbingWorld({"retype add": [("builtins.method", True)]})
    proposal = planner.next()
    while not (proposal.phase is Phase.VERIFY and proposal.rationale == f"apply {FIX_ADD.description}"):
        assert not isinstance(proposal, Finish), world.proposals
        world.proposals.append(proposal)
        planner.observe(world.answer(proposal))
        proposal = planner.next()
    verdict = planner.unverified("the budget")  # the controller's budget ended the session here
    assert verdict is not None and verdict.status is SessionStatus.BUDGET_EXHAUSTED
    assert verdict.patch == FIX_ADD.diff()
    assert verdict.alternatives[0].concerns[0].startswith("`a.__add__` at m.py:2 is a bound method (callable)")


@pytest.fixture(scope="module")
def settings(rfsn_home: Path) -> Settings:
    """Local sandbox; its venv in the run's rfsn home (built once a worker, for every module)."""
    return load_settings(home=rfsn_home, sandbox="local", test_timeout=120)


def repair(tmp_path: Path, settings: Settings, cut: str) -> tuple[SessionStatus, str, list[str], Path]:
    repo = make_project(
        tmp_path / "repo",
        {"rules/__init__.py": "", "rules/command.py": COMMAND.format(cut=cut), "tests/test_command.py": COMMAND_TESTS},
        name="rules",
    )
    options = RepairOptions(out_dir=tmp_path / "out", sandbox="local", session_id="s", timeout=300)
    result = repair_workspace(prepare(str(repo), tmp_path / "ws"), options, settings)
    return result.status, result.patch, result.concerns, tmp_path / "out" / "s"


def test_a_list_that_became_a_string_loses_to_the_fix_that_keeps_the_list(tmp_path: Path, settings: Settings) -> None:
    """Issue 71's ``cmd.parts`` -> ``cmd.text``, in a real session in the local sandbox: the
    template that reads the string instead is plausible and found first; the one that keeps the
    program among the parts is chosen, ``fixed``."""
    status, patch, concerns, out = repair(tmp_path, settings, "\n        self.parts = script.split()[1:]")
    assert status is SessionStatus.FIXED, (patch, concerns)
    assert "+        self.parts = script.split()[0:]" in patch and concerns == []
    alternatives = json.loads((out / "result.json").read_text())["alternatives"]
    assert any(
        "`cmd.script` at rules/command.py:9 is a string where `cmd.parts`" in c
        for a in alternatives
        for c in a["concerns"]
    ), alternatives


def test_a_list_that_became_a_string_alone_ends_plausible_with_the_concern_named(
    tmp_path: Path, settings: Settings
) -> None:
    status, patch, concerns, out = repair(tmp_path, settings, "")
    assert status is SessionStatus.PLAUSIBLE, (patch, concerns)
    assert '+    return "git" in cmd.script and "push" in cmd.script' in patch
    assert concerns and concerns[0].startswith("`cmd.script` at rules/command.py:8 is a string where `cmd.parts`")
    assert (out / "patch.diff").read_text() == patch
    report = (out / "report.md").read_text()
    assert "# rfsn repair: plausible" in report and concerns[0] in report
