"""A batch workspace holding its base commit's history alone vs the ``git clone --shared`` it replaced.

For bases spread over REPO's first-parent history (a mirror or a working copy; a large one
says the most, e.g. sympy's 640,000 objects), times rfsn's checkout (a repository it
initialises, the base's objects packed into it from the source's: ``rfsn.batch.harness.
history``) and the old one (``git clone --shared --no-checkout`` then ``git checkout``),
alternating, after one untimed round of each; prints each base's times, the objects the
workspace holds, and the ratio of the medians (new / old) in the same run.

    python benchmarks/bench_checkout.py /work/data/sympy.git [--bases 3] [--rounds 2]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from timing import timed_build

from rfsn.batch.harness.repos import checkout


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def bases(repo: Path, count: int) -> list[str]:
    """``count`` commits spread over the first-parent history of HEAD, oldest first (not the tip)."""
    line = _git(repo, "rev-list", "--first-parent", "--reverse", "HEAD").split()
    return [line[len(line) * (i + 1) // (count + 1)] for i in range(count)]


def old_way(repo: Path, dest: Path, commit: str) -> None:
    subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(repo), str(dest)], check=True)
    subprocess.run(["git", "checkout", "-q", "--force", commit], cwd=dest, check=True)


def new_way(repo: Path, dest: Path, commit: str) -> None:
    checkout(str(repo), dest, commit, dest.parent / "cache")


def timed(how: str, repo: Path, commit: str, scratch: Path) -> float:
    way = new_way if how == "new" else old_way
    return timed_build(lambda dest: way(repo, dest, commit), scratch / how)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--bases", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    repo = args.repo.resolve()
    olds, news = [], []
    with tempfile.TemporaryDirectory(prefix="rfsn-bench-checkout-") as tmp:
        scratch = Path(tmp)
        for commit in bases(repo, args.bases):
            timed("old", repo, commit, scratch), timed("new", repo, commit, scratch)  # warm the page cache
            old = [timed("old", repo, commit, scratch) for _ in range(args.rounds)]
            new = [timed("new", repo, commit, scratch) for _ in range(args.rounds)]
            new_way(repo, scratch / "count", commit)
            held = len(_git(scratch / "count", "cat-file", "--batch-all-objects", "--batch-check").splitlines())
            shutil.rmtree(scratch / "count")
            commits = _git(repo, "rev-list", "--count", commit).strip()
            print(
                f"{commit[:12]} ({commits} commits, {held} objects held): "
                f"clone --shared {statistics.median(old):.2f}s, history alone {statistics.median(new):.2f}s"
            )
            olds += old
            news += new
    total = len(_git(repo, "cat-file", "--batch-all-objects", "--batch-check").splitlines())
    print(
        f"{repo.name}: {total} objects; median clone --shared {statistics.median(olds):.2f}s, "
        f"history alone {statistics.median(news):.2f}s; ratio (new / old) "
        f"{statistics.median(news) / statistics.median(olds):.2f}"
    )


if __name__ == "__main__":
    main()
