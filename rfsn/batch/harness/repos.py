"""From an instance's ``repo`` to a private working copy at its ``base_commit``.

A plain directory (no git repository at its root) is copied as it is when
the instance has no ``base_commit``. ``repo`` is resolved in this order: a local mirror under ``--repos-dir``
(``DIR/owner__name``, ``DIR/owner/name``, ``DIR/name``), the value itself
when it is a directory or a URL, else ``https://github.com/<repo>``. A URL is
cloned once into a bare cache under the rfsn home (under a lock, so parallel
workers share it); every instance then gets a cheap ``--shared`` clone.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from rfsn.errors import WorkspaceError
from rfsn.fsutil import held
from rfsn.workspace import EXCLUDES, Workspace, git, is_url, prepare

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def resolve_source(repo: str, repos_dir: Path | None) -> str:
    """A local path or a URL for ``repo``."""
    if repos_dir is not None:
        owner, _, name = repo.rpartition("/")
        candidates = [repos_dir / repo.replace("/", "__"), repos_dir / repo]
        if owner:
            candidates.append(repos_dir / name)
        for candidate in candidates:
            if _is_git_repo(candidate):
                return str(candidate.resolve())
    if is_url(repo):
        return repo
    if Path(repo).expanduser().is_dir():
        return str(Path(repo).expanduser().resolve())
    return f"https://github.com/{repo}"


def _is_git_repo(path: Path) -> bool:
    """A working copy (``.git``) or a bare repository (``HEAD`` and ``objects``, as a mirror is)."""
    return (path / ".git").exists() or ((path / "HEAD").is_file() and (path / "objects").is_dir())


def _has_commit(repo: Path, commit: str) -> bool:
    proc = git(repo, "cat-file", "-e", f"{commit}^{{commit}}", check=False)
    return proc.returncode == 0


def ensure_mirror(url: str, cache: Path, commit: str, timeout: float) -> Path:
    """A bare clone of ``url`` under ``cache`` that contains ``commit``."""
    slug = _SAFE.sub("_", url.rstrip("/").rsplit("/", 2)[-2:][-1])[:40]
    mirror = cache / f"{slug}-{hashlib.sha256(url.encode()).hexdigest()[:10]}.git"
    with held(cache / f"{mirror.name}.lock"):
        if not (mirror / "HEAD").is_file():
            tmp = mirror.with_suffix(".partial")
            if tmp.exists():
                import shutil

                shutil.rmtree(tmp)
            git(cache, "clone", "-q", "--bare", "--", url, str(tmp), timeout=timeout)
            tmp.rename(mirror)
        if commit and not _has_commit(mirror, commit):
            git(mirror, "fetch", "-q", "origin", commit, timeout=timeout, check=False)
    return mirror


def checkout(source: str, dest: Path, commit: str, cache: Path, timeout: float = 600.0) -> Workspace:
    """A working copy of ``source`` at ``commit`` in ``dest`` (which must not exist)."""
    if dest.exists():
        raise WorkspaceError(f"{dest} already exists")
    if not is_url(source) and not _is_git_repo(Path(source)):
        if commit:
            raise WorkspaceError(f"{source} is not a git repository, so it has no commit {commit!r}")
        return prepare(source, dest, timeout=timeout)  # a plain directory, taken as it is
    origin = str(ensure_mirror(source, cache, commit, timeout)) if is_url(source) else source
    dest.parent.mkdir(parents=True, exist_ok=True)
    git(dest.parent, "clone", "-q", "--shared", "--no-checkout", "--", origin, str(dest),
        timeout=timeout)
    ref = commit or "HEAD"
    done = git(dest, "checkout", "-q", "--force", ref, check=False)
    if done.returncode != 0:  # git's own first line says which: no such commit, or objects missing
        said = next((line.strip() for line in done.stderr.splitlines() if line.strip()), "")
        raise WorkspaceError(f"{source}: cannot check out {commit or 'HEAD'!r}: {said}")
    info = dest / ".git" / "info"
    info.mkdir(parents=True, exist_ok=True)
    with (info / "exclude").open("a", encoding="utf-8") as fh:
        fh.write("\n# rfsn\n" + "\n".join(EXCLUDES) + "\n")
    head = git(dest, "rev-parse", "HEAD").stdout.strip()
    return Workspace(path=dest.resolve(), source=source, base_commit=head)


def commit_all(workspace: Workspace, message: str) -> Workspace:
    """Commit the working tree; the result diffs against the new commit."""
    git(workspace.path, "add", "--all")
    git(workspace.path, "commit", "-q", "--no-verify", "--allow-empty", "-m", message)
    head = git(workspace.path, "rev-parse", "HEAD").stdout.strip()
    return Workspace(path=workspace.path, source=workspace.source, base_commit=head)
