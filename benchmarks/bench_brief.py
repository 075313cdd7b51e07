"""A candidate's first screening tier with pytest's long tracebacks vs Python's own (``brief``).

For each devset Python project (its test patch committed), ``-k`` template candidates spread over
its source files (``bench_swap_plans.candidates``), or those a session screened (``--sessions
DIR``: DIR/NAME/trajectory.jsonl), are each applied, their failing tests (FAIL_TO_PASS) run through
the product's warm runner once each way, the order alternating, and reverted: the same candidates,
the same sandbox and servers. Both ways must report the same statuses; the script prints the
seconds each way and the ratio.

    python benchmarks/bench_brief.py [--only NAME ...] [-k 40] [--sessions DIR]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_swap_plans import candidates, screened
from devset_runs import commit_test_patch, git, parse_devset

from rfsn.buildpacks import select
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings


def bench(instance: dict[str, Any], repo: Path, args: argparse.Namespace) -> dict[str, float]:
    commit_test_patch(repo, instance)
    pack = select(repo)
    failing = instance["FAIL_TO_PASS"]
    session = args.sessions / instance["repo"].split("/", 1)[1] / "trajectory.jsonl" if args.sessions else None
    found = screened(session, args.k) if session and session.exists() else candidates(repo, args.k)
    spent = {"long": 0.0, "brief": 0.0}
    with open_sandbox(repo, pack, Settings(sandbox="docker"), "docker") as box:
        warm = pack.warm_runner(box)
        for index, diff in enumerate(found):
            git(repo, "apply", "-", text=diff)
            statuses = {}
            for way in sorted(spent, reverse=index % 2 == 1):
                started = time.perf_counter()
                statuses[way] = run_tests(box, pack, failing, 60, via=warm, brief=way == "brief").tests
                spent[way] += time.perf_counter() - started
            git(repo, "apply", "-R", "-", text=diff)
            if statuses["long"] != statuses["brief"]:
                raise SystemExit(f"{instance['instance_id']} candidate {index}: the ways disagree: {statuses}")
    return {"candidates": len(found), **spent}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", type=int, default=40, help="candidates a project")
    parser.add_argument("--sessions", type=Path, help="DIR/NAME/trajectory.jsonl: the candidates a session screened")
    args, instances = parse_devset(parser, runs=1)
    totals = {"long": 0.0, "brief": 0.0}
    with tempfile.TemporaryDirectory(prefix="rfsn-bench-") as tmp:
        subprocess.run(["python", str(args.devset / "materialize.py"), tmp], check=True, capture_output=True)
        for instance in instances:
            name = instance["repo"].split("/", 1)[1]
            if (args.only and name not in args.only) or instance.get("language") != "python":
                continue
            row = bench(instance, Path(tmp) / name, args)
            shutil.rmtree(Path(tmp) / name, ignore_errors=True)
            totals = {way: totals[way] + row[way] for way in totals}
            print(
                f"{name:16} {row['candidates']:3.0f} candidates  long {row['long']:6.1f} s"
                f"  brief {row['brief']:6.1f} s  {row['long'] / row['brief']:.2f}x",
                flush=True,
            )
    long, brief = totals["long"], totals["brief"]
    print(f"\nall: long {long:.1f} s, brief {brief:.1f} s: **{long / brief:.2f}x** (-k {args.k})")


if __name__ == "__main__":
    main()
