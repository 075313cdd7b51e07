"""Refine and validate the historical JavaScript bugs (``jsbugs.jsonl``, rule in ``jsbugs.md``).

Each mined row, in the file's order, one at a time: its FAIL_TO_PASS derived by running
(``benchmarks/history/mine.py``'s refine: rfsn's environment at the buggy commit with the test
patch, then with the fix), then ``rfsn validate`` on the refined row. A result row (valid, or
the label and its one-line cause; the row's corpus side) is appended as each row ends, and a
rerun skips the rows already there. The images a row built (named in its logs) are removed.

    PYTHONPATH=$PWD nice -n 10 python benchmarks/environments/jsbugs.py --repos-dir DIR \\
        --results /work/data/envsweep/jsbugs-results.jsonl --work /work/data/envsweep/jsbugs-work \\
        [--refined benchmarks/environments/jsbugs.refined.jsonl] [--limit N] [--timeout 600]
    python benchmarks/environments/jsbugs.py --results FILE --table
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "history"), str(HERE.parent)]

import mine  # noqa: E402  (benchmarks/history/mine.py: the refine)
from bench_environments import events, prune  # noqa: E402

from rfsn.observability import logging as rlog  # noqa: E402


def parts() -> dict[str, str]:
    """The corpus side (design or measure) of each repository."""
    rows = [line.split("\t") for line in (HERE / "corpus.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    return {row[3]: row[4] for row in rows if len(row) > 4}


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.is_file() else []


def refine(row: dict[str, Any], args: argparse.Namespace, log: Path) -> dict[str, Any]:
    """The row with FAIL_TO_PASS from its two runs (``refined``: "ok" or why not), kept in --refined."""
    done = {r["instance_id"]: r for r in lines(args.refined)}
    if done.get(row["instance_id"], {}).get("refined") == "ok":  # a failed refine runs again
        return done[row["instance_id"]]
    rlog.configure(level="warning", json_file=log)
    out = mine.refine_row(row, args.repos_dir, args.timeout)
    done[row["instance_id"]] = out
    order = [r["instance_id"] for r in lines(args.mined)]
    args.refined.write_text("".join(json.dumps(done[i]) + "\n" for i in order if i in done), encoding="utf-8")
    return out


def validate(row: dict[str, Any], args: argparse.Namespace, work: Path, log: Path) -> dict[str, Any]:
    """``rfsn validate`` of one refined row: its validation row (label, message)."""
    instances = work / "instance.jsonl"
    instances.write_text(json.dumps(row) + "\n", encoding="utf-8")
    argv = [
        sys.executable,
        "-m",
        "rfsn",
        "validate",
        str(instances),
        "--report-dir",
        str(work),
        "--repos-dir",
        str(args.repos_dir),
        "--timeout",
        str(args.timeout),
        "--log-file",
        str(log),
    ]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=args.timeout * 6)
    except subprocess.TimeoutExpired:
        return {"label": "timeout", "message": f"rfsn validate ran over {args.timeout * 6:.0f} s"}
    result = work / "validation.validate.json"
    if not result.is_file():
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"label": "error", "message": f"rfsn validate exited {done.returncode}: {tail[:300]}"}
    return json.loads(result.read_text(encoding="utf-8"))[0]


def one(row: dict[str, Any], args: argparse.Namespace, side: str) -> dict[str, Any]:
    work = args.work / row["instance_id"]
    work.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    logs = (work / "refine.log", work / "validate.log")
    refined = refine(row, args, logs[0])
    if refined.get("refined") != "ok":
        verdict: dict[str, Any] = {"label": "not_refined", "message": refined.get("refined", "")}
    else:
        verdict = validate(refined, args, work, logs[1])
    removed = prune([e for log in logs for e in events(log)])
    return {
        "instance_id": row["instance_id"],
        "repo": row["repo"],
        "part": side,
        "created_at": row["created_at"],
        "valid": bool(verdict.get("valid")),
        "label": verdict.get("label", ""),
        "message": " ".join(str(verdict.get("message", "")).split())[:400],
        "FAIL_TO_PASS": refined["FAIL_TO_PASS"] if refined.get("refined") == "ok" else [],
        "seconds": round(time.monotonic() - start),
        "images_removed": len(removed),
    }


def table(results: list[dict[str, Any]]) -> None:
    for side in ("design", "measure"):
        rows = [r for r in results if r["part"] == side]
        valid = sum(r["valid"] for r in rows)
        print(f"{side}: {valid}/{len(rows)} valid ({100 * valid / max(len(rows), 1):.0f} %)")
        for (label, cause), n in Counter((r["label"], r["message"][:120]) for r in rows if not r["valid"]).items():
            print(f"  {n} {label}: {cause}")
    print("| instance | part | date | verdict | cause |\n|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['instance_id']} | {r['part']} | {r['created_at'][:10]} | {r['label']} | "
            f"{r['message'][:160].replace('|', '/')} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mined", type=Path, default=HERE / "jsbugs.jsonl")
    parser.add_argument("--refined", type=Path, default=HERE / "jsbugs.refined.jsonl")
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=Path("/work/data/envsweep/jsbugs-work"))
    parser.add_argument("--repos-dir", type=Path, default=Path("/work/data/jsbugs/repos"))
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds a test run")
    parser.add_argument("--limit", type=int, default=0, help="stop after this many new rows")
    parser.add_argument("--instance-ids", default="", help="only these rows (space-separated)")
    parser.add_argument("--table", action="store_true", help="print the results' table and stop")
    args = parser.parse_args()
    if args.table:
        table(lines(args.results))
        return
    done = {r["instance_id"] for r in lines(args.results)}
    sides, wanted, ran = parts(), set(args.instance_ids.split()), 0
    for row in lines(args.mined):
        if row["instance_id"] in done or (wanted and row["instance_id"] not in wanted):
            continue
        if args.limit and ran >= args.limit:
            break
        result = one(row, args, sides.get(row["repo"], "?"))
        with args.results.open("a", encoding="utf-8") as out:
            out.write(json.dumps(result) + "\n")
        print(
            f"{result['instance_id']} ({result['part']}): {result['label']} {result['message'][:150]}",
            file=sys.stderr,
            flush=True,
        )
        ran += 1


if __name__ == "__main__":
    main()
