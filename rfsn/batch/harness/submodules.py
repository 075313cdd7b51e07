"""A checkout's submodules, as after a recursive clone, each holding only its commit's history.

Each submodule the commit records is checked out from the source's own copy of it
(``.git/modules``, where a recursive clone keeps it), else from a mirror found as the project's
is (``mirrors``); one neither provides is left empty, as a plain clone leaves it. Its
repository (under the checkout's ``.git/modules``) is made as the project's own is
(``history.copy_history``): the recorded commit's history and nothing newer.
"""

from __future__ import annotations

import posixpath
import shutil
from pathlib import Path

from rfsn.batch.harness.history import copy_history
from rfsn.batch.harness.mirrors import ensure_mirror, has_commit, local_mirror, owner_name
from rfsn.errors import WorkspaceError
from rfsn.hostgit import git
from rfsn.observability.logging import get_logger
from rfsn.workspace import is_url

log = get_logger(__name__)


def checkout_submodules(
    repo: Path, upstream: str, repos_dir: Path | None, cache: Path, timeout: float, own: Path | None = None
) -> None:
    """Check out each submodule that ``repo``'s HEAD records, at the commit it records, from the
    source's own copy of it (``own``: the source's ``modules`` directory) when that holds the
    commit, else from a local mirror (or the URL, cached); nested ones likewise. The submodule's
    URL in the checkout's config stays the published one, as after ``git clone --recurse-submodules``."""
    try:
        listed = (
            git(
                repo, "config", "-f", ".gitmodules", "-z", "--get-regexp", r"^submodule\..*\.(path|url)$", check=False
            ).stdout
            if (repo / ".gitmodules").is_file()
            else ""
        )
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
        published = absolute(url, upstream)
        kept = kept_copy(own, name, recorded[2])
        try:
            mirror = str(kept) if kept else _submodule_mirror(published, recorded[2], repos_dir, cache, timeout)
            _update_from(repo, name, path, Path(mirror), recorded[2], published, timeout)
        except WorkspaceError as exc:
            log.warning("workspace.submodule_missing", path=path, url=published, reason=str(exc))
            continue
        log.info("workspace.submodule", path=path, commit=recorded[2][:12], mirror=mirror)
        checkout_submodules(
            repo / path, published, repos_dir, cache, timeout, own / name / "modules" if own is not None else None
        )


def source_modules(source: Path) -> Path | None:
    """Where ``source`` keeps its submodules' repositories (its git directory's ``modules``)."""
    found = git(source, "rev-parse", "--path-format=absolute", "--git-common-dir", check=False)
    return Path(found.stdout.strip()) / "modules" if found.returncode == 0 and found.stdout.strip() else None


def kept_copy(own: Path | None, name: str, commit: str) -> Path | None:
    """The source's own repository of submodule ``name`` (under its ``modules`` directory ``own``)
    when it holds ``commit``, else None."""
    if own is None:
        return None
    kept = own / name
    if not kept.resolve().is_relative_to(own.resolve()) or not (kept / "HEAD").is_file():
        return None  # a name from .gitmodules never reaches outside the source's modules
    found = git(kept, f"--git-dir={kept}", "cat-file", "-e", f"{commit}^{{commit}}", check=False)
    return kept if found.returncode == 0 else None


def _submodule_mirror(published: str, commit: str, repos_dir: Path | None, cache: Path, timeout: float) -> str:
    """A local repository holding ``commit`` of the submodule published at ``published``. With
    ``--repos-dir``, only a mirror there: a run given local mirrors never reaches for the
    network because of a submodule (one no mirror provides is left empty)."""
    if published.startswith(("./", "../")):
        raise WorkspaceError(f"{published} is relative, and the project's own URL is not known")
    mirror = local_mirror(owner_name(published), repos_dir)
    if mirror is None:
        if repos_dir is not None or not is_url(published):
            raise WorkspaceError(f"no mirror of {published} under --repos-dir")
        mirror = str(ensure_mirror(published, cache, commit, timeout))
    if not has_commit(Path(mirror), commit):
        raise WorkspaceError(f"{mirror} has no commit {commit}")
    return mirror


def _update_from(repo: Path, name: str, path: str, mirror: Path, commit: str, published: str, timeout: float) -> None:
    """Submodule ``name`` at ``path`` of ``repo`` made from ``mirror`` at ``commit``: its
    repository holds that commit's history alone, and is moved under ``repo``'s git directory
    as ``git submodule update`` places it; its URL is ``published``. One that fails is undone
    whole, left as a plain clone leaves it."""
    git(repo, "submodule", "init", "--", path)
    git(repo, "config", f"submodule.{name}.url", published)
    tree = repo / path
    try:
        copy_history(mirror, tree, commit, timeout)
        git(repo, "submodule", "absorbgitdirs", "--", path)
    except WorkspaceError:
        git(repo, "submodule", "deinit", "-q", "--force", "--", path, check=False)
        git(repo, "config", "--remove-section", f"submodule.{name}", check=False)
        modules = Path(git(repo, "rev-parse", "--absolute-git-dir").stdout.strip()) / "modules"
        shutil.rmtree(modules / name, ignore_errors=True)  # a nested submodule's lies in its parent's
        if tree.is_dir():
            shutil.rmtree(tree)
        tree.mkdir(exist_ok=True)
        raise


def absolute(url: str, upstream: str) -> str:
    """A submodule URL as published: a relative one (``../helpers.git``) is relative to the
    superproject's own URL, as git resolves it."""
    if not url.startswith(("./", "../")) or not upstream:
        return url
    scheme, sep, rest = upstream.rstrip("/").partition("://")
    if not sep:
        scheme, rest = "", upstream.rstrip("/")
    joined = posixpath.normpath(posixpath.join(rest, url))
    return f"{scheme}://{joined}" if sep else joined
