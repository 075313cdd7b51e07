"""Where an instance's ``repo`` comes from: a mirror under ``--repos-dir``, a path, or a URL.

``repo`` is resolved in this order: a local mirror under ``--repos-dir`` (``DIR/owner__name``,
``DIR/owner/name``, ``DIR/name``); a directory, as an absolute path or relative to the
instance file's directory (``relative_to``); then, only without ``--repos-dir``, a URL, and
``owner/name`` as ``https://github.com/<repo>`` when it cannot be a path (no directory
``owner`` beside the instance file nor in the working directory). Anything else is an input
error, so a missing path never reaches a host. Which rule was taken is logged
(``batch.repo_source``). A URL is cloned once into a bare cache under the rfsn home.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from rfsn.errors import WorkspaceError
from rfsn.fsutil import held
from rfsn.hostgit import git
from rfsn.observability.logging import get_logger
from rfsn.workspace import is_url

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_NAME = re.compile(r"[A-Za-z0-9._-]+")
log = get_logger(__name__)


def resolve_source(repo: str, repos_dir: Path | None, relative_to: Path | None = None) -> str:
    """A local path or a URL for ``repo`` (a relative path is relative to ``relative_to``, the
    instance file's directory; the working directory when None); WorkspaceError when there is
    none to use."""
    taken, source = _resolved(repo, repos_dir, (relative_to or Path.cwd()).resolve())
    log.info("batch.repo_source", repo=repo, taken=taken, source=source)
    return source


def source_rule(repo: str, repos_dir: Path | None, relative_to: Path | None = None) -> str:
    """Which rule gives ``repo``'s source: ``mirror``, ``path``, ``url`` or ``owner/name``."""
    return _resolved(repo, repos_dir, (relative_to or Path.cwd()).resolve())[0]


def _resolved(repo: str, repos_dir: Path | None, base: Path) -> tuple[str, str]:
    local = local_mirror(repo, repos_dir)
    if local is not None:
        return "mirror", local
    path = None if is_url(repo) else base / Path(repo).expanduser()
    if path is not None and path.is_dir():
        return "path", str(path.resolve())
    if repos_dir is not None:
        raise WorkspaceError(
            f"repo {repo!r}: no mirror under --repos-dir {repos_dir} "
            "(DIR/owner__name, DIR/owner/name or DIR/name) and no directory "
            f"{path if path is not None else repo}"
        )
    url = published(repo, base)
    if not url:
        where = f" ({path} is not a directory)" if path is not None else ""
        raise WorkspaceError(f"repo {repo!r}: no such directory, and not owner/name or a URL{where}")
    return ("url" if is_url(repo) else "owner/name"), url


def published(repo: str, relative_to: Path | None = None) -> str:
    """The URL ``repo`` is published at: a URL itself, ``owner/name`` on GitHub; "" for what can
    be a path: a first name that is a directory beside the instance file (``relative_to``) or
    in the working directory makes the whole a path into it (examples/quickstart)."""
    if is_url(repo):
        return repo
    first = repo.split("/")[0]
    bases = {Path.cwd(), *([relative_to] if relative_to is not None else [])}
    owner_name = _safe_names(repo) == 2 and not any((base / first).is_dir() for base in bases)
    return f"https://github.com/{repo}" if owner_name else ""


def _safe_names(key: str) -> int:
    """How many names ``key`` joins with "/" when each is safe (letters, digits, ``._-``, neither
    ``.`` nor ``..``); 0 when one is not."""
    parts = key.split("/")
    return len(parts) if all(_NAME.fullmatch(p) and p not in (".", "..") for p in parts) else 0


def local_mirror(repo: str, repos_dir: Path | None) -> str | None:
    """The mirror of ``owner/name`` (a URL's, or a bare ``name``) under ``repos_dir``, if any."""
    key = owner_name(repo) if is_url(repo) else repo
    if repos_dir is None or _safe_names(key) not in (1, 2):
        return None
    owner, _, name = key.rpartition("/")
    candidates = [repos_dir / key.replace("/", "__"), repos_dir / key]
    if owner:
        candidates.append(repos_dir / name)
    return next((str(c.resolve()) for c in candidates if is_git_repo(c)), None)


def is_git_repo(path: Path) -> bool:
    """A working copy (``.git``) or a bare repository (``HEAD`` and ``objects``, as a mirror is)."""
    return (path / ".git").exists() or ((path / "HEAD").is_file() and (path / "objects").is_dir())


def has_commit(repo: Path, commit: str) -> bool:
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
        if commit and not has_commit(mirror, commit):
            git(mirror, "fetch", "-q", "origin", "--end-of-options", commit, timeout=timeout, check=False)
    return mirror


def owner_name(url: str) -> str:
    """``owner/name`` of a repository URL (``https://host/owner/name.git``, ``git@host:owner/name``)."""
    path = re.sub(r"^[\w.-]+@[\w.-]+:", "", re.sub(r"^\w+://[^/]*", "", url.rstrip("/")))
    return "/".join(path.removesuffix(".git").strip("/").split("/")[-2:])
