"""The CLI's start-up: ``rfsn --help``, ``rfsn test --help`` and ``rfsn repair --help`` against a bare
``python -c pass``, for this tree and (``--against DIR``) another tree of rfsn, e.g. an export of
main; N rounds, each running every command of every tree once in turn; medians of CPU time.

    PYTHONPATH=. python benchmarks/bench_cli_start.py [-n 15] [--against /tmp/main-tree]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "rfsn --help": ["-m", "rfsn", "--help"],
    "rfsn test --help": ["-m", "rfsn", "test", "--help"],
    "rfsn repair --help": ["-m", "rfsn", "repair", "--help"],
}


def timed(tree: Path, argv: list[str]) -> float:
    """The CPU time (user + system) of one run: on a shared machine it waits for no one else."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, *argv], env=env, cwd=tree, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=15)
    parser.add_argument("--against", type=Path, help="another tree of rfsn (its root)")
    args = parser.parse_args()
    trees = {"this": Path(__file__).resolve().parents[1]}
    if args.against:
        trees["against"] = args.against.resolve()
    times: dict[tuple[str, str], list[float]] = {(t, c): [] for t in trees for c in COMMANDS}
    for _ in range(args.n):
        for command, argv in COMMANDS.items():
            for tree, root in trees.items():
                times[tree, command].append(timed(root, argv))
    bare = statistics.median(times["this", "python -c pass"])
    print(f"load {os.getloadavg()[0]:.1f}, n={args.n}; medians of CPU s, and over a bare python -c pass")
    for command in COMMANDS:
        row = [f"{command:20}"]
        for tree in trees:
            median = statistics.median(times[tree, command])
            row.append(f"{tree}: {median:.3f} ({median / bare:.1f}x)")
        if "against" in trees:
            ratio = statistics.median(times["this", command]) / statistics.median(times["against", command])
            row.append(f"this/against {ratio:.2f}")
        print("  ".join(row))


if __name__ == "__main__":
    main()
