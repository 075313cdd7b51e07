"""Validate the *bugs* layer's candidates one at a time, in the file's order, resumable (issue 71).

Each candidate of ``candidates.jsonl`` (mined by ``benchmarks/history/mine.py --projects``) has
its test lists refined by running, as the history corpus's (``mine.py``'s refine: FAIL_TO_PASS the
tests of the touched test files that do not pass at the buggy commit with the test patch and pass
with the fix, PASS_TO_PASS those passing in both runs), then goes through ``rfsn validate`` alone
(the refined row; the mined one when the runs say nothing, with why); as each finishes its row
(``bench_history.bug_row``: env ok, valid, the cause by label, the test lists validated) is
appended to ``--results``. A row already there is skipped, so a
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


def _module(name: str, path: Path) -> Any:
    """The module of ``path`` under ``name`` (a benchmark script; ``mine`` is also the fixes miner's name)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _module("bench_history", HERE.parents[1] / "bench_history.py")
mine = _module("history_mine", HERE.parents[1] / "history" / "mine.py")  # the history corpus's refine


def to_validate(instance: dict[str, Any], refined: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Pure: the row to validate after the refine (``mine.refined``'s row): the refined one, else
    the mined one, and the refine's note ("ok", or why its runs said nothing)."""
    return (refined if refined.get("refined") == "ok" else instance), str(refined.get("refined", ""))


def unstable(reports: list[dict[str, Any]], instance: dict[str, Any]) -> list[str]:
    """Pure: the PASS_TO_PASS tests that did not pass in one of the gold's evaluations
    (``reports``: each one's ``report.json`` entry of the instance), when every FAIL_TO_PASS test
    passed in all of them; else none (the bug's own tests are what changes from run to run)."""
    statuses = [r.get("tests_status", {}) for r in reports]
    if not statuses or any(
        not set(instance["FAIL_TO_PASS"]) <= set(s.get("FAIL_TO_PASS", {}).get("success", [])) for s in statuses
    ):
        return []
    passed = [set(s.get("PASS_TO_PASS", {}).get("success", [])) for s in statuses]
    return [t for t in instance["PASS_TO_PASS"] if not all(t in p for p in passed)]


def _validated(ran: dict[str, Any], args: argparse.Namespace) -> tuple[dict[str, Any] | None, str]:
    """``rfsn validate`` of ``ran`` alone: its row (None: it wrote none) and its output."""
    out: Path = args.out
    iid = ran["instance_id"]
    instances = out / "instances" / f"{iid}.jsonl"
    instances.parent.mkdir(parents=True, exist_ok=True)
    instances.write_text(json.dumps({k: v for k, v in ran.items() if k != "unstable"}) + "\n", encoding="utf-8")
    done = subprocess.run(
        [*commands.RFSN, *commands.validate(instances, RUN_ID, out, iid, args.repos_dir, args.timeout)],
        capture_output=True,
        text=True,
    )
    said = f"exited {done.returncode}: {bench.first_line(done.stderr or done.stdout)}"
    return bench.validations(out / f"validation.{RUN_ID}.json").get(iid), said


def _without_unstable(ran: dict[str, Any], out: Path) -> dict[str, Any]:
    """``ran`` without the PASS_TO_PASS tests whose verdict changed between the gold's two
    evaluations (``unstable``), those evaluations' logs moved aside (``<run>.unstable``) so that
    ``rfsn validate`` runs it again; ``ran`` itself when none is to drop."""
    runs = out / "logs" / "run_evaluation"
    logs = [runs / run / "gold" / ran["instance_id"] for run in (RUN_ID, f"{RUN_ID}.again")]
    reports = [
        json.loads(p.read_text()).get(ran["instance_id"], {}) for p in (d / "report.json" for d in logs) if p.is_file()
    ]
    drop = unstable(reports, ran) if len(reports) == 2 else []
    if not drop:
        return ran
    for log in logs:
        aside = runs / f"{log.parents[1].name}.unstable" / "gold" / log.name
        shutil.rmtree(aside, ignore_errors=True)
        aside.parent.mkdir(parents=True, exist_ok=True)
        log.rename(aside)
    return {**ran, "PASS_TO_PASS": [t for t in ran["PASS_TO_PASS"] if t not in drop], "unstable": drop}


def validate_one(instance: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Refine one candidate's FAIL_TO_PASS, run ``rfsn validate`` on it and return its row
    (``bench_history.bug_row``, with the refine's note and the test lists validated). Flaky by a
    PASS_TO_PASS test alone, it is validated once more without the tests whose verdict changed
    (a test shaped by the machine's load is no part of the bug; the row names them)."""
    out: Path = args.out
    iid = instance["instance_id"]
    ran, note = to_validate(instance, mine.refined(instance, mine.run_both(instance, args.repos_dir, args.timeout)))
    validity, said = _validated(ran, args)
    if validity is not None and validity["label"] == "flaky" and (stable := _without_unstable(ran, out)) is not ran:
        ran = stable
        validity, said = _validated(ran, args)
    logs = out / "logs" / "run_evaluation" / RUN_ID / "gold" / iid
    if validity is None:
        row = bench.bug_row(instance, None, None, None)
        row["cause"] = f"rfsn validate {said}"
        row["label"] = "none"
    else:
        log, output = bench._read(logs / "run_instance.log"), bench._read(logs / "test_output.txt")
        row = bench.bug_row(instance, validity, None, None, log, output)
        row["label"] = validity["label"]
    if note != "ok" and not row["valid"]:
        row["cause"] += f" (refine: {bench.first_line(note)})"
    lists = {k: ran[k] for k in ("FAIL_TO_PASS", "PASS_TO_PASS", "unstable") if k in ran}
    return {**row, "refined": note, **lists}


def instances(candidates: Path, results: Path) -> list[dict[str, Any]]:
    """The candidates with the FAIL_TO_PASS and PASS_TO_PASS their validation ran (a refined
    row's), what the repair and its judges name; a row validated before the refine keeps the mined ones."""
    lists = ("FAIL_TO_PASS", "PASS_TO_PASS")
    validated = {r["instance_id"]: {k: r[k] for k in lists if k in r} for r in load(results)}
    return [{**c, **validated.get(c["instance_id"], {})} for c in load(candidates)]


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
