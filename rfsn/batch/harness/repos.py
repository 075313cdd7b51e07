"""From an instance's ``repo`` to a private working copy at its ``base_commit``.

Where ``repo`` comes from is ``mirrors``' (a mirror under ``--repos-dir``, a path, a URL cloned
once into a cache). The working copy is a repository of its own holding the base commit's
history and nothing newer (``history``): what a session can read of git is what the project
was at that commit. Its submodules likewise (``submodules``). A plain directory without git is
copied as it is when the instance has no ``base_commit``.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

from rfsn.batch.harness.history import copy_history
from rfsn.batch.harness.mirrors import ensure_mirror, is_git_repo, published, resolve_source
from rfsn.batch.harness.submodules import checkout_submodules, source_modules
from rfsn.errors import WorkspaceError
from rfsn.hostgit import commit, git
from rfsn.workspace import EXCLUDES, Workspace, is_url, prepare

__all__ = ["Origin", "checkout", "commit_all", "env_history", "instance_checkout", "published", "resolve_source"]


@dataclass(frozen=True)
class Origin:
    """Where this node finds an instance's ``repo``, by the driver's rules: its mirror under
    ``repos_dir`` when that exists here, else ``cache`` (URLs cloned once, each clone within
    ``timeout`` seconds), else the published URL; a relative path is relative to
    ``relative_to`` (the instance file's directory)."""

    repo: str
    cache: Path
    timeout: float
    repos_dir: Path | None = None
    relative_to: Path | None = None


def instance_checkout(origin: Origin, commit: str, dest: Path, borrow: tuple[Path, str] | None = None) -> Workspace:
    """A working copy of an instance's repository at ``commit``, found by ``origin``. A node that
    finds none says so (WorkspaceError: the label ``repo``)."""
    repos_dir = origin.repos_dir
    here = repos_dir if repos_dir is not None and repos_dir.is_dir() else None
    try:
        source = resolve_source(origin.repo, here, origin.relative_to)
        upstream = published(origin.repo, origin.relative_to)
        return checkout(
            source, dest, commit, origin.cache, origin.timeout, repos_dir=here, upstream=upstream, borrow=borrow
        )
    except WorkspaceError as exc:
        if here is None and repos_dir is not None:
            raise WorkspaceError(
                f"--repos-dir {repos_dir} does not exist on {socket.gethostname()}, and {exc}"
            ) from exc
        raise


def env_history(origin: Origin, env_commit: str, base_commit: str, workspace: Path, dest: Path) -> Path | None:
    """A host repository at ``env_commit`` (an instance's ``environment_setup_commit``) that also
    reads ``base_commit``'s history (borrowed from ``workspace``, not packed again), when the
    workspace lacks that commit (it is newer than the base, or on another branch): what the env
    build reads and installs from, never mounted in a sandbox. None when the workspace holds
    it, or there is none."""
    if not env_commit or git(workspace, "cat-file", "-e", f"{env_commit}^{{commit}}", check=False).returncode == 0:
        return None
    return instance_checkout(origin, env_commit, dest, borrow=(workspace, base_commit)).path


def checkout(
    source: str,
    dest: Path,
    commit: str,
    cache: Path,
    timeout: float = 600.0,
    *,
    repos_dir: Path | None = None,
    upstream: str = "",
    borrow: tuple[Path, str] | None = None,
) -> Workspace:
    """A working copy of ``source`` at ``commit`` (HEAD when empty) in ``dest`` (which must not
    exist), holding that commit's history alone (``borrow``: see ``copy_history``), its
    submodules checked out from their mirrors (``upstream``: the URL the project is published
    at, which a relative submodule URL is relative to; ``source`` when that is a URL)."""
    if dest.exists():
        raise WorkspaceError(f"{dest} already exists")
    if not is_url(source) and not is_git_repo(Path(source)):
        if commit:
            raise WorkspaceError(f"{source} is not a git repository, so it has no commit {commit!r}")
        return prepare(source, dest, timeout=timeout)  # a plain directory, taken as it is
    origin = ensure_mirror(source, cache, commit, timeout) if is_url(source) else Path(source)
    head = copy_history(origin, dest, commit, timeout, borrow)
    info = dest / ".git" / "info"
    info.mkdir(parents=True, exist_ok=True)
    with (info / "exclude").open("a", encoding="utf-8") as fh:
        fh.write("\n# rfsn\n" + "\n".join(EXCLUDES) + "\n")
    checkout_submodules(
        dest,
        upstream or (source if is_url(source) else ""),
        repos_dir,
        cache,
        timeout,
        None if is_url(source) else source_modules(Path(source)),
    )
    return Workspace(path=dest.resolve(), source=source, base_commit=head)


def commit_all(workspace: Workspace, message: str) -> Workspace:
    """Commit the working tree; the result diffs against the new commit."""
    git(workspace.path, "add", "--all")
    head = commit(workspace.path, message, "--allow-empty")
    return Workspace(path=workspace.path, source=workspace.source, base_commit=head)
