"""A corpus repository's checkout as a user's ``git clone --recursive`` leaves it, from the fetched mirrors.

The search tool's ``fetch`` leaves a repository at ``MIRRORS/owner+name/repo``, bare or with its
``.git`` inside. Each submodule of the commit whose repository (its ``.gitmodules`` URL on
github.com) is mirrored there too is checked out at the commit the tree records, its own submodules
likewise; one whose repository is not mirrored stays empty, as ``git archive`` leaves it, and is
named in the row (rfsn's build then says what it lacks).
"""

from __future__ import annotations

import re
from pathlib import Path

from rfsn import hostgit

GITHUB = re.compile(r"github\.com[:/]([^/\s]+)/([^/\s]+?)(?:\.git)?/?$")


def mirror_of(mirrors: Path, repo: str) -> Path | None:
    """The git directory of ``owner/name``'s mirror (bare, or the ``.git`` inside), None without one."""
    base = mirrors / repo.replace("/", "+", 1) / "repo"
    for candidate in (base, base / ".git"):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def _gitmodules(tree: Path, *args: str) -> str:
    done = hostgit.run(tree, "config", "-f", ".gitmodules", *args)
    return done.stdout.strip() if done.returncode == 0 else ""


def submodules(tree: Path, mirrors: Path, prefix: str = "") -> list[str]:
    """Check out the submodules of ``tree``'s commit from their mirrors; the paths left empty."""
    if not (tree / ".gitmodules").is_file():
        return []
    missing = []
    for line in _gitmodules(tree, "--get-regexp", r"^submodule\..*\.url$").splitlines():
        key, _, url = line.partition(" ")
        name = key.removeprefix("submodule.").removesuffix(".url")
        path = _gitmodules(tree, f"submodule.{name}.path")
        found = GITHUB.search(url.strip())
        mirror = mirror_of(mirrors, f"{found[1]}/{found[2]}") if found else None
        if not path or mirror is None:
            missing.append(prefix + (path or name))
            continue
        hostgit.git(tree, "config", f"submodule.{name}.url", str(mirror))
        update = ("-c", "protocol.file.allow=always", "submodule", "update", "--init", "--", path)
        hostgit.git(tree, *update, timeout=600.0)
        missing += submodules(tree / path, mirrors, f"{prefix}{path}/")
    return missing
