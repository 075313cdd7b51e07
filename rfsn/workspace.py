"""Getting a repository into a private working copy, and diffs against its base.

rfsn never touches the user's own tree: a path is copied, a URL is cloned.
Uncommitted changes in a copied path are committed in the copy, so the base
of every diff is exactly what the user had.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from rfsn.errors import WorkspaceError

_URL = re.compile(r"^(https?|ssh|git|file)://|^[\w.-]+@[\w.-]+:")
#: untracked artefacts of builds and test runs, never part of a patch
EXCLUDES = (
    "__pycache__/", "*.pyc", "*.egg-info/", ".pytest_cache/", ".coverage", ".coverage.*",
    "/build/", "/target/", "/node_modules", ".rfsn/",
)
_IDENTITY = {
    "GIT_AUTHOR_NAME": "rfsn", "GIT_AUTHOR_EMAIL": "rfsn@localhost",
    "GIT_COMMITTER_NAME": "rfsn", "GIT_COMMITTER_EMAIL": "rfsn@localhost",
}


def is_url(target: str) -> bool:
    return bool(_URL.match(target))


def git(repo: Path, *args: str, timeout: float = 60.0, check: bool = True,
        input_text: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **_IDENTITY, "GIT_TERMINAL_PROMPT": "0",
           "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=10"}
    try:
        proc = subprocess.run(
            ["git", "-c", "core.hooksPath=/dev/null", "-c", "commit.gpgSign=false", *args],
            cwd=repo, env=env, text=True, capture_output=True, timeout=timeout, input=input_text,
        )
    except subprocess.TimeoutExpired as exc:
        raise WorkspaceError(f"git {args[0]} timed out after {timeout:g}s") from exc
    if check and proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        raise WorkspaceError(f"git {args[0]} failed: {detail}")
    return proc


@dataclass
class Workspace:
    """A private working copy; ``base_commit`` is what diffs are taken against."""

    path: Path
    source: str
    base_commit: str

    def diff(self) -> str:
        """The working tree against the base, new files included, as a unified diff."""
        git(self.path, "add", "--all", "--intent-to-add")
        return git(self.path, "diff", "--no-color", "--no-ext-diff", "--full-index",
                   self.base_commit).stdout

    def reset(self) -> None:
        """Back to the base commit, dropping every change."""
        git(self.path, "reset", "-q", "--hard", self.base_commit)
        git(self.path, "clean", "-q", "-fd")

    def apply(self, patch: str) -> None:
        proc = git(self.path, "apply", "--whitespace=nowarn", "-", input_text=patch, check=False)
        if proc.returncode != 0:
            raise WorkspaceError(f"patch does not apply: {proc.stderr.strip()[:300]}")


def _exclude_artefacts(repo: Path) -> None:
    info = repo / ".git" / "info"
    info.mkdir(parents=True, exist_ok=True)
    with (info / "exclude").open("a", encoding="utf-8") as fh:
        fh.write("\n# rfsn\n" + "\n".join(EXCLUDES) + "\n")


def _checkout(repo: Path, ref: str) -> None:
    proc = git(repo, "checkout", "-q", "--force", ref, check=False)
    if proc.returncode != 0:
        raise WorkspaceError(f"unknown ref {ref!r}")
    git(repo, "clean", "-q", "-fdx")


def _snapshot(repo: Path) -> None:
    """Commit whatever is in the copied tree, so the base is the user's exact state."""
    if git(repo, "status", "--porcelain").stdout.strip():
        git(repo, "add", "--all")
        git(repo, "commit", "-q", "--no-verify", "-m", "rfsn: snapshot of the working tree")


def prepare(target: str, dest: Path, ref: str | None = None, timeout: float = 120.0) -> Workspace:
    """A private copy of ``target`` (path or URL) at ``dest``, checked out at ``ref``."""
    if dest.exists():
        raise WorkspaceError(f"{dest} already exists")
    if is_url(target):
        dest.parent.mkdir(parents=True, exist_ok=True)
        git(dest.parent, "-c", "http.lowSpeedLimit=1000", "-c", "http.lowSpeedTime=20",
            "clone", "-q", "--", target, str(dest), timeout=timeout)
    else:
        source = Path(target).expanduser()
        if not source.is_dir():
            raise WorkspaceError(f"no such directory: {target}")
        source, target_dir = source.resolve(), dest.resolve()
        if source == target_dir or source in target_dir.parents:
            raise WorkspaceError(f"cannot copy {source} into a directory inside itself ({dest})")
        shutil.copytree(source, dest, symlinks=True)
        if not (dest / ".git").exists():
            git(dest, "init", "-q")
    if ref:
        _checkout(dest, ref)
    else:
        _snapshot(dest)
    _exclude_artefacts(dest)
    if not git(dest, "rev-parse", "--verify", "-q", "HEAD", check=False).stdout.strip():
        git(dest, "commit", "-q", "--allow-empty", "--no-verify", "-m", "rfsn: empty base")
    base = git(dest, "rev-parse", "HEAD").stdout.strip()
    return Workspace(path=dest.resolve(), source=target, base_commit=base)
