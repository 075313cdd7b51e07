"""Copying a local repository into a workspace: rfsn's own ``.git`` vs copying the user's ``.git``.

``prepare(DIR)`` copies the working tree without ``.git`` and gives the copy a repository rfsn
initialises, with the source's object and ref files copied in (rfsn.hostgit.adopt). Before, the
whole directory was copied, ``.git`` and its config included. Both are timed here to a base
commit (the dirty tree snapshotted), alternating, N times each, with ``git clone --no-local``
(git's upload-pack path, the other way to bring history without the source's config) for
reference. Prints the median seconds of each (old, new, clone) and the ratio new/old.

    python benchmarks/bench_workspace_copy.py DIR [-n 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from timing import timed_build

from rfsn.hostgit import commit, git
from rfsn.workspace import prepare


def old_way(source: Path, dest: Path) -> None:
    """What ``prepare`` did before: the directory copied with its ``.git``, then the snapshot."""
    shutil.copytree(source, dest, symlinks=True)
    if git(dest, "status", "--porcelain").stdout.strip():
        git(dest, "add", "--all")
        commit(dest, "rfsn: snapshot of the working tree")


def clone_way(source: Path, dest: Path) -> None:
    """History through ``git clone --no-local`` (upload-pack), then the working tree copied over it."""
    git(dest.parent, "clone", "-q", "--no-local", "--no-checkout", str(source), str(dest), timeout=3600)
    shutil.copytree(source, dest, symlinks=True, ignore=shutil.ignore_patterns(".git"), dirs_exist_ok=True)
    git(dest, "reset", "-q", timeout=600)
    git(dest, "add", "--all")
    commit(dest, "rfsn: snapshot of the working tree", "--allow-empty")


def timed(way: Callable[[Path, Path], object], source: Path, scratch: Path) -> float:
    return timed_build(lambda dest: way(source, dest), scratch / "ws")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("-n", type=int, default=3)
    parser.add_argument("--no-clone", action="store_true", help="skip the clone --no-local reference")
    args = parser.parse_args()
    ways: dict[str, Callable[[Path, Path], object]] = {"old": old_way, "new": lambda s, d: prepare(str(s), d)}
    if not args.no_clone:
        ways["clone"] = clone_way
    times: dict[str, list[float]] = {name: [] for name in ways}
    with tempfile.TemporaryDirectory(prefix="rfsn-bench-copy-") as tmp:
        for _ in range(args.n):
            for name, way in ways.items():
                times[name].append(timed(way, args.repo.resolve(), Path(tmp)))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        print(f"{name:6s} median {median:7.2f}s  runs {', '.join(f'{t:.2f}' for t in times[name])}")
    print(f"ratio new/old: {medians['new'] / medians['old']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
