"""Applying predictions and test patches to a batch workspace the way the SWE-bench harness does.

A model patch is tried with the harness's commands in its order (rfsn.patches.apply.as_harness:
``git apply --verbose``, then with ``--reject``, then ``patch --batch --fuzz=5 -p1 -i``); the
tree is reset to the base between attempts. The files the test patch touches are restored to the
base commit before it is applied, so a prediction cannot change the tests that grade it.
"""

from __future__ import annotations

from pathlib import Path

from rfsn.buildpacks.testfiles import is_test_file
from rfsn.hostgit import git
from rfsn.patches import touched_files
from rfsn.patches.apply import Applied, as_harness, as_harness_test_patch
from rfsn.workspace import Workspace


def _reset(workspace: Workspace) -> None:
    git(workspace.path, "checkout", "-q", "--force", workspace.base_commit)
    git(workspace.path, "clean", "-q", "-fd")


def pristine(workspace: Workspace) -> None:
    """The tree exactly as the base commit has it: nothing a test run wrote is left, ignored
    files (caches, build directories, ``*.egg-info``) included, in its submodules too."""
    git(workspace.path, "checkout", "-q", "--force", "--recurse-submodules", workspace.base_commit)
    _clean(workspace.path)


def _clean(repo: Path) -> None:
    """``git clean -ffdx`` in ``repo`` and in each submodule checked out in it, nested ones too
    (what ``git submodule foreach --recursive`` visits), each through the runner."""
    git(repo, "clean", "-q", "-ffdx")
    for entry in git(repo, "ls-files", "-z", "--stage").stdout.split("\0"):
        mode, _, path = entry.partition("\t")
        if mode.startswith("160000 ") and (repo / path / ".git").exists():
            _clean(repo / path)


def apply_patch(workspace: Workspace, patch: str, timeout: float = 120.0) -> Applied:
    """Apply ``patch`` with the harness's fallbacks; the tree is at the base when none works."""
    return as_harness(workspace.path, patch, lambda: _reset(workspace), timeout)


def restore_files(workspace: Workspace, paths: list[str], commit: str) -> None:
    """Put ``paths`` back as they are at ``commit``; paths absent there are deleted."""
    for path in paths:
        target = workspace.path / path
        if git(workspace.path, "cat-file", "-e", f"{commit}:{path}", check=False).returncode == 0:
            git(workspace.path, "checkout", "-q", commit, "--", path)
        elif target.is_file() or target.is_symlink():
            target.unlink()


def apply_test_patch(workspace: Workspace, test_patch: str, commit: str) -> Applied:
    """Reset the test patch's test files to ``commit``, then apply it with ``git apply``."""
    if not test_patch.strip():
        return Applied(True, "", "empty test_patch")
    restore_files(workspace, [p for p in touched_files(test_patch) if is_test_file(p)], commit)
    return as_harness_test_patch(workspace.path, test_patch)
