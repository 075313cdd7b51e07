"""A corpus repository's checkout as a user's ``git clone --recursive`` leaves it, from the fetched mirrors.

The search tool's ``fetch`` leaves a repository at ``MIRRORS/owner+name/repo``, bare or with its
``.git`` inside. The submodules are checked out by rfsn's own ``checkout_submodules`` (the batch
harness's), given those mirrors as its ``--repos-dir`` (``owner__name``): each one whose repository
is mirrored at the commit the tree records, never from the network; one that is not stays empty,
as ``git archive`` leaves it, and is named in the row (rfsn's build then says what it lacks).
"""

from __future__ import annotations

from pathlib import Path

from rfsn import hostgit
from rfsn.batch.harness.submodules import checkout_submodules


def mirror_of(mirrors: Path, repo: str) -> Path | None:
    """The git directory of ``owner/name``'s mirror (bare, or the ``.git`` inside), None without one."""
    base = mirrors / repo.replace("/", "+", 1) / "repo"
    for candidate in (base, base / ".git"):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def repos_dir(mirrors: Path, work: Path) -> Path:
    """A directory naming each mirror as ``--repos-dir`` does (``owner__name``, a symlink)."""
    linked = work / "repos-dir"
    linked.mkdir(parents=True, exist_ok=True)
    for entry in mirrors.iterdir():
        owner, plus, name = entry.name.partition("+")
        found = mirror_of(mirrors, f"{owner}/{name}") if plus else None
        link = linked / f"{owner}__{name}"
        if found is not None and not link.is_symlink():
            link.symlink_to(found)
    return linked


def submodules(tree: Path, repo: str, mirrors: Path, work: Path) -> list[str]:
    """Check out the submodules of ``tree`` (a fresh checkout of ``repo``, owner/name on github.com)
    from the mirrors; the paths of those left empty."""
    if not (tree / ".gitmodules").is_file():
        return []
    checkout_submodules(tree, f"https://github.com/{repo}", repos_dir(mirrors, work), work / "cache", 600.0)
    listed = hostgit.git(tree, "ls-tree", "-r", "-z", "HEAD").stdout.split("\0")
    links = [entry.partition("\t")[2] for entry in listed if entry.startswith("160000 ")]
    return [path for path in links if not (tree / path / ".git").exists()]
