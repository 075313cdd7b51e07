"""Screening a JavaScript candidate: the warm ``node --test`` runner vs a cold ``node --test``.

For each devset JavaScript instance (``node --test`` projects: duration-fmt,
cart-pricing, event-bus) the failing tests (FAIL_TO_PASS, test patch applied)
and the whole suite are run N times each, with the gold fix applied and
reverted in turn as screening does, both ways in one sandbox: a cold ``node
--test`` (an exec in the sandbox) and the warm runner (a request to the server
in the sandbox; each test file in a pre-started node), the warm run once after
the cold one and once more right after it ("again": the workers the first took
are still starting, as when candidates come back to back). The ways must give
the same statuses; the script checks that and prints the median seconds per
run, runs per second and the ratio cold/warm.

    python benchmarks/bench_node_warm.py [--only NAME ...] [-n 10]
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
from typing import Any

from devset_runs import commit_test_patch, git, parse_devset

from rfsn.buildpacks import select
from rfsn.buildpacks.node.buildpack import NODE_REPORT
from rfsn.buildpacks.node.warm.node_client import WarmNode
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings

#: "again": a warm run right after a warm one, before the workers it took are replaced
WAYS = ("cold", "warm", "again")


def bench(instance: dict[str, Any], repo: Path, n: int) -> dict[str, dict[str, float]]:
    """Median seconds per run, per selection ("failing", "suite") and way."""
    commit_test_patch(repo, instance)
    pack = select(repo)
    selections = {"failing": instance["FAIL_TO_PASS"], "suite": []}
    times: dict[str, dict[str, list[float]]] = {s: {w: [] for w in WAYS} for s in selections}
    with open_sandbox(repo, pack, Settings(sandbox="docker"), "docker") as box:
        warm = WarmNode(box, NODE_REPORT)
        if not warm.start():
            raise SystemExit(f"{repo.name}: the warm server did not start")
        for i in range(n):
            git(repo, "apply", *([] if i % 2 == 0 else ["-R"]), "-", text=instance["patch"])
            for selection, tests in selections.items():
                statuses = []
                for way in WAYS:
                    started = time.perf_counter()
                    report = run_tests(box, pack, tests, timeout=120, via=None if way == "cold" else warm)
                    times[selection][way].append(time.perf_counter() - started)
                    statuses.append(json.dumps(report.tests, sort_keys=True))
                if len(set(statuses)) != 1:
                    raise SystemExit(f"{repo.name} ({selection}): cold and warm disagree: {statuses}")
        if warm.cold_runs:
            raise SystemExit(f"{repo.name}: {warm.cold_runs} runs went cold")
    return {s: {w: statistics.median(t) for w, t in by_way.items()} for s, by_way in times.items()}


def main() -> None:
    args, instances = parse_devset(argparse.ArgumentParser(description=__doc__.splitlines()[0]), runs=10)
    rows: list[tuple[str, dict[str, dict[str, float]]]] = []
    with tempfile.TemporaryDirectory(prefix="rfsn-bench-") as tmp:
        for instance in instances:
            name = instance["repo"].split("/", 1)[1]
            if instance.get("language") != "javascript" or (args.only and name not in args.only):
                continue
            subprocess.run(
                [sys.executable, str(args.devset / "materialize.py"), tmp, "--only", name],
                check=True,
                capture_output=True,
            )
            result = bench(instance, Path(tmp) / name, args.n)
            rows.append((name, result))
            print(
                f"{name:14}"
                + "".join(
                    f"  {s}: cold {r['cold'] * 1000:5.0f} ms, warm {r['warm'] * 1000:4.0f} ms"
                    f" ({r['cold'] / r['warm']:3.1f}x), again {r['again'] * 1000:4.0f} ms"
                    for s, r in result.items()
                ),
                flush=True,
            )
    if not rows:
        raise SystemExit("no instance measured")
    print(f"\n{len(rows)} instances, n={args.n}; median seconds per run over the instances:")
    for selection in ("failing", "suite"):
        cold, warm, again = (statistics.median(r[selection][w] for _, r in rows) for w in WAYS)
        print(
            f"{selection:8} cold {cold:.3f} s ({1 / cold:.1f}/s), warm {warm:.3f} s ({1 / warm:.1f}/s),"
            f" cold/warm {cold / warm:.1f}x; again {again:.3f} s, cold/again {cold / again:.1f}x"
        )


if __name__ == "__main__":
    main()
