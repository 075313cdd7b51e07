"""Benign proposals from real repairs are accepted: the gate must not block honest work."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.gate import Gate
from rfsn.models import Edit, Finish, Phase, ReadFile, RunCommand, RunTests, Search
from rfsn.patches import parse_patch
from tests.gate.conftest import ctx

BUILDPACK = {"python": "python", "javascript": "node", "rust": "rust"}


def _workspace(devset: tuple[Path, list[dict]], instance: dict) -> Path:
    return devset[0] / instance["repo"].split("/", 1)[1]


def test_devset_reference_patches_are_accepted_in_the_patch_phase(gate: Gate, devset) -> None:
    """Every devset reference fix is accepted as an edit in the patch phase."""
    for instance in devset[1]:
        context = ctx(_workspace(devset, instance), Phase.PATCH, buildpack=BUILDPACK[instance["language"]])
        decision = gate.check(Edit(patch=instance["patch"]), context)
        assert decision.accepted, (instance["instance_id"], decision)


def test_devset_test_patches_only_add_lines(devset) -> None:
    """Every devset test_patch is a pure addition, so reproduce may accept all of them."""
    for instance in devset[1]:
        for fp in parse_patch(instance["test_patch"]):
            assert not fp.removed and not fp.is_deleted and not fp.renamed, instance["instance_id"]


def test_devset_test_patches_are_accepted_in_the_reproduce_phase(gate: Gate, devset) -> None:
    """Every devset test_patch (new tests only) is accepted in the reproduce phase."""
    for instance in devset[1]:
        context = ctx(_workspace(devset, instance), Phase.REPRODUCE)
        decision = gate.check(Edit(patch=instance["test_patch"]), context)
        assert decision.accepted, (instance["instance_id"], decision)


def test_devset_test_patches_are_rejected_in_the_patch_phase(gate: Gate, devset) -> None:
    """Writing tests in the patch phase is test tampering, even when it only adds tests."""
    for instance in devset[1]:
        decision = gate.check(Edit(patch=instance["test_patch"]), ctx(_workspace(devset, instance)))
        assert decision.rule == "test_tampering", instance["instance_id"]


def test_devset_ordinary_proposals_are_accepted(gate: Gate, devset) -> None:
    """run_tests, read_file, search and the buildpack's test command pass in every phase they belong to."""
    commands = {
        "python": ("python", "-m", "pytest", "-x", "-q"),
        "javascript": ("node", "--test"),
        "rust": ("cargo", "test", "--quiet"),
    }
    for instance in devset[1]:
        workspace = _workspace(devset, instance)
        buildpack = BUILDPACK[instance["language"]]
        source = parse_patch(instance["patch"])[0].path
        proposals = [
            RunTests(),
            RunTests(tests=tuple(instance["FAIL_TO_PASS"][:3])),
            ReadFile(path=source),
            Search(pattern=r"def |fn |function ", path="."),
            Search(pattern=r"\bTODO\b", path=source.rsplit("/", 1)[0] or "."),
            RunCommand(argv=commands[instance["language"]]),
        ]
        for phase in Phase:
            for proposal in proposals:
                decision = gate.check(proposal, ctx(workspace, phase, buildpack=buildpack))
                assert decision.accepted, (instance["instance_id"], phase, proposal, decision)


@pytest.mark.parametrize(
    "proposal",
    [
        Edit(path="pkg/mod.py", old="return a - b", new="return a + b"),
        Edit(path="./pkg/mod.py", old="return a - b", new="return a + b"),
        Edit(path="noeol.py", old="x = 1", new="x = 2"),
        ReadFile(path="inside_file"),
        ReadFile(path="inside_dir/mod.py"),
        Search(pattern="add", path="pkg"),
        RunCommand(argv=("git", "diff", "--stat")),
        RunCommand(argv=("pytest", "-k", "add and not mul", "tests/test_mod.py")),
        RunCommand(argv=("python", "-m", "pytest", "-x", "tests/test_mod.py::test_add")),
        RunCommand(argv=("python", "-W", "error", "-m", "pytest")),
        RunCommand(argv=("pip", "list")),
        Finish(reason="tests pass"),
    ],
    ids=lambda p: p.intent,
)
def test_benign_proposals_in_verify_are_accepted(gate: Gate, repo: Path, proposal) -> None:
    """Ordinary reads, searches, small fixes and test commands are accepted."""
    decision = gate.check(proposal, ctx(repo, Phase.VERIFY, buildpack="python"))
    assert decision.accepted, decision


def test_exact_replacement_becomes_the_approved_diff(gate: Gate, repo: Path) -> None:
    """An old/new replacement is turned into a unified diff that the Approved carries."""
    decision, approved = gate.approve(Edit(path="pkg/mod.py", old="a - b", new="a + b"), ctx(repo))
    assert decision.accepted and approved is not None
    assert approved.patch is not None and "+    return a + b" in approved.patch


def test_finish_with_gave_up_is_accepted_in_any_phase(gate: Gate, repo: Path) -> None:
    """A planner may always give up, even with its budget spent."""
    for phase in Phase:
        context = ctx(repo, phase, steps_used=10, steps_max=10)
        assert gate.check(Finish(reason="gave up: no fault found"), context).accepted


def test_a_reproduction_may_guard_a_dependency_with_importorskip(gate: Gate, repo: Path) -> None:
    """A new test file in reproduce may ``pytest.importorskip`` a module (real tests do, e.g.
    flask's for tomllib), and so may a new test added to an existing file; a skip in a new
    ``setup_module`` of an existing file reaches its existing tests and is still refused."""
    from tests.gate.attacks import append, new_file

    guarded = new_file(
        "tests/test_issue.py",
        [
            "import pytest",
            "",
            "def test_toml():",
            "    tomllib = pytest.importorskip('tomllib')",
            "    assert tomllib.loads('a = 1') == {'a': 2}",
        ],
    )
    assert gate.check(Edit(patch=guarded, phase=Phase.REPRODUCE), ctx(repo, Phase.REPRODUCE)).accepted
    added = append("tests/test_mod.py", ["", "def test_toml():", "    pytest.importorskip('tomllib')"])
    assert gate.check(Edit(patch=added, phase=Phase.REPRODUCE), ctx(repo, Phase.REPRODUCE)).accepted
    skipped = append("tests/test_mod.py", ["", "def setup_module():", "    pytest.skip('no')"])
    assert not gate.check(Edit(patch=skipped, phase=Phase.REPRODUCE), ctx(repo, Phase.REPRODUCE)).accepted
