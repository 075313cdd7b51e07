"""Rules that depend on the real workspace: symlinks made earlier, .git, files on disk."""

from __future__ import annotations

import os
from pathlib import Path

from rfsn.gate import Gate
from rfsn.models import Edit, Phase, ReadFile, Search
from tests.gate.attacks import MOD_PY_FIX, new_file
from tests.gate.conftest import ctx


def test_symlink_created_by_an_earlier_step_is_not_followed_out(gate: Gate, fresh_repo: Path) -> None:
    """A symlink that appears in the workspace later (after an accepted step) is checked as it is now."""
    os.symlink(fresh_repo.parent / "outside", fresh_repo / "pkg" / "later")
    decision = gate.check(ReadFile(path="pkg/later/secret.txt"), ctx(fresh_repo, Phase.LOCALIZE))
    assert decision.rule == "path_escape"


def test_write_through_symlinked_directory_is_rejected(gate: Gate, fresh_repo: Path) -> None:
    """An edit may not write through a symlinked directory, even one pointing inside."""
    os.symlink("pkg", fresh_repo / "alias")
    decision = gate.check(Edit(patch=MOD_PY_FIX.replace("pkg/mod.py", "alias/mod.py")), ctx(fresh_repo))
    assert decision.rule == "path_escape"


def test_new_file_under_symlinked_directory_is_rejected(gate: Gate, fresh_repo: Path) -> None:
    """Creating a file below a symlinked directory is writing through the link."""
    decision = gate.check(Edit(patch=new_file("escape_dir/planted.py", ["x = 1"])), ctx(fresh_repo))
    assert decision.rule == "path_escape"


def test_patch_creating_a_symlink_is_rejected(gate: Gate, fresh_repo: Path) -> None:
    """Patches may not create symbolic links at all (mode 120000)."""
    decision = gate.check(Edit(patch=new_file("pkg/ln", ["../../outside"], mode="120000")), ctx(fresh_repo))
    assert decision.rule == "path_escape"


def test_symlinked_git_directory_target_is_protected(gate: Gate, fresh_repo: Path) -> None:
    """A link that resolves into .git is as protected as .git itself."""
    os.symlink(".git", fresh_repo / "innocent")
    decision = gate.check(ReadFile(path="innocent/config"), ctx(fresh_repo, Phase.LOCALIZE))
    assert decision.rule == "protected_path"


def test_search_through_symlink_out_of_workspace_is_rejected(gate: Gate, repo: Path) -> None:
    """Search roots are held to the same path rules as reads."""
    decision = gate.check(Search(pattern="secret", path="escape_dir"), ctx(repo, Phase.LOCALIZE))
    assert decision.rule == "path_escape"


def test_patch_that_no_longer_applies_after_workspace_change_is_rejected(gate: Gate, fresh_repo: Path) -> None:
    """Patches are checked against the workspace as it is now, not as it was."""
    assert gate.check(Edit(patch=MOD_PY_FIX), ctx(fresh_repo)).accepted
    (fresh_repo / "pkg" / "mod.py").write_text("def add(a, b):\n    return b - a\n")
    assert gate.check(Edit(patch=MOD_PY_FIX), ctx(fresh_repo)).rule == "patch_does_not_apply"


def test_git_apply_check_agrees_with_the_python_applier(gate: Gate, fresh_repo: Path) -> None:
    """An accepted patch is also accepted by 'git apply --check' (the executor's view)."""
    import subprocess

    assert gate.check(Edit(patch=MOD_PY_FIX), ctx(fresh_repo)).accepted
    proc = subprocess.run(
        ["git", "apply", "--check", "-"], cwd=fresh_repo, input=MOD_PY_FIX.encode(), capture_output=True, check=False
    )
    assert proc.returncode == 0
