"""jest's per-test coverage: every test measured in one run of the files vs a run of jest per test.

For a jest project (a path, or by default luxon's mirror at the real-projects benchmark's commit),
in one sandbox, the given test files run once as rfsn's coverage plan runs them, then its coverage
driver runs twice: "hooked" as rfsn runs it (``jesthooks.cjs`` reads jest's counters around each
test in one run of the files) and "per test" without the hooks and with no budget (a run of each
file, then a run of jest per test: what a suite small enough for the budget got before). The script
prints the seconds each driver took, their ratio, and how many lines of a test differ between the
ways (median, most; a test differs where an earlier test of its file filled a cache it fills alone).

    python benchmarks/bench_jest_coverage.py [--repo DIR] [--tests FILE ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_jest_cache import jest_project

from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.buildpacks.node.jscoverage import JEST_HOOKS, RUNS_REPORT
from rfsn.observability.logging import configure
from rfsn.sandbox import open_sandbox
from rfsn.sandbox.base import Sandbox
from rfsn.settings import Settings

TESTS = ["test/datetime/misc.test.js", "test/datetime/math.test.js"]
#: the budget given to the driver "per test": enough for a run of every test
UNBOUNDED = "1000000"


Lines = dict[str, dict[str, list[int]]]


def measured(box: Sandbox, pack: NodeBuildpack, tests: list[str], way: str) -> tuple[float, Lines]:
    """Seconds the coverage driver took ``way`` ("hooked" or "per test"), and each test's lines."""
    host = box.scratch / way.replace(" ", "-")
    host.mkdir()
    host.chmod(0o777)  # the sandbox may run commands as another user
    inside = f"{box.scratch_path}/{host.name}"
    plan = pack.coverage_plan(tests, inside)
    for name, text in plan.files.items():
        if not (way == "per test" and name == JEST_HOOKS):
            (host / name).write_text(text)
    run, driver = plan.commands
    box.exec(run, timeout=600, own_tmp=True)
    if way == "per test":
        driver = [*driver[:3], UNBOUNDED, *driver[4:]]
    started = time.monotonic()
    box.exec(driver, timeout=3600, own_tmp=True)
    seconds = time.monotonic() - started
    reports = {RUNS_REPORT: (host / RUNS_REPORT).read_text()}
    statuses = pack.parse("", {p.name: p.read_text() for p in host.iterdir() if p.suffix in (".json", ".txt")})
    return seconds, pack.parse_coverage(reports, list(statuses), box.workdir)


def _lines(coverage: dict[str, list[int]]) -> set[tuple[str, int]]:
    return {(path, line) for path, lines in coverage.items() for line in lines}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, help="a jest project (default: luxon's mirror at its commit)")
    parser.add_argument("--tests", nargs="+", default=TESTS, help="test files to measure")
    args = parser.parse_args()
    configure(level="warning")
    with tempfile.TemporaryDirectory() as tmp:
        project = jest_project(args.repo, tmp, "bench_jest_coverage")
        if project is None:
            return 2
        repo, pack = project
        settings = Settings(sandbox="docker", memory="2g", cpus=1.0, pids=1024, test_timeout=600)
        with open_sandbox(repo, pack, settings, "docker") as box:
            hooked_s, hooked = measured(box, pack, args.tests, "hooked")
            plain_s, plain = measured(box, pack, args.tests, "per test")
    differ = sorted(len(_lines(hooked.get(t, {})) ^ _lines(lines)) for t, lines in plain.items())
    print(
        json.dumps(
            {
                "tests": args.tests,
                "measured": [len(hooked), len(plain)],
                "hooked_s": round(hooked_s, 1),
                "per_test_s": round(plain_s, 1),
                "ratio": round(plain_s / max(hooked_s, 0.01), 1),
                "lines_differing": {
                    "median": statistics.median(differ or [0]),
                    "most": max(differ or [0]),
                    "of_median": statistics.median(len(_lines(v)) for v in plain.values()),
                },
            }
        )
    )
    return 0 if hooked and len(hooked) == len(plain) else 1


if __name__ == "__main__":
    sys.exit(main())
