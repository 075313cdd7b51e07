"""Validate the *bugs* layer's candidates one at a time, in the file's order, resumable (issue 71).

Each candidate of ``candidates.jsonl`` (mined by ``benchmarks/history/mine.py --projects``) goes
through ``rfsn validate`` alone; as each finishes its row (``bench_history.bug_row``: env ok,
valid, the cause by label) is appended to ``--results``. A row already there is skipped, so a
run again resumes. It stops once ``--want`` rows are valid. Before each candidate, when the
disk holding Docker's images has less than ``--min-free-gib`` free, rfsn's setup snapshots and
dangling images are pruned (``docker image prune``, the documented tooling).

    nice -n 10 python benchmarks/fixes/bugs/validate.py --repos-dir /work/data/fixes-repos \\
        --out /work/data/bugs-runs/s20 [--want 80] [--timeout 900]
    python benchmarks/fixes/bugs/validate.py --table   # the table and the counts of --results
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import commands  # noqa: E402

CANDIDATES = HERE / "candidates.jsonl"
RESULTS = HERE / "results.jsonl"
RUN_ID = "bugs"


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_history", HERE.parents[1] / "bench_history.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _bench()


def validate_one(instance: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Run ``rfsn validate`` on one candidate and return its row (``bench_history.bug_row``)."""
    out: Path = args.out
    iid = instance["instance_id"]
    done = subprocess.run(
        [*commands.RFSN, *commands.validate(args.candidates, RUN_ID, out, iid, args.repos_dir, args.timeout)],
        capture_output=True,
        text=True,
    )
    validity = bench.validations(out / f"validation.{RUN_ID}.json").get(iid)
    logs = out / "logs" / "run_evaluation" / RUN_ID / "gold" / iid
    if validity is None:
        row = bench.bug_row(instance, None, None, None)
        row["cause"] = f"rfsn validate exited {done.returncode}: {bench.first_line(done.stderr or done.stdout)}"
        row["label"] = "none"
        return row
    row = bench.bug_row(
        instance, validity, None, None, bench._read(logs / "run_instance.log"), bench._read(logs / "test_output.txt")
    )
    row["label"] = validity["label"]
    return row


def prune_if_tight(path: Path, min_free_gib: float) -> None:
    """Prune rfsn's setup snapshots and dangling images when ``path``'s disk is tight."""
    if shutil.disk_usage(path).free / 2**30 >= min_free_gib:
        return
    for extra in (["-a", "--filter", "label=rfsn.setup"], []):
        subprocess.run(["docker", "image", "prune", "-f", *extra], capture_output=True, check=False)


def load(path: Path) -> list[dict[str, Any]]:
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if path.exists()
        else []
    )


def table(rows: list[dict[str, Any]]) -> str:
    """Pure: the markdown table of ``rows`` and the counts: valid, environment failures by label
    and cause, and not reproducible (the tests ran, the bug did not show)."""
    lines = ["| # | bug | date | hunks | label | env ok | valid | cause |", "|---|---|---|---|---|---|---|---|"]
    for n, r in enumerate(rows, 1):
        cause = r["cause"].replace("|", "\\|")
        lines.append(
            f"| {n} | {r['instance_id']} | {r['created']} | {'1' if r['single_hunk'] else '>1'} | "
            f"{r['label']} | {'yes' if r['env_ok'] else 'no'} | {'yes' if r['valid'] else 'no'} | {cause} |"
        )
    valid = sum(bool(r["valid"]) for r in rows)
    env = Counter(r["label"] for r in rows if not r["env_ok"])
    unrepro = Counter(r["label"] for r in rows if r["env_ok"] and not r["valid"])
    lines += [
        "",
        f"validated: {len(rows)}; valid: {valid} ({sum(bool(r['valid']) and r['single_hunk'] for r in rows)}"
        " single-hunk); environment failures: "
        f"{sum(env.values())} ({', '.join(f'{k} {v}' for k, v in env.most_common()) or 'none'}); "
        f"not reproducible: {sum(unrepro.values())} "
        f"({', '.join(f'{k} {v}' for k, v in unrepro.most_common()) or 'none'})",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos-dir", type=Path)
    parser.add_argument("--out", type=Path, help="rfsn validate's report directory (logs), outside the repository")
    parser.add_argument("--candidates", type=Path, default=CANDIDATES)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--want", type=int, default=80, help="stop once this many rows are valid")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--min-free-gib", type=float, default=15.0)
    parser.add_argument("--table", action="store_true", help="only print the table of --results")
    args = parser.parse_args()
    if args.table:
        print(table(load(args.results)), end="")
        return
    if args.repos_dir is None or args.out is None:
        parser.error("--repos-dir and --out are needed to validate")
    args.out.mkdir(parents=True, exist_ok=True)
    done = {r["instance_id"]: r for r in load(args.results)}
    for instance in load(args.candidates):
        if sum(bool(r["valid"]) for r in done.values()) >= args.want:
            break
        if instance["instance_id"] in done:
            continue
        prune_if_tight(args.out, args.min_free_gib)
        row = validate_one(instance, args)
        with args.results.open("a", encoding="utf-8") as results:
            results.write(json.dumps(row) + "\n")
        done[row["instance_id"]] = row
        print(f"{len(done)} {row['instance_id']}: {row['label']} {row['cause']}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
