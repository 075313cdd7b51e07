"""Applying predictions like the harness: fallbacks, and tests a prediction cannot change."""

from __future__ import annotations

import subprocess
from pathlib import Path

from rfsn.batch.harness.patching import apply_patch, apply_test_patch
from rfsn.batch.harness.repos import checkout, resolve_source
from rfsn.patches import touched_files
from rfsn.workspace import Workspace


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def make_repo(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "origin"
    (repo / "tests").mkdir(parents=True)
    (repo / "calc.py").write_text("".join(f"line{i}\n" for i in range(1, 21)))
    (repo / "tests" / "test_calc.py").write_text("def test_a():\n    assert True\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    return repo, git(repo, "rev-parse", "HEAD").strip()


def workspace(tmp_path: Path) -> Workspace:
    repo, commit = make_repo(tmp_path)
    return checkout(resolve_source(str(repo), None), tmp_path / "ws", commit, tmp_path / "cache")


PATCH = """--- a/calc.py
+++ b/calc.py
@@ -9,3 +9,3 @@
 line9
-line10
+LINE10
 line11
"""


def test_exact_patch_applies_with_git_apply(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    result = apply_patch(ws, PATCH)
    assert result.applied and result.command == "git apply --verbose"
    assert "LINE10" in (ws.path / "calc.py").read_text()


def test_patch_with_stale_context_falls_back_to_fuzz(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    fuzzy = PATCH.replace(" line9\n", " line9 changed upstream\n")
    result = apply_patch(ws, fuzzy)
    assert result.applied and result.command.startswith("patch --batch --fuzz=5")
    assert "LINE10" in (ws.path / "calc.py").read_text()


def test_unappliable_patch_leaves_the_base_tree(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    result = apply_patch(ws, PATCH.replace("-line10", "-no such line"))
    assert not result.applied
    assert git(ws.path, "status", "--porcelain") == ""


def test_prediction_cannot_change_the_tests_that_grade_it(tmp_path: Path) -> None:
    """A prediction's edits to a test file the test patch touches are discarded."""
    ws = workspace(tmp_path)
    (ws.path / "tests" / "test_calc.py").write_text("def test_a():\n    pass  # tampered\n")
    test_patch = (
        "--- a/tests/test_calc.py\n+++ b/tests/test_calc.py\n@@ -2,1 +2,3 @@\n"
        "     assert True\n+\n+def test_b():\n+    assert False\n"
    )
    assert apply_test_patch(ws, test_patch, ws.base_commit).applied
    text = (ws.path / "tests" / "test_calc.py").read_text()
    assert "tampered" not in text and "test_b" in text


def test_in_module_tests_keep_the_prediction(tmp_path: Path) -> None:
    """Rust-style tests inside a source file: the fix stays, the tests are added on top."""
    ws = workspace(tmp_path)
    assert apply_patch(ws, PATCH).applied
    test_patch = "--- a/calc.py\n+++ b/calc.py\n@@ -20,1 +20,2 @@\n line20\n+test_line\n"
    assert apply_test_patch(ws, test_patch, ws.base_commit).applied
    text = (ws.path / "calc.py").read_text()
    assert "LINE10" in text and "test_line" in text


def test_paths_and_test_files() -> None:
    assert touched_files(PATCH) == ["calc.py"]
    assert touched_files("diff --git a/x b/y\n") == ["x", "y"]
