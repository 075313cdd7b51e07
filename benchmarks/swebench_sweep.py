"""The SWE-bench sweep: `rfsn validate` on every instance of the given repositories, one
repository at a time, then the table (per repository: instances, valid, each failure's label and
first line) and the per-instance times.

    python benchmarks/swebench_sweep.py run DATASET.json [DATASET.json ...] --repos-dir DIR \\
        --out DIR [--repos owner/name ...] [--ids ID ...] [--workers 2] [--run-prefix a1]
    python benchmarks/swebench_sweep.py table DIR   (runs stopped early: the instances they did)

The datasets (SWE-bench Lite test and dev, with every field) and the repositories (fetched,
laid out as `--repos-dir` expects) stay outside this repository. Instances whose spec asks for a
Python this machine cannot provide are listed as such (set RFSN_PYTHON_ARCHIVES for more).
Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def _instances(datasets: list[Path]) -> list[dict[str, Any]]:
    return [x for path in datasets for x in json.loads(path.read_text())]


def run(args: argparse.Namespace) -> None:
    instances = [x for x in _instances(args.datasets) if not args.ids or x["instance_id"] in args.ids]
    args.out.mkdir(parents=True, exist_ok=True)
    runnable = args.out / "instances.json"
    runnable.write_text(json.dumps(instances))
    repos = args.repos or sorted({x["repo"] for x in instances}, key=lambda r: sum(x["repo"] == r for x in instances))
    for repo in repos:
        ids = [x["instance_id"] for x in instances if x["repo"] == repo]
        name = f"{args.run_prefix}-{repo.replace('/', '__')}"
        started = time.monotonic()
        with (args.out / f"{name}.out").open("w") as output:
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "rfsn",
                    "validate",
                    str(runnable),
                    "--repos-dir",
                    str(args.repos_dir),
                    "--workers",
                    str(args.workers),
                    "--run-id",
                    name,
                    "--report-dir",
                    str(args.out),
                    "--instance-ids",
                    " ".join(ids),
                ],
                stdout=output,
                stderr=subprocess.STDOUT,
                check=False,
            )
        print(f"{repo}: exit {done.returncode}, {time.monotonic() - started:.0f}s", flush=True)
    table(args.out)


def _unfinished(out: Path) -> list[dict[str, Any]]:
    """The rows of runs stopped before their validation file was written, from their gold
    results (the latest outcome of each instance, judged as `rfsn validate` judges it)."""
    from rfsn.batch.outcome import Outcome
    from rfsn.batch.validate import judge

    rows = []
    for results in sorted(out.glob("logs/run_evaluation/*/gold/results.jsonl")):
        run = results.parent.parent.name
        if run.endswith(".again") or (out / f"validation.{run}.json").exists():
            continue
        latest = {o.instance_id: o for o in map(Outcome.model_validate_json, results.read_text().splitlines())}
        rows += [judge(iid, outcome).model_dump() for iid, outcome in sorted(latest.items())]
    return rows


def table(out: Path) -> None:
    rows: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    finished = [row for path in sorted(out.glob("validation.*.json")) for row in json.loads(path.read_text())]
    for row in [*finished, *_unfinished(out)]:
        rows[row["instance_id"].rsplit("-", 1)[0]].append(row)
    print("| repository | instances | valid | failures (label: first line) |")
    print("|---|---|---|---|")
    total = valid = 0
    for repo, found in sorted(rows.items()):
        good = sum(r["valid"] for r in found)
        total, valid = total + len(found), valid + good
        failures = "; ".join(
            f"{r['instance_id'].rsplit('-', 1)[1]} {r['label']}: {r['message'][:120]}" for r in found if not r["valid"]
        )
        print(f"| {repo} | {len(found)} | {good} | {failures} |")
    print(f"| all | {total} | {valid} | |")
    durations = [
        json.loads(line)["duration"]
        for path in out.glob("logs/run_evaluation/*/gold/results.jsonl")
        for line in path.read_text().splitlines()
        if line.strip()
    ]
    if durations:
        print(
            f"\nper-instance evaluation (gold, wall): median {statistics.median(durations):.1f}s, "
            f"max {max(durations):.1f}s over {len(durations)} runs"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    go = commands.add_parser("run")
    go.add_argument("datasets", nargs="+", type=Path)
    go.add_argument("--repos-dir", type=Path, required=True)
    go.add_argument("--out", type=Path, required=True)
    go.add_argument("--repos", nargs="*", default=[])
    go.add_argument("--ids", nargs="*", default=[], help="only these instances (e.g. those a stopped run left)")
    go.add_argument("--workers", type=int, default=2)
    go.add_argument("--run-prefix", default="sweep")
    show = commands.add_parser("table")
    show.add_argument("out", type=Path)
    args = parser.parse_args()
    if args.command == "run":
        run(args)
    else:
        table(args.out)


if __name__ == "__main__":
    main()
