"""Evaluation speed: gold predictions on the devset with 1 and 2 workers.

    python benchmarks/bench_evaluate.py [--only ID ...] [--workers 1 2] [--no-warmup] [--repeat N]

A warm-up run builds (or finds) every env image first, so the timed runs see
cached environments. For each timed run it prints the wall time and resolved
count; then the speedup of the last worker count over the first (goal >= 1.8x
with 2 workers): with ``--repeat N`` the worker counts take turns N times and
the speedup is the ratio of their median walls (one run of each swings by 10 %
or more on a shared machine), and the per-instance overhead beyond the test run itself (wall time
of the instance minus the test runner's time; goal <= 0.5 s), also without the
project's own setup (``pip install -e .`` of an installable project), with its
median phase breakdown. Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from rfsn.batch.evaluate import EvalConfig, run_evaluation
from rfsn.batch.predictions import JsonlLog
from rfsn.observability.logging import configure

DEVSET = Path(__file__).resolve().parent / "devset"


def run(tmp: Path, repos: Path, run_id: str, workers: int, only: list[str]) -> tuple[float, dict]:
    started = time.monotonic()
    _, summary = run_evaluation(
        EvalConfig(
            instances=DEVSET / "instances.jsonl",
            predictions="gold",
            run_id=run_id,
            report_dir=tmp,
            workers=workers,
            repos_dir=repos,
            instance_ids=only,
        ),
        Console(stderr=True, quiet=True),
    )
    return time.monotonic() - started, summary


def overheads(tmp: Path, run_id: str) -> list[dict]:
    path = tmp / "logs" / "run_evaluation" / run_id / "gold" / "results.jsonl"
    return [r for r in JsonlLog(path).records() if r["status"] == "resolved"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="instance ids")
    parser.add_argument("--workers", nargs="*", type=int, default=[1, 2])
    parser.add_argument("--no-warmup", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="turns of each worker count")
    args = parser.parse_args()
    if args.repeat < 1 or not args.workers:
        parser.error("--repeat must be at least 1 and --workers must name a worker count")
    configure(level="warning")
    with tempfile.TemporaryDirectory(prefix="rfsn-bench-eval-") as name:
        tmp = Path(name)
        subprocess.run(
            [sys.executable, str(DEVSET / "materialize.py"), str(tmp / "repos")], check=True, capture_output=True
        )
        if not args.no_warmup:
            seconds, summary = run(tmp, tmp / "repos", "warmup", max(args.workers), args.only)
            print(f"warm-up: {seconds:.1f}s, {summary['resolved_instances']} resolved")
        walls: dict[int, list[float]] = {w: [] for w in args.workers}
        for turn in range(args.repeat):
            for workers in args.workers:
                seconds, summary = run(tmp, tmp / "repos", f"w{workers}-{turn}", workers, args.only)
                walls[workers].append(seconds)
                print(
                    f"workers={workers}: {seconds:.1f}s wall, {summary['resolved_instances']}/"
                    f"{summary['total_instances']} resolved, {summary['error_instances']} errors"
                )
        if len(walls) > 1:
            first, last = args.workers[0], args.workers[-1]
            median = {w: statistics.median(s) for w, s in walls.items()}
            print(
                f"speedup {last} vs {first} workers: {median[first] / median[last]:.2f}x"
                + (
                    f" (median walls {median[first]:.1f}s and {median[last]:.1f}s over {args.repeat} turns)"
                    if args.repeat > 1
                    else ""
                )
            )
        rows = overheads(tmp, f"w{args.workers[0]}-0")
        if rows:
            extra = [r["duration"] - r["phases"].get("tests", 0.0) for r in rows]
            tests = [r["phases"].get("tests", 0.0) for r in rows]
            print(
                f"per-instance overhead beyond the test run ({len(rows)} instances, "
                f"workers={args.workers[0]}): median {statistics.median(extra):.2f}s, "
                f"mean {statistics.mean(extra):.2f}s, max {max(extra):.2f}s "
                f"(test runs: median {statistics.median(tests):.2f}s)"
            )
            rfsn_only = [e - r["phases"].get("setup", 0.0) for e, r in zip(extra, rows, strict=True)]
            print(
                f"  without the project's own setup: median {statistics.median(rfsn_only):.2f}s, "
                f"mean {statistics.mean(rfsn_only):.2f}s, max {max(rfsn_only):.2f}s"
            )
            phases = sorted({p for r in rows for p in r["phases"]})
            print(
                "median phase seconds: "
                + json.dumps({p: round(statistics.median(r["phases"].get(p, 0.0) for r in rows), 3) for p in phases})
            )


if __name__ == "__main__":
    main()
