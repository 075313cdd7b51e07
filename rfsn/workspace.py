"""Getting a repository into a private working copy, and diffs against its base.

rfsn never touches the user's own tree: a path is copied, a URL is cloned.
Uncommitted changes in a copied path are committed in the copy, so the base
of every diff is exactly what the user had.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from rfsn.errors import WorkspaceError
from rfsn.hostgit import commit, git
from rfsn.hostgit.adopt import copy_repository
from rfsn.observability.logging import get_logger
from rfsn.patches.apply import to_worktree
from rfsn.patches.parse import touched_files

__all__ = ["EXCLUDES", "Workspace", "is_url", "prepare"]

_URL = re.compile(r"^(https?|ssh|git|file)://|^[\w.-]+@[\w.-]+:")
#: untracked artefacts of builds and test runs, never part of a patch
EXCLUDES = (
    "__pycache__/",
    "*.pyc",
    "*.egg-info/",
    ".pytest_cache/",
    ".coverage",
    ".coverage.*",
    "/build/",
    "/target/",
    "/node_modules",
    "/vendor",
    ".rfsn/",
)
#: a fetch that moves under 1 kB/s for 20 s has stalled: it fails rather than wait out its timeout
_SLOW_IS_DEAD = ("-c", "http.lowSpeedLimit=1000", "-c", "http.lowSpeedTime=20")
log = get_logger(__name__)


def is_url(target: str) -> bool:
    return bool(_URL.match(target))


@dataclass
class Workspace:
    """A private working copy; ``base_commit`` is what diffs are taken against, ``edited`` the
    paths the patches applied to it touched."""

    path: Path
    source: str
    base_commit: str
    edited: set[str] = field(default_factory=set)

    def diff(self, paths: Collection[str] | None = None) -> str:
        """The working tree against the base, new files included, as a unified diff, of ``paths``
        only when given (what a build wrote inside a submodule is never part of it: no
        ``Subproject commit`` lines)."""
        if paths is not None and not paths:
            return ""
        git(self.path, "add", "--all", "--intent-to-add")
        return git(
            self.path,
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--full-index",
            "--ignore-submodules=all",
            self.base_commit,
            *(("--", *(f":(literal){p}" for p in sorted(paths))) if paths is not None else ()),
        ).stdout

    def added(self) -> list[str]:
        """The files the working tree has and the base does not."""
        git(self.path, "add", "--all", "--intent-to-add")
        return git(
            self.path, "diff", "--name-only", "-z", "--diff-filter=A", "--no-renames", self.base_commit
        ).stdout.split("\0")[:-1]

    def discard_new(self, paths: list[str]) -> None:
        """Remove files the session added (never one the base commit has)."""
        for path in paths:
            target = (self.path / path).resolve()
            if (
                self.path not in target.parents
                or git(self.path, "cat-file", "-e", f"{self.base_commit}:{path}", check=False).returncode == 0
            ):
                continue
            git(self.path, "rm", "-q", "--cached", "--ignore-unmatch", "--", path)
            target.unlink(missing_ok=True)

    def reset(self) -> None:
        """Back to the base commit, dropping every change."""
        git(self.path, "reset", "-q", "--hard", self.base_commit)
        git(self.path, "clean", "-q", "-fd")

    def commit(self, message: str) -> str:
        """Commit the working tree and make it the new base of every diff."""
        git(self.path, "add", "--all")
        self.base_commit, self.edited = commit(self.path, message, "--allow-empty"), set()
        return self.base_commit

    def apply(self, patch: str) -> None:
        proc = to_worktree(self.path, patch, "--whitespace=nowarn")
        if proc.returncode != 0:
            raise WorkspaceError(f"patch does not apply: {proc.stderr.strip()[:300]}")
        self.edited.update(touched_files(patch))


def _exclude_artefacts(repo: Path) -> None:
    exclude = repo / git(repo, "rev-parse", "--git-path", "info/exclude").stdout.strip()
    exclude.parent.mkdir(parents=True, exist_ok=True)
    with exclude.open("a", encoding="utf-8") as fh:
        fh.write("\n# rfsn\n" + "\n".join(EXCLUDES) + "\n")


def _checkout(repo: Path, ref: str) -> None:
    proc = git(repo, "checkout", "-q", "--force", ref, check=False)
    if proc.returncode != 0:
        raise WorkspaceError(f"unknown ref {ref!r}")
    git(repo, "clean", "-q", "-fdx")


def _clone_submodules(repo: Path, timeout: float) -> None:
    """Check out the submodules the commit records, nested ones too, as ``git clone
    --recurse-submodules`` would; one that cannot be fetched is left empty and named in a warning."""
    if not (repo / ".gitmodules").is_file():
        return
    proc = git(
        repo, *_SLOW_IS_DEAD, "submodule", "update", "--init", "--recursive", "--quiet", timeout=timeout, check=False
    )
    if proc.returncode != 0:
        log.warning("workspace.submodules_missing", repo=str(repo), reason=proc.stderr.strip()[-500:])


def _snapshot(repo: Path) -> None:
    """Commit whatever is in the copied tree, so the base is the user's exact state (a change inside a
    submodule's own tree stays its own: only a submodule at another commit is staged)."""
    git(repo, "add", "--all")
    if git(repo, "diff", "--cached", "--quiet", check=False).returncode == 1:
        commit(repo, "rfsn: snapshot of the working tree")


def _copy(source: Path, dest: Path) -> None:
    """Copy a directory; the copy and each repository in it get a ``.git`` of rfsn's own holding
    the source's history (rfsn.hostgit.adopt), sharing nothing with the source."""
    if source == dest.resolve() or source in dest.resolve().parents:
        raise WorkspaceError(f"cannot copy {source} into a directory inside itself ({dest})")
    try:
        copy_repository(source, dest)
    except (shutil.Error, OSError) as exc:
        shutil.rmtree(dest, ignore_errors=True)
        errors = exc.args[0] if isinstance(exc, shutil.Error) else None
        reason = f"{errors[0][0]}: {errors[0][2]}" if errors else str(exc)
        raise WorkspaceError(f"cannot copy {source}: {reason}") from exc
    except WorkspaceError:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    if not (dest / ".git").exists():
        git(dest, "init", "-q")


def prepare(target: str, dest: Path, ref: str | None = None, timeout: float = 120.0) -> Workspace:
    """A private copy of ``target`` (path or URL) at ``dest``, checked out at ``ref``."""
    if dest.exists():
        raise WorkspaceError(f"{dest} already exists")
    if is_url(target):
        dest.parent.mkdir(parents=True, exist_ok=True)
        git(dest.parent, *_SLOW_IS_DEAD, "clone", "-q", "--", target, str(dest), timeout=timeout)
    else:
        source = Path(target).expanduser()
        if not source.is_dir():
            raise WorkspaceError(f"no such directory: {target}")
        _copy(source.resolve(), dest)
    if ref:
        _checkout(dest, ref)
    else:
        _snapshot(dest)
    if is_url(target):
        _clone_submodules(dest, timeout)
    _exclude_artefacts(dest)
    if not git(dest, "rev-parse", "--verify", "-q", "HEAD", check=False).stdout.strip():
        commit(dest, "rfsn: empty base", "--allow-empty")
    base = git(dest, "rev-parse", "HEAD").stdout.strip()
    return Workspace(path=dest.resolve(), source=target, base_commit=base)
