"""Screening a candidate: the hot-swapping warm runner vs the plain warm runner vs a cold pytest.

For each devset Python instance whose gold patch edits one function body, the
failing tests (FAIL_TO_PASS, test patch applied) are run N times with the gold
fix applied and reverted in turn, as screening does, three ways in the same
run: a cold ``python -m pytest`` (exec in the sandbox), the plain warm fork
server (pytest imported once; the project imported by each run), and the
preloading server that hot-swaps the edited function (nothing imported again)
and runs the selected tests through its live, already-collected session.
Each way gives the same statuses; the script checks that and prints the median
seconds per run, runs per second, and the ratios.

    python benchmarks/bench_hotswap.py [--only NAME ...] [-n 10]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from devset_runs import commit_test_patch, git, parse_devset

from rfsn.buildpacks import select
from rfsn.buildpacks.python.warm.client import WarmPytest
from rfsn.models import TestReport
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings


def _hunks(patch: str) -> int:
    return sum(1 for line in patch.splitlines() if line.startswith("@@"))


def _timed(runs: list[float], run: Callable[[], TestReport]) -> TestReport:
    started = time.perf_counter()
    report = run()
    runs.append(time.perf_counter() - started)
    return report


def bench(instance: dict[str, Any], repos: Path, n: int) -> dict[str, float] | None:
    repo = repos / instance["repo"].split("/", 1)[1]
    commit_test_patch(repo, instance)
    pack = select(repo)
    failing = instance["FAIL_TO_PASS"]
    times: dict[str, list[float]] = {"cold": [], "warm": [], "hot": []}
    with open_sandbox(repo, pack, Settings(sandbox="docker"), "docker") as box:
        runner = pack.warm_runner(box)  # both servers, the preloading one at the base
        if not isinstance(runner, WarmPytest) or not runner.hot:
            return None

        def plain_warm() -> TestReport:
            runner.hot = False  # this run through the plain server
            try:
                return run_tests(box, pack, failing, 300, via=runner)
            finally:
                runner.hot = True

        for i in range(n):
            git(repo, "apply", *([] if i % 2 == 0 else ["-R"]), "-", text=instance["patch"])
            reports = {
                "cold": _timed(times["cold"], lambda: run_tests(box, pack, failing, timeout=300)),
                "warm": _timed(times["warm"], plain_warm),
                "hot": _timed(times["hot"], lambda: run_tests(box, pack, failing, 300, via=runner)),
            }
            if len({json.dumps(r.tests, sort_keys=True) for r in reports.values()}) != 1:
                raise SystemExit(
                    f"{instance['instance_id']}: the three ways disagree: "
                    + "; ".join(f"{k} {r.tests}" for k, r in reports.items())
                )
    medians = {way: statistics.median(t) for way, t in times.items()}
    return {**medians, "swapped": runner.swapped, "handed_back": runner.not_swappable}


def main() -> None:
    args, instances = parse_devset(argparse.ArgumentParser(description=__doc__.splitlines()[0]), runs=10)
    rows = []
    with tempfile.TemporaryDirectory(prefix="rfsn-bench-") as tmp:
        subprocess.run([sys.executable, str(args.devset / "materialize.py"), tmp], check=True, capture_output=True)
        for instance in instances:
            name = instance["repo"].split("/", 1)[1]
            if (args.only and name not in args.only) or _hunks(instance["patch"]) != 1:
                continue
            if select(Path(tmp) / name).name != "python":
                continue
            result = bench(instance, Path(tmp), args.n)
            shutil.rmtree(Path(tmp) / name, ignore_errors=True)
            if result is None:
                continue
            rows.append((name, result))
            print(
                f"{name:16} cold {result['cold'] * 1000:7.1f} ms  warm {result['warm'] * 1000:7.1f} ms"
                f"  hot {result['hot'] * 1000:7.1f} ms  swapped {result['swapped']:.0f}"
                f"  handed back {result['handed_back']:.0f}",
                flush=True,
            )
    if not rows:
        raise SystemExit("no instance measured")
    cold, warm, hot = (statistics.median(r[w] for _, r in rows) for w in ("cold", "warm", "hot"))
    print(f"\n{len(rows)} instances, n={args.n}; median seconds per screening run of the failing tests:")
    print(
        f"cold pytest {cold:.3f} s ({1 / cold:.1f}/s), plain warm {warm:.3f} s ({1 / warm:.1f}/s), "
        f"hot swap {hot:.3f} s ({1 / hot:.1f}/s)"
    )
    print(f"ratio plain warm / hot swap: {warm / hot:.2f}x; cold / hot swap: {cold / hot:.2f}x")


if __name__ == "__main__":
    main()
