"""A user's repository copied into repositories rfsn creates, with no git run under its config.

The working tree is copied without any ``.git``, and with only what git can hold: regular files,
directories and symlinks (a device, named pipe or socket is left out, never read). Each ``.git`` it
held (the top one, a nested repository, a submodule's or a worktree's ``gitdir:`` file, a symlink
to another repository) becomes a fresh repository rfsn initialises, into which the object and ref
files of the one it names are copied as files (a nested one only from inside the source or its
repository). The source is only read: its refs, objects, index and config stay byte for byte as
they were. An ``objects/info/alternates`` entry outside the source's repository is not followed;
a history that is incomplete without it is an error."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from rfsn.errors import WorkspaceError
from rfsn.hostgit import git

_HEAD = re.compile(r"^(ref: refs/\S+|[0-9a-f]{40}|[0-9a-f]{64})\n?$")
_SHA256 = re.compile(rb"^\s*objectformat\s*=\s*sha256\s*$", re.I | re.M)
#: object files that name other places (never followed) rather than hold objects
_BORROWING = {Path("info/alternates"), Path("info/http-alternates")}


def copy_repository(source: Path, dest: Path) -> None:
    """Copy the directory ``source`` to ``dest`` (which must not exist) and give the copy, and
    each repository nested in it, a ``.git`` of rfsn's own holding the source's history. A bare
    repository's copy is its HEAD checked out, as a clone's would be."""
    if _bare(source):
        dest.mkdir(parents=True)
        adopt(source.resolve(), source.resolve(), dest, source)
        git(dest, "checkout", "-q", "--force", "HEAD", timeout=600.0)
        return
    holders: list[Path] = []

    def skip_git(directory: str, names: list[str]) -> set[str]:
        if ".git" in names:
            holders.append(Path(directory).relative_to(source))
        return ({".git"} & set(names)) | _special(directory)

    shutil.copytree(source, dest, symlinks=True, ignore=skip_git)
    inside = [source.resolve()]
    for rel in holders:  # the top first: a nested one may lead into its git directory (.git/modules)
        try:
            gitdir, common = locate(source / rel / ".git")
        except WorkspaceError:
            if rel == Path():
                raise
            continue  # a nested ``.git`` that names no repository: its files are plain files
        if rel == Path():
            inside.append(common)
        elif not any(gitdir == place or place in gitdir.parents for place in inside):
            continue  # a nested one never brings in a repository from elsewhere on the host
        adopt(gitdir, common, dest / rel, source)


def _bare(source: Path) -> bool:
    """Whether ``source`` is a git directory itself (no ``.git`` in it, but a HEAD, objects and refs)."""
    if (source / ".git").exists() or not (source / "refs").is_dir():
        return False
    try:
        locate(source)
    except WorkspaceError:
        return False
    return True


def _special(directory: str) -> set[str]:
    """The names in ``directory`` of what git cannot hold and a copy would read without bound or
    block on: devices, named pipes, sockets."""
    with os.scandir(directory) as entries:
        return {
            e.name
            for e in entries
            if not (e.is_file(follow_symlinks=False) or e.is_dir(follow_symlinks=False) or e.is_symlink())
        }


def locate(dotgit: Path) -> tuple[Path, Path]:
    """The git directory ``dotgit`` names (itself, a symlink's target or a ``gitdir:`` file's) and
    its common directory (a worktree's shared one, else the same)."""
    if dotgit.is_file() and not dotgit.is_symlink():
        text = dotgit.read_text(encoding="utf-8", errors="replace").strip()
        if not text.startswith("gitdir:"):
            raise WorkspaceError(f"{dotgit} is neither a git directory nor a gitdir: file")
        gitdir = (dotgit.parent / text.removeprefix("gitdir:").strip()).resolve()
    else:
        gitdir = dotgit.resolve()
    common = gitdir
    if (gitdir / "commondir").is_file():
        common = (gitdir / (gitdir / "commondir").read_text(encoding="utf-8").strip()).resolve()
    if not (gitdir / "HEAD").is_file() or not (common / "objects").is_dir():
        raise WorkspaceError(f"{dotgit} names no git repository ({gitdir})")
    if (common / "reftable").exists():
        raise WorkspaceError(f"{common} keeps its refs in a reftable, which rfsn cannot copy")
    return gitdir, common


def adopt(gitdir: Path, common: Path, worktree: Path, root: Path) -> None:
    """Make ``worktree/.git`` a fresh repository with the objects and refs of ``gitdir`` (whose
    shared files are in ``common``), checked out at its HEAD with an index of the HEAD's tree."""
    config = common / "config"
    sha256 = config.is_file() and _SHA256.search(config.read_bytes())
    git(worktree, "init", "-q", *(["--object-format=sha256"] if sha256 else []))
    own = worktree / ".git"
    outside = _copy_objects(common / "objects", own / "objects", (common, root.resolve()))
    for name in ("packed-refs", "shallow", "info/exclude"):
        if (common / name).is_file() and not (common / name).is_symlink():
            shutil.copyfile(common / name, own / name)
    _copy_files(common / "refs", own / "refs")
    head = (gitdir / "HEAD").read_text(encoding="utf-8", errors="replace")
    if not _HEAD.match(head):
        raise WorkspaceError(f"{gitdir / 'HEAD'} is not a ref nor a commit: {head[:80]!r}")
    (own / "HEAD").write_text(head if head.endswith("\n") else head + "\n", encoding="utf-8")
    whole = (
        not outside
        or git(worktree, "rev-list", "--objects", "--all", "--quiet", check=False, timeout=600.0).returncode == 0
    )
    if not whole:
        raise WorkspaceError(
            f"{gitdir}: its history is incomplete without {outside[0]} (objects/info/alternates), "
            "which rfsn does not read outside the repository; `git repack -a -d` there makes it whole"
        )
    if git(worktree, "rev-parse", "--verify", "-q", "HEAD", check=False).returncode == 0:
        git(worktree, "reset", "-q", timeout=600.0)


def _copy_objects(objects: Path, dest: Path, inside: tuple[Path, ...]) -> list[Path]:
    """Copy ``objects`` and the alternates it names inside ``inside`` into ``dest``; returns the
    alternates it names outside, which are not read."""
    outside: list[Path] = []
    pending, seen = [objects.resolve()], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        _copy_files(current, dest, skip=_BORROWING)
        for other in _alternates(current):
            if any(other == place or place in other.parents for place in inside):
                pending.append(other)
            else:
                outside.append(other)
    return outside


def _alternates(objects: Path) -> list[Path]:
    alternates = objects / "info" / "alternates"
    if not alternates.is_file() or alternates.is_symlink():
        return []
    lines = alternates.read_text(encoding="utf-8", errors="replace").splitlines()
    return [(objects / line.strip()).resolve() for line in lines if line.strip() and not line.startswith("#")]


def _copy_files(source: Path, dest: Path, skip: set[Path] | frozenset[Path] = frozenset()) -> None:
    """Copy the regular files under ``source`` into ``dest`` (merging); symlinks are not followed."""
    if not source.is_dir() or source.is_symlink():
        return
    for directory, _, names in os.walk(source):
        rel = Path(directory).relative_to(source)
        (dest / rel).mkdir(parents=True, exist_ok=True)
        for name in names:
            path = Path(directory) / name
            if rel / name not in skip and path.is_file() and not path.is_symlink():
                shutil.copyfile(path, dest / rel / name)
