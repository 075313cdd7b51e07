"""The project's tree at a commit, with its submodules' trees, as the tar an env build copies."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from rfsn import hostgit
from rfsn.errors import ImageError
from rfsn.observability.logging import get_logger

log = get_logger(__name__)


def source_tree(checkout: Path | None, commit: str) -> bytes:
    """The tree of ``commit`` in ``checkout`` as a tar under ``src/`` (the env build's copy of
    the project, for steps that install it the way its own tooling does), with the tree of each
    submodule checked out in ``checkout`` at the commit ``commit`` records for it."""
    if checkout is None:
        raise ImageError(f"the env recipe needs the project at {commit[:12]} but no checkout was given")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        _add_tree(tar, checkout, commit, "src/")
    return buffer.getvalue()


def _add_tree(tar: tarfile.TarFile, repo: Path, commit: str, prefix: str) -> None:
    done = hostgit.run(
        None, "-C", str(repo), "archive", "--format=tar", f"--prefix={prefix}", commit, text=False, timeout=None
    )
    if done.returncode != 0:
        raise ImageError(
            f"the env recipe needs the project at {commit[:12]}: {done.stderr.decode(errors='replace').strip()[:200]}"
        )
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tree:
        for member in tree.getmembers():
            tar.addfile(member, tree.extractfile(member) if member.isfile() else None)
    links = hostgit.run(None, "-C", str(repo), "ls-tree", "-r", "-z", commit, text=False).stdout.decode(
        "utf-8", "surrogateescape"
    )
    for entry in filter(None, links.split("\0")):
        meta, _, path = entry.partition("\t")
        mode, _, sha = meta.split(" ")
        submodule = repo / path
        if mode != "160000":
            continue
        if (submodule / ".git").exists() and hostgit.run(
            None, "-C", str(submodule), "cat-file", "-e", f"{sha}^{{commit}}"
        ).returncode == 0:
            _add_tree(tar, submodule, sha, f"{prefix}{path}/")
        else:  # left empty, as git archive leaves it: a build that needs it says so itself
            log.warning("image.submodule_missing", path=f"{prefix}{path}", commit=sha[:12])
