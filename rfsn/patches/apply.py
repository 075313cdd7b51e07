"""Applying a diff, in every way rfsn does, in this one module.

In memory, one file's hunks to its text the way ``git apply`` does without fuzz (``apply_file``:
the gate's and the planners' view of an edit). On disk, a whole diff with host git (rfsn.hostgit)
in one of its modes: ``check`` (reads only; any tree), ``to_worktree`` (a repository rfsn made,
whose config is its own), ``to_foreign`` (a user's tree, through an empty git directory rfsn makes,
so nothing of the repository the tree is in decides what runs: ``git apply`` runs its clean
filters on the files it reads), ``to_index`` (an index file, no work tree) and ``as_harness`` (the
SWE-bench harness's fallbacks in its order, the tree undone between tries).
"""

from __future__ import annotations

import atexit
import functools
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rfsn import hostgit
from rfsn.errors import DiffError, WorkspaceError
from rfsn.patches.parse import FilePatch


def _find(haystack: list[str], needle: list[str], start: int) -> int | None:
    """Nearest index to ``start`` where ``needle`` occurs in ``haystack``."""
    n = len(needle)
    limit = len(haystack) - n
    for delta in range(max(start, limit - start, 0) + 1):
        for pos in (start - delta, start + delta):
            if 0 <= pos <= limit and haystack[pos : pos + n] == needle:
                return pos
    return None


def apply_file(old_text: str | None, fp: FilePatch) -> str | None:
    """The text after applying ``fp`` to ``old_text`` (None for absent); DiffError if it does not fit."""
    if fp.is_new:
        if old_text is not None:
            raise DiffError(f"{fp.path} already exists")
        old_text = ""
    elif old_text is None:
        raise DiffError(f"{fp.old_path} does not exist in the workspace")
    old_lines = old_text.split("\n")
    trailing_newline = old_lines[-1] == "" if old_lines else True
    if trailing_newline:
        old_lines.pop()
    result: list[str] = []
    cursor = 0
    new_trailing = trailing_newline
    for hunk in fp.hunks:
        source = [t for op, t in hunk.lines if op in (" ", "-")]
        target = [t for op, t in hunk.lines if op in (" ", "+")]
        expected = hunk.old_start - 1 if hunk.old_count else hunk.old_start
        pos = _find(old_lines, source, max(expected, cursor)) if source else expected
        # Like git apply: a hunk starting at line 0/1 must match at the beginning,
        # and one without trailing context must match at the end.
        trailing = hunk.lines[-1][0] == " " if hunk.lines else False
        if pos is not None and hunk.old_start <= 1 and pos != 0:
            pos = 0 if old_lines[: len(source)] == source else None
        if pos is not None and not trailing and pos + len(source) != len(old_lines):
            end = len(old_lines) - len(source)
            pos = end if end >= cursor and old_lines[end:] == source else None
        if pos is None or pos < cursor or pos > len(old_lines):
            raise DiffError(f"hunk @@ -{hunk.old_start} does not match {fp.path}")
        result.extend(old_lines[cursor:pos])
        result.extend(target)
        cursor = pos + len(source)
        if cursor == len(old_lines):
            if hunk.old_eof_no_newline == trailing_newline and source:
                raise DiffError(f"end-of-file newline does not match {fp.path}")
            new_trailing = not hunk.new_eof_no_newline
    result.extend(old_lines[cursor:])
    if fp.is_deleted:
        if result:
            raise DiffError(f"deleting {fp.old_path} leaves lines behind")
        return None
    text = "\n".join(result)
    return text + "\n" if (new_trailing and result) else text


@dataclass(frozen=True)
class Applied:
    """How a diff went onto a tree: whether it applied, the command that applied it, their output."""

    applied: bool
    command: str
    log: str


#: the SWE-bench harness's ways of applying a prediction, in its order (a git one runs through rfsn.hostgit)
HARNESS_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("git", "apply", "--verbose"),
    ("git", "apply", "--verbose", "--reject"),
    ("patch", "--batch", "--fuzz=5", "-p1", "-i"),
)


def _git_apply(
    tree: Path, patch: str | bytes, flags: tuple[str, ...], foreign: bool, timeout: float
) -> subprocess.CompletedProcess[Any]:
    """``git apply *flags -`` of ``patch`` in ``tree``; ``foreign``: through an empty git directory."""
    text = isinstance(patch, str)
    if not foreign:
        return hostgit.run(tree, "apply", *flags, "-", text=text, input=patch, timeout=timeout)
    env = {"GIT_DIR": str(_empty_git_dir()), "GIT_WORK_TREE": str(tree)}
    return hostgit.run(tree, "apply", *flags, "-", text=text, input=patch, timeout=timeout, env=env)


@functools.cache
def _empty_git_dir() -> Path:
    """This process's empty git directory (``git apply`` without ``--index`` never writes to it),
    removed when the process exits."""
    own = tempfile.TemporaryDirectory(prefix="rfsn-apply-")
    atexit.register(own.cleanup)  # before the interpreter's own finalizer, which would warn
    hostgit.run(Path(own.name), "init", "-q", "--bare", "--template=")  # no sample hooks to copy
    return Path(own.name)


def check(tree: Path, patch: str, timeout: float = 30.0) -> subprocess.CompletedProcess[bytes]:
    """``git apply --check`` of ``patch`` against the files of ``tree`` (reads only), whoever's
    tree it is; the output is bytes (a diff's text may not be UTF-8)."""
    data = patch.encode("utf-8", "surrogatepass")
    return _git_apply(tree, data, ("--check", "--whitespace=nowarn"), True, timeout)


def to_worktree(repo: Path, patch: str, *flags: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """``git apply *flags`` of ``patch`` to the work tree of ``repo``, a repository rfsn made."""
    return _git_apply(repo, patch, flags, False, timeout)


def to_foreign(tree: Path, patch: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """``git apply`` of ``patch`` to the files of ``tree``, a user's directory, through an empty git
    directory rfsn makes for it: nothing of a repository ``tree`` is in is read (its config's
    filters, hooks, fsmonitor)."""
    return _git_apply(tree, patch, ("--whitespace=nowarn",), True, timeout)


def to_index(repo: Path, patch: str, index: Path) -> bool:
    """Whether ``git apply --cached`` of ``patch`` onto the index file ``index`` of ``repo`` (a
    repository rfsn made) worked; no work tree is read or written."""
    env = {"GIT_INDEX_FILE": str(index)}
    return hostgit.run(None, "-C", str(repo), "apply", "--cached", "-", input=patch, env=env).returncode == 0


def as_harness_test_patch(repo: Path, patch: str, timeout: float = 60.0) -> Applied:
    """Apply a test patch to the work tree of ``repo`` (a repository rfsn made) as the harness
    does: its first command alone, no fallback (the patch is the dataset's, it must apply as it is)."""
    command = HARNESS_COMMANDS[0]
    proc = _git_apply(repo, patch, command[2:], False, timeout)
    return Applied(proc.returncode == 0, " ".join(command), proc.stdout + proc.stderr)


def _try(command: tuple[str, ...], patch_file: str, tree: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    if command[0] == "git":
        return hostgit.run(tree, *command[1:], patch_file, timeout=timeout)
    return subprocess.run([*command, patch_file], cwd=tree, capture_output=True, text=True, timeout=timeout)


def as_harness(tree: Path, patch: str, undo: Callable[[], None], timeout: float = 120.0) -> Applied:
    """Apply ``patch`` to ``tree`` (a repository rfsn made) as the SWE-bench harness does: each of
    HARNESS_COMMANDS in turn until one works, ``undo`` run after each that does not (so a half-applied
    try never leaks into the next). The patch is written to a file, with a final newline."""
    logs: list[str] = []
    with tempfile.NamedTemporaryFile("w", suffix=".diff", delete=False, encoding="utf-8") as fh:
        fh.write(patch if patch.endswith("\n") else patch + "\n")
        patch_file = fh.name
    try:
        for command in HARNESS_COMMANDS:
            try:
                proc = _try(command, patch_file, tree, timeout)
            except (OSError, subprocess.TimeoutExpired, WorkspaceError) as exc:
                logs.append(f"$ {' '.join(command)}\n{exc}")
                undo()
                continue
            logs.append(f"$ {' '.join(command)}\n{proc.stdout}{proc.stderr}")
            if proc.returncode == 0:
                return Applied(True, " ".join(command), "\n".join(logs))
            undo()
    finally:
        Path(patch_file).unlink(missing_ok=True)
    return Applied(False, "", "\n".join(logs))
