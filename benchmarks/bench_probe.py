"""The cost of verify's type probe: a probe run of the covering tests against a plain run of them.

For each devset Python instance whose gold patch edits one function, with the test patch and the
gold fix applied: the passing tests that run the edited lines (from one coverage run without the
fix, as localization measures them), then N plain runs of those tests and N runs with the probe of
the edited expression (`planners.verify.types`), alternating, in one sandbox. Prints the median
seconds of each, the ratio probe / plain, and whether the probe saw the function run.

    python benchmarks/bench_probe.py [--only NAME ...] [-n 5] [--sandbox docker|local]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from devset_runs import git, parse_devset

from rfsn.buildpacks import select
from rfsn.models import TestStatus
from rfsn.patches import apply_file, parse_patch
from rfsn.planners.code.candidates import FileChange
from rfsn.planners.verify.sites import covering, sites
from rfsn.planners.verify.types import MAX_TESTS
from rfsn.runner import Measure, run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import load_settings


def _change(repo: Path, patch: str) -> FileChange | None:
    files = parse_patch(patch)
    if len(files) != 1 or not files[0].path.endswith(".py"):
        return None
    original = (repo / files[0].path).read_text()
    patched = apply_file(original, files[0])
    return FileChange(path=files[0].path, original=original, patched=patched, splices=()) if patched else None


def bench(instance: dict[str, Any], repo: Path, n: int, kind: str) -> dict[str, Any] | None:
    git(repo, "apply", "-", text=instance["test_patch"])
    change = _change(repo, instance["patch"])
    probes = sites(change) if change else None
    if change is None or probes is None:
        return None
    pack = select(repo)
    times: dict[str, list[float]] = {"plain": [], "probe": []}
    with open_sandbox(repo, pack, load_settings(sandbox=kind), kind) as box:
        measured = run_tests(box, pack, timeout=600, measure=Measure(coverage=True))
        tests = covering(change, measured.coverage or {}, measured.with_status(TestStatus.PASSED), MAX_TESTS)
        if not tests:
            return None
        (repo / change.path).write_text(change.patched)
        for _ in range(n):
            for way in ("plain", "probe"):
                started = time.perf_counter()
                report = run_tests(
                    box, pack, tests, timeout=300, measure=Measure(probe=probes[1] if way == "probe" else None)
                )
                times[way].append(time.perf_counter() - started)
        seen = report.probed
    plain, probe = statistics.median(times["plain"]), statistics.median(times["probe"])
    return {
        "tests": len(tests),
        "plain": plain,
        "probe": probe,
        "ratio": probe / plain,
        "saw": bool(seen and (seen.values or seen.returns)),
        "error": seen.error if seen else "no report",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sandbox", default="docker")
    args, instances = parse_devset(parser, runs=5)
    rows = []
    with tempfile.TemporaryDirectory(prefix="rfsn-bench-") as tmp:
        subprocess.run([sys.executable, str(args.devset / "materialize.py"), tmp], check=True, capture_output=True)
        for instance in instances:
            name = instance["repo"].split("/", 1)[1]
            if (args.only and name not in args.only) or select(Path(tmp) / name).name != "python":
                continue
            row = bench(instance, Path(tmp) / name, args.n, args.sandbox)
            if row is None:
                continue
            rows.append(row)
            print(
                f"{name:18} {row['tests']:3} tests  plain {row['plain']:6.2f} s  probe {row['probe']:6.2f} s  "
                f"ratio {row['ratio']:.2f}  saw {row['saw']!s:5} {row['error'][:60]}",
                flush=True,
            )
    if not rows:
        raise SystemExit("no instance measured")
    print(
        f"\n{len(rows)} instances, n={args.n}: median ratio probe / plain "
        f"{statistics.median(r['ratio'] for r in rows):.2f}, probe saw the function in "
        f"{sum(r['saw'] for r in rows)}/{len(rows)}"
    )


if __name__ == "__main__":
    main()
