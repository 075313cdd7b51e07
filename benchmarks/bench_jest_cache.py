"""A jest run in a session: with the session's transform cache vs compiling everything each run.

Each test run has a TMPDIR of its own, where jest keeps its transform cache by default; rfsn gives
jest a cache for the whole session instead (``session_cache``). For a jest project (a path, or by
default luxon's mirror at the real-projects benchmark's commit) the given test files run N times
each way, alternating, in one sandbox: "cold" empties the cache before each run (what every run
did before), "kept" leaves it. The ways must give the same statuses; the script checks that and
prints the median seconds per run and the ratio cold/kept.

    python benchmarks/bench_jest_cache.py [--repo DIR] [--tests FILE ...] [-n 5]
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
from pathlib import Path

from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.observability.logging import configure
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings

LUXON = ("/work/.mirror/moment+luxon/repo", "b6b9d03709085008287ed7f4ce5067f0f4be53f2")
TESTS = ["test/datetime/misc.test.js", "test/datetime/math.test.js"]


def jest_project(repo: Path | None, tmp: str, script: str) -> tuple[Path, NodeBuildpack] | None:
    """The jest project at ``repo`` (None: luxon's mirror at its commit, cloned into ``tmp``) and
    its buildpack; None, said in one line, where it is not a jest project."""
    if repo is None:
        repo = Path(tmp) / "luxon"
        subprocess.run(["git", "clone", "-q", LUXON[0], str(repo)], check=True)
        subprocess.run(["git", "-C", str(repo), "checkout", "-q", LUXON[1]], check=True)
    pack = NodeBuildpack()
    pack.configure(repo)
    if pack.runner != "jest":
        print(f"{script}: {repo} is not a jest project", file=sys.stderr)
        return None
    return repo, pack


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, help="a jest project (default: luxon's mirror at its commit)")
    parser.add_argument("--tests", nargs="+", default=TESTS, help="test files to run")
    parser.add_argument("-n", type=int, default=5, help="runs each way")
    args = parser.parse_args()
    configure(level="warning")
    with tempfile.TemporaryDirectory() as tmp:
        project = jest_project(args.repo, tmp, "bench_jest_cache")
        if project is None:
            return 2
        repo, pack = project
        seconds: dict[str, list[float]] = {"cold": [], "kept": []}
        statuses: dict[str, set[str]] = {"cold": set(), "kept": set()}
        settings = Settings(sandbox="docker", memory="2g", cpus=1.0, pids=1024, test_timeout=300)
        with open_sandbox(repo, pack, settings, "docker") as box:
            run_tests(box, pack, args.tests, timeout=300)  # the first run fills the cache either way
            for _ in range(args.n):
                for way in ("cold", "kept"):
                    if way == "cold":
                        shutil.rmtree(box.scratch / "cache-jest", ignore_errors=True)
                    started = time.monotonic()
                    report = run_tests(box, pack, args.tests, timeout=300)
                    seconds[way].append(time.monotonic() - started)
                    statuses[way].add(json.dumps({t: s.value for t, s in sorted(report.tests.items())}))
    same = statuses["cold"] == statuses["kept"] and len(statuses["kept"]) == 1
    cold, kept = (statistics.median(seconds[w]) for w in ("cold", "kept"))
    print(
        json.dumps(
            {
                "tests": args.tests,
                "runs": args.n,
                "cold_s": round(cold, 2),
                "kept_s": round(kept, 2),
                "ratio": round(cold / kept, 2),
                "same_statuses": same,
            }
        )
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
