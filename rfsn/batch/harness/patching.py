"""Applying predictions and test patches the way the SWE-bench harness does.

A model patch is tried with ``git apply --verbose``, then ``git apply
--verbose --reject``, then ``patch --batch --fuzz=5 -p1 -i``; the tree is
reset between attempts so a half-applied try never leaks into the next. The
files the test patch touches are restored to the base commit before it is
applied, so a prediction cannot change the tests that grade it.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rfsn import hostgit
from rfsn.errors import WorkspaceError
from rfsn.models.testfiles import is_test_file
from rfsn.patches import touched_files
from rfsn.workspace import Workspace, git

APPLY_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("git", "apply", "--verbose"),
    ("git", "apply", "--verbose", "--reject"),
    ("patch", "--batch", "--fuzz=5", "-p1", "-i"),
)


@dataclass
class ApplyResult:
    applied: bool
    command: str
    log: str


def _reset(workspace: Workspace) -> None:
    git(workspace.path, "checkout", "-q", "--force", workspace.base_commit)
    git(workspace.path, "clean", "-q", "-fd")


def pristine(workspace: Workspace) -> None:
    """The tree exactly as the base commit has it: nothing a test run wrote is left, ignored
    files (caches, build directories, ``*.egg-info``) included, in its submodules too."""
    git(workspace.path, "checkout", "-q", "--force", "--recurse-submodules", workspace.base_commit)
    git(workspace.path, "clean", "-q", "-ffdx")
    git(workspace.path, "submodule", "foreach", "-q", "--recursive", "git clean -q -ffdx")


def _run(command: tuple[str, ...], patch_file: str, cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    if command[0] == "git":
        return hostgit.run(cwd, *command[1:], patch_file, timeout=timeout)
    return subprocess.run([*command, patch_file], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def apply_patch(workspace: Workspace, patch: str, timeout: float = 120.0) -> ApplyResult:
    """Apply ``patch`` with the harness's fallbacks; the tree is at the base when none works."""
    logs: list[str] = []
    with tempfile.NamedTemporaryFile("w", suffix=".diff", delete=False, encoding="utf-8") as fh:
        fh.write(patch if patch.endswith("\n") else patch + "\n")
        patch_file = fh.name
    try:
        for command in APPLY_COMMANDS:
            try:
                proc = _run(command, patch_file, workspace.path, timeout)
            except (OSError, subprocess.TimeoutExpired, WorkspaceError) as exc:
                logs.append(f"$ {' '.join(command)}\n{exc}")
                _reset(workspace)
                continue
            logs.append(f"$ {' '.join(command)}\n{proc.stdout}{proc.stderr}")
            if proc.returncode == 0:
                return ApplyResult(True, " ".join(command), "\n".join(logs))
            _reset(workspace)
    finally:
        Path(patch_file).unlink(missing_ok=True)
    return ApplyResult(False, "", "\n".join(logs))


def restore_files(workspace: Workspace, paths: list[str], commit: str) -> None:
    """Put ``paths`` back as they are at ``commit``; paths absent there are deleted."""
    for path in paths:
        target = workspace.path / path
        if git(workspace.path, "cat-file", "-e", f"{commit}:{path}", check=False).returncode == 0:
            git(workspace.path, "checkout", "-q", commit, "--", path)
        elif target.is_file() or target.is_symlink():
            target.unlink()


def apply_test_patch(workspace: Workspace, test_patch: str, commit: str) -> ApplyResult:
    """Reset the test patch's test files to ``commit``, then apply it with ``git apply``."""
    if not test_patch.strip():
        return ApplyResult(True, "", "empty test_patch")
    restore_files(workspace, [p for p in touched_files(test_patch) if is_test_file(p)], commit)
    proc = git(workspace.path, "apply", "--verbose", "-", input_text=test_patch, check=False)
    return ApplyResult(proc.returncode == 0, "git apply --verbose", proc.stdout + proc.stderr)
