"""From an instance's ``repo`` to a private working copy at its ``base_commit``.

``repo`` is resolved in this order: a local mirror under ``--repos-dir`` (``DIR/owner__name``,
``DIR/owner/name``, ``DIR/name``), the value itself when it is a directory, then (only without
``--repos-dir``) a URL, and ``owner/name`` as ``https://github.com/<repo>``; anything else is
an input error, so a missing path never reaches a host. A plain directory without git is copied
as it is when the instance has no ``base_commit``. A URL is cloned once into a bare cache
under the rfsn home (under a lock); each instance gets a ``--shared`` clone. Submodules the
commit records are checked out as after a recursive clone: from the source's own copy of the
submodule (``.git/modules``, where a recursive clone keeps it), else from mirrors found the same
way; one neither provides is left empty, as a plain clone leaves it.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import shutil
import socket
from pathlib import Path

from rfsn.errors import WorkspaceError
from rfsn.fsutil import held
from rfsn.observability.logging import get_logger
from rfsn.workspace import EXCLUDES, Workspace, commit, git, is_url, prepare

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_NAME = re.compile(r"[A-Za-z0-9._-]+")
log = get_logger(__name__)


def resolve_source(repo: str, repos_dir: Path | None) -> str:
    """A local path or a URL for ``repo``; WorkspaceError when there is none to use."""
    local = _local_mirror(repo, repos_dir)
    if local is not None:
        return local
    if not is_url(repo) and Path(repo).expanduser().is_dir():
        return str(Path(repo).expanduser().resolve())
    if repos_dir is not None:
        raise WorkspaceError(f"repo {repo!r}: no mirror under --repos-dir {repos_dir} "
                          "(DIR/owner__name, DIR/owner/name or DIR/name) and no such directory")
    url = published(repo)
    if not url:
        raise WorkspaceError(f"repo {repo!r}: no such directory, and not owner/name or a URL")
    return url


def instance_checkout(repo: str, commit: str, dest: Path, cache: Path, timeout: float,
                      repos_dir: Path | None) -> Workspace:
    """A working copy of an instance's ``repo`` at ``commit`` found on this node by the
    driver's rules: its mirror under ``repos_dir`` when that exists here, else the cache, else
    the published URL. A node that finds none says so (WorkspaceError: the label ``repo``)."""
    here = repos_dir if repos_dir is not None and repos_dir.is_dir() else None
    try:
        source = resolve_source(repo, here)
        return checkout(source, dest, commit, cache, timeout, repos_dir=here, upstream=published(repo))
    except WorkspaceError as exc:
        if here is None and repos_dir is not None:
            raise WorkspaceError(f"--repos-dir {repos_dir} does not exist on {socket.gethostname()}, "
                                 f"and {exc}") from exc
        raise


def published(repo: str) -> str:
    """The URL ``repo`` is published at: a URL itself, ``owner/name`` on GitHub; "" for a path."""
    if is_url(repo):
        return repo
    # a first name that is a directory here makes the whole a path into it (examples/quickstart)
    owner_name = _safe_names(repo) == 2 and not Path(repo.split("/")[0]).is_dir()
    return f"https://github.com/{repo}" if owner_name else ""


def _safe_names(key: str) -> int:
    """How many names ``key`` joins with "/" when each is safe (letters, digits, ``._-``, neither
    ``.`` nor ``..``); 0 when one is not."""
    parts = key.split("/")
    return len(parts) if all(_NAME.fullmatch(p) and p not in (".", "..") for p in parts) else 0


def _local_mirror(repo: str, repos_dir: Path | None) -> str | None:
    """The mirror of ``owner/name`` (a URL's, or a bare ``name``) under ``repos_dir``, if any."""
    key = _owner_name(repo) if is_url(repo) else repo
    if repos_dir is None or _safe_names(key) not in (1, 2):
        return None
    owner, _, name = key.rpartition("/")
    candidates = [repos_dir / key.replace("/", "__"), repos_dir / key]
    if owner:
        candidates.append(repos_dir / name)
    return next((str(c.resolve()) for c in candidates if _is_git_repo(c)), None)


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
                shutil.rmtree(tmp)
            git(cache, "clone", "-q", "--bare", "--", url, str(tmp), timeout=timeout)
            tmp.rename(mirror)
        if commit and not _has_commit(mirror, commit):
            git(mirror, "fetch", "-q", "origin", "--end-of-options", commit, timeout=timeout, check=False)
    return mirror


def checkout(source: str, dest: Path, commit: str, cache: Path, timeout: float = 600.0, *,
             repos_dir: Path | None = None, upstream: str = "") -> Workspace:
    """A working copy of ``source`` at ``commit`` in ``dest`` (which must not exist), its
    submodules checked out from their mirrors (``upstream``: the URL the project is published
    at, which a relative submodule URL is relative to; ``source`` when that is a URL)."""
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
    checkout_submodules(dest, upstream or (source if is_url(source) else ""), repos_dir, cache, timeout,
                        None if is_url(source) else _modules(Path(source)))
    head = git(dest, "rev-parse", "HEAD").stdout.strip()
    return Workspace(path=dest.resolve(), source=source, base_commit=head)


def checkout_submodules(repo: Path, upstream: str, repos_dir: Path | None, cache: Path,
                        timeout: float, own: Path | None = None) -> None:
    """Check out each submodule that ``repo``'s HEAD records, at the commit it records, from the
    source's own copy of it (``own``: the source's ``modules`` directory) when that holds the
    commit, else from a local mirror (or the URL, cached); nested ones likewise. The submodule's
    URL in the checkout's config stays the published one, as after ``git clone --recurse-submodules``."""
    try:
        listed = git(repo, "config", "-f", ".gitmodules", "-z", "--get-regexp", r"^submodule\..*\.(path|url)$",
                     check=False).stdout if (repo / ".gitmodules").is_file() else ""
    except UnicodeDecodeError:
        log.warning("workspace.submodule_missing", path=".gitmodules", reason="not UTF-8")
        return
    fields: dict[str, dict[str, str]] = {}
    for entry in filter(None, listed.split("\0")):
        key, _, value = entry.partition("\n")
        name, _, field = key.removeprefix("submodule.").rpartition(".")
        fields.setdefault(name, {})[field] = value.strip()
    for name, each in fields.items():
        path, url = each.get("path", ""), each.get("url", "")
        recorded = git(repo, "ls-tree", "HEAD", "--", path, check=False).stdout.split() if path else []
        if len(recorded) < 3 or recorded[0] != "160000" or not url:
            continue  # not a gitlink at this commit (a stale .gitmodules entry)
        published = _absolute(url, upstream)
        kept = _kept(own, name, recorded[2])
        try:
            mirror = str(kept) if kept else _submodule_mirror(published, recorded[2], repos_dir, cache, timeout)
            _update_from(repo, name, path, mirror, published, timeout)
        except WorkspaceError as exc:
            log.warning("workspace.submodule_missing", path=path, url=published, reason=str(exc))
            continue
        log.info("workspace.submodule", path=path, commit=recorded[2][:12], mirror=mirror)
        checkout_submodules(repo / path, published, repos_dir, cache, timeout,
                            own / name / "modules" if own is not None else None)


def _modules(source: Path) -> Path | None:
    """Where ``source`` keeps its submodules' repositories (its git directory's ``modules``)."""
    found = git(source, "rev-parse", "--path-format=absolute", "--git-common-dir", check=False)
    return Path(found.stdout.strip()) / "modules" if found.returncode == 0 and found.stdout.strip() else None


def _kept(own: Path | None, name: str, commit: str) -> Path | None:
    """The source's own repository of submodule ``name`` (under its ``modules`` directory ``own``)
    when it holds ``commit``, else None."""
    if own is None:
        return None
    kept = own / name
    if not kept.resolve().is_relative_to(own.resolve()) or not (kept / "HEAD").is_file():
        return None  # a name from .gitmodules never reaches outside the source's modules
    found = git(kept, f"--git-dir={kept}", "cat-file", "-e", f"{commit}^{{commit}}", check=False)
    return kept if found.returncode == 0 else None


def _submodule_mirror(published: str, commit: str, repos_dir: Path | None, cache: Path,
                      timeout: float) -> str:
    """A local repository holding ``commit`` of the submodule published at ``published``. With
    ``--repos-dir``, only a mirror there: a run given local mirrors never reaches for the
    network because of a submodule (one no mirror provides is left empty)."""
    if published.startswith(("./", "../")):
        raise WorkspaceError(f"{published} is relative, and the project's own URL is not known")
    mirror = _local_mirror(_owner_name(published), repos_dir)
    if mirror is None:
        if repos_dir is not None or not is_url(published):
            raise WorkspaceError(f"no mirror of {published} under --repos-dir")
        mirror = str(ensure_mirror(published, cache, commit, timeout))
    if not _has_commit(Path(mirror), commit):
        raise WorkspaceError(f"{mirror} has no commit {commit}")
    return mirror


def _update_from(repo: Path, name: str, path: str, mirror: str, published: str, timeout: float) -> None:
    """``git submodule update`` of one submodule, cloned from ``mirror``; its URL stays
    ``published``. One that fails is undone whole, left as a plain clone leaves it."""
    git(repo, "submodule", "init", "--", path)
    git(repo, "config", f"submodule.{name}.url", mirror)
    try:
        git(repo, "-c", "protocol.file.allow=always", "submodule", "update", "--checkout", "--", path,
            timeout=timeout)
    except WorkspaceError:
        git(repo, "submodule", "deinit", "-q", "--force", "--", path, check=False)
        git(repo, "config", "--remove-section", f"submodule.{name}", check=False)
        modules = Path(git(repo, "rev-parse", "--absolute-git-dir").stdout.strip()) / "modules"
        shutil.rmtree(modules / name, ignore_errors=True)  # a nested submodule's lies in its parent's
        (repo / path / ".git").unlink(missing_ok=True)
        raise
    git(repo, "config", f"submodule.{name}.url", published)


def _absolute(url: str, upstream: str) -> str:
    """A submodule URL as published: a relative one (``../helpers.git``) is relative to the
    superproject's own URL, as git resolves it."""
    if not url.startswith(("./", "../")) or not upstream:
        return url
    scheme, sep, rest = upstream.rstrip("/").partition("://")
    if not sep:
        scheme, rest = "", upstream.rstrip("/")
    joined = posixpath.normpath(posixpath.join(rest, url))
    return f"{scheme}://{joined}" if sep else joined


def _owner_name(url: str) -> str:
    """``owner/name`` of a repository URL (``https://host/owner/name.git``, ``git@host:owner/name``)."""
    path = re.sub(r"^[\w.-]+@[\w.-]+:", "", re.sub(r"^\w+://[^/]*", "", url.rstrip("/")))
    return "/".join(path.removesuffix(".git").strip("/").split("/")[-2:])


def commit_all(workspace: Workspace, message: str) -> Workspace:
    """Commit the working tree; the result diffs against the new commit."""
    git(workspace.path, "add", "--all")
    head = commit(workspace.path, message, "--allow-empty")
    return Workspace(path=workspace.path, source=workspace.source, base_commit=head)
