"""The size tier bounds the fix: in a Python test module, the lines of new tests and of
statements an edit leaves as they were (a reformat) are not counted; code is."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.gate import Gate, GatePolicy
from rfsn.models import Edit, Phase
from rfsn.patches import new_file_diff, unified_diff
from tests.gate.conftest import ctx, make_repo

#: a test module of 150 tests, each on 2 lines, its calls written on one line
MODULE = "from pkg.mod import add\n\n\n" + "".join(
    f"def test_add_{i}():\n    assert add({i}, 1) == {i + 1}\n\n\n" for i in range(150)
)
#: the same module reformatted: each call on three lines, the same code (ast unchanged)
REFORMATTED = "from pkg.mod import add\n\n\n" + "".join(
    f"def test_add_{i}():\n    assert add(\n        {i}, 1\n    ) == {i + 1}\n\n\n" for i in range(150)
)
NEW_TESTS = "".join(f"def test_more_{i}():\n    assert add({i}, 2) == {i + 2}\n\n\n" for i in range(150))
HELPERS = "".join(f"def helper_{i}(a):\n    return add(a, {i})\n\n\n" for i in range(150))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    workspace = make_repo(tmp_path)
    (workspace / "tests" / "test_many.py").write_text(MODULE)
    return workspace


def _rule(repo: Path, patch: str, allow_test_edits: bool = True) -> str | None:
    decision = Gate(GatePolicy(allow_test_edits=allow_test_edits)).check(Edit(patch=patch), ctx(repo, Phase.PATCH))
    return None if decision.accepted else decision.rule


def test_sphinx_d03156e078_a_reformat_of_a_test_module_is_not_held_to_the_size_tier(repo: Path) -> None:
    patch = unified_diff("tests/test_many.py", MODULE, REFORMATTED)
    assert patch.count("\n+") + patch.count("\n-") > 600
    assert _rule(repo, patch) is None


def test_new_tests_added_to_a_test_module_are_not_held_to_the_size_tier(repo: Path) -> None:
    assert _rule(repo, unified_diff("tests/test_many.py", MODULE, MODULE + NEW_TESTS)) is None
    assert _rule(repo, new_file_diff("tests/test_more.py", "from pkg.mod import add\n\n\n" + NEW_TESTS)) is None


@pytest.mark.parametrize(
    "name",
    [
        "helpers_in_a_test_module",
        "helpers_in_a_new_test_module",
        "tests_rewritten",
        "helper_module_under_tests",
        "source",
    ],
)
def test_code_in_or_beside_tests_is_still_held_to_the_size_tier(repo: Path, name: str) -> None:
    rewritten = MODULE.replace("    assert add(", "    x = 0\n    assert x + add(")
    head = "from pkg.mod import add\n\n\n"
    patch = {
        "helpers_in_a_test_module": unified_diff("tests/test_many.py", MODULE, MODULE + HELPERS),
        "helpers_in_a_new_test_module": new_file_diff("tests/test_helpers.py", head + HELPERS),
        "tests_rewritten": unified_diff("tests/test_many.py", MODULE, rewritten),
        "helper_module_under_tests": new_file_diff("tests/helpers.py", head + NEW_TESTS),
        "source": new_file_diff("pkg/more.py", head + HELPERS),
    }[name]
    assert _rule(repo, patch) == "patch_too_large"


def test_new_tests_do_not_hide_code_beside_them(repo: Path) -> None:
    """The tier counts the code of an edit that also adds tests: 150 tests and 150 helpers."""
    assert _rule(repo, unified_diff("tests/test_many.py", MODULE, MODULE + NEW_TESTS + HELPERS)) == "patch_too_large"


def test_without_allow_test_edits_a_test_edit_is_still_tampering(repo: Path) -> None:
    assert _rule(repo, unified_diff("tests/test_many.py", MODULE, REFORMATTED), False) == "test_tampering"
