"""Real bugs from project histories (issue #45): environment, validity and offline repair, per bug.

The corpus (``benchmarks/history/corpus.jsonl``, SWE-bench instances mined by
``benchmarks/history/mine.py``) is run through the commands a user has:

1. ``rfsn validate``: the environment runs the named tests, they fail at the buggy commit and
   the fix makes them pass;
2. ``rfsn batch --oracle-tests`` (the offline planner, the fixing commit's tests given) on the
   bugs whose environment ran the tests (``--repair-all``: on every bug), then ``rfsn evaluate``
   of its predictions.

It writes ``OUT/history.md`` (the table and the figures) and ``OUT/history.jsonl`` (one row per
bug). A stage run again resumes where it stopped (the commands' own stores).

    python benchmarks/bench_history.py --repos-dir /work/data/repos --out /work/data/history-runs/x \\
        [--instance-ids "ID ..."] [--stages [validate] [repair]] [--run-id history] [--workers 2]
        [--timeout 900] [--repair-all]

``--repos-dir`` holds the projects as ``owner__name`` clones (benchmarks/README.md, "history
corpus", says how to fetch them).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

CORPUS = Path(__file__).resolve().parent / "history" / "corpus.jsonl"
MODEL = "rfsn"
#: validation labels under which the named tests ran (passed or failed, no error)
TESTS_RAN = frozenset({"valid", "gold_unresolved", "flaky"})


def environment_ok(label: str, message: str) -> bool:
    """Pure: whether the named tests ran at the buggy commit (pass or fail, not error), from
    ``rfsn validate``'s row. An ``env`` row whose only complaint is that the named tests already
    pass ran them: the environment is sound, the bug is not reproduced."""
    return label in TESTS_RAN or (label == "env" and "already pass at base" in message)


#: an exception's line in a run's output (``ImportError: cannot import name ...``), or pip's own
#: reason (``ERROR: Could not find a version ...``, ``error in nose-cover3 setup command: ...``)
_RAISED = re.compile(r"\b[A-Z]\w*(?:Error|Exception): \S.*|^\s*(?:ERROR: |error in ).*")
_ANSI = re.compile(r"\x1b?\[[0-9;]*m")


def raised(log: str) -> str:
    """Pure: the first exception line of ``log`` that is not rfsn's own ("" if none)."""
    for line in log.splitlines():
        found = _RAISED.search(line)
        if found and "rfsn.errors." not in line:
            return found[0].strip()
    return ""


def validations(path: Path) -> dict[str, dict[str, Any]]:
    """``rfsn validate``'s rows in ``path``, by instance (none: no file)."""
    return {v["instance_id"]: v for v in json.loads(path.read_text())} if path.exists() else {}


def kept_validations(path: Path, before: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The rows of ``path`` after a validation of some bugs (``rfsn validate`` writes only those)
    joined to the rows it held ``before``: the newer row of a bug wins; written back."""
    joined = {**before, **validations(path)}
    if joined:
        path.write_text(json.dumps(list(joined.values()), indent=2), encoding="utf-8")
    return joined


def first_line(text: str, width: int = 200) -> str:
    line = next((ln.strip() for ln in _ANSI.sub("", text).splitlines() if ln.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"


def bug_row(
    instance: dict[str, Any],
    validity: dict[str, Any] | None,
    repair: dict[str, Any] | None,
    graded: dict[str, Any] | None,
    log: str = "",
    output: str = "",
) -> dict[str, Any]:
    """Pure: one bug's row: environment ok, valid, resolved, and the cause of its first failure
    (environment, validity, repair, in that order; None until a stage has run: a bug repaired
    and never validated has its repair's columns). A broken
    environment's message that names no exception is followed by the first one of its ``log``, a
    gold patch that does not resolve by the first one of the gold run's test ``output``."""
    layout = instance.get("layout") or {}
    row: dict[str, Any] = {
        "instance_id": instance["instance_id"],
        "created": str(instance.get("created_at", ""))[:10],
        "single_hunk": bool(instance.get("single_hunk")),
        "tests": layout.get("tests", ""),
        "env_ok": None,
        "valid": None,
        "resolved": None,
        "cause": "not run",
    }
    if validity is None and repair is None and graded is None:
        return row
    row["cause"] = ""
    if validity is not None:
        label, message = validity["label"], validity.get("message", "")
        row["env_ok"] = environment_ok(label, message)
        row["valid"] = bool(validity["valid"])
        if not row["env_ok"]:
            found = "" if raised(message) else raised(log)
            row["cause"] = (
                f"environment ({label}): {first_line(message, 120)} [{first_line(found)}]"
                if found
                else f"environment ({label}): {first_line(message)}"
            )
        elif not row["valid"]:
            found = raised(output) if label == "gold_unresolved" else ""
            row["cause"] = f"not valid ({label}): {first_line(message)}" + (f" [{first_line(found)}]" if found else "")
    if graded is not None:
        row["resolved"] = graded["status"] == "resolved"
    if row["resolved"] or row["env_ok"] is False or (repair is None and graded is None):
        return row
    why = _repair_cause(repair, graded)
    row["cause"] = f"{row['cause']}; {why}" if row["cause"] else why
    return row


def _repair_cause(repair: dict[str, Any] | None, graded: dict[str, Any] | None) -> str:
    if repair is None:
        return "repair: not run"
    if repair["status"] == "error":
        return f"repair error ({repair.get('error_kind')}): {first_line(repair.get('message', ''))}"
    if repair["status"] == "not_fixed":
        return f"repair: {first_line(repair.get('message', ''))}"
    if graded is None:
        return "repair: fixed (self-checked), not evaluated"
    if graded["status"] == "error":
        return f"evaluation error ({graded.get('error_kind')}): {first_line(graded.get('message', ''))}"
    return f"repair: patch {graded['status']} by the fixing commit's tests"


def figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Pure: the issue's three rates over the bugs validated, as counts and percentages; the
    single-hunk rate (over every single-hunk bug) says how many were repaired (None: none)."""
    ran = [r for r in rows if r["env_ok"] is not None]
    single = [r for r in rows if r["single_hunk"] and r["cause"] != "not run"]

    def rate(hits: int, total: int) -> str:
        return f"{hits}/{total} ({100 * hits / total:.0f}%)" if total else "0/0"

    repaired = sum(r["resolved"] is not None for r in single)
    return {
        "bugs": len(ran),
        "environment_ok": rate(sum(bool(r["env_ok"]) for r in ran), len(ran)),
        "valid": rate(sum(bool(r["valid"]) for r in ran), len(ran)),
        "single_hunk_resolved": f"{rate(sum(bool(r['resolved']) for r in single), len(single))}, "
        f"{repaired} of them repaired"
        if repaired
        else None,
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    """Pure: the table, one line per bug, and the figures under it."""

    def mark(value: bool | None) -> str:
        return "-" if value is None else "yes" if value else "no"

    lines = ["| bug | date | hunks | tests | env ok | valid | resolved | cause |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        cause = r["cause"].replace("|", "\\|")
        lines.append(
            f"| {r['instance_id']} | {r['created']} | {'1' if r['single_hunk'] else '>1'} | "
            f"{r['tests']} | {mark(r['env_ok'])} | {mark(r['valid'])} | {mark(r['resolved'])} | "
            f"{cause} |"
        )
    summary = figures(rows)
    lines += [
        "",
        f"bugs run: {summary['bugs']}; environment ok: {summary['environment_ok']}; "
        f"valid: {summary['valid']}; single-hunk resolved: {summary['single_hunk_resolved'] or 'not run'}",
    ]
    return "\n".join(lines) + "\n"


def latest(path: Path) -> dict[str, dict[str, Any]]:
    """The last row per instance of a ``results.jsonl`` (none when the file does not exist)."""
    rows: dict[str, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line of a run that was killed
            rows[row["instance_id"]] = row
    return rows


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def fail(message: str) -> NoReturn:
    print(f"bench_history: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def rfsn(*args: str) -> None:
    """Run an rfsn command; its own usage or input errors (exit 2) stop the bench."""
    done = subprocess.run([sys.executable, "-m", "rfsn", *args])
    if done.returncode == 2:
        fail(f"rfsn {args[0]} exited 2 (its message is above)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--instance-ids", default="", help="space-separated ids (default: the whole corpus)")
    parser.add_argument(
        "--stages",
        nargs="*",
        choices=["validate", "repair"],
        default=["validate", "repair"],
        help="what to run (none: only write the table of what OUT holds)",
    )
    parser.add_argument("--run-id", default="history", help="names the validation and the evaluation runs")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument(
        "--repair-all", action="store_true", help="repair every bug, not only those whose environment ran the tests"
    )
    args = parser.parse_args()
    if not args.repos_dir.is_dir():
        fail(f"no such directory: {args.repos_dir}")
    try:
        instances = [json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines() if line]
    except (OSError, json.JSONDecodeError) as exc:
        fail(f"cannot read the corpus {args.corpus}: {exc}")
    wanted = args.instance_ids.split()
    unknown = sorted(set(wanted) - {i["instance_id"] for i in instances})
    if unknown:
        fail(f"not in the corpus: {' '.join(unknown)}")
    instances = [i for i in instances if not wanted or i["instance_id"] in wanted]
    ids = [i["instance_id"] for i in instances]
    args.out.mkdir(parents=True, exist_ok=True)
    common = ["--repos-dir", str(args.repos_dir), "--workers", str(args.workers), "--timeout", str(args.timeout)]
    validation_file = args.out / f"validation.{args.run_id}.json"
    before = validations(validation_file)
    if "validate" in args.stages:
        rfsn(
            "validate",
            str(args.corpus),
            "--run-id",
            args.run_id,
            "--report-dir",
            str(args.out),
            "--instance-ids",
            " ".join(ids),
            *common,
        )
    validity = kept_validations(validation_file, before)
    if "repair" in args.stages:
        unvalidated = [i for i in ids if i not in validity]
        if unvalidated and not args.repair_all:
            fail(
                f"not validated in {args.out}: {' '.join(unvalidated[:5])}{' ...' if len(unvalidated) > 5 else ''}"
                " (run the validate stage first, or --repair-all)"
            )
        chosen = [
            i
            for i in ids
            if args.repair_all
            or (i in validity and environment_ok(validity[i]["label"], validity[i].get("message", "")))
        ]
        if chosen:
            batch = args.out / "batch"
            rfsn(
                "batch",
                str(args.corpus),
                "--out",
                str(batch),
                "--oracle-tests",
                "--model-name",
                MODEL,
                "--instance-ids",
                " ".join(chosen),
                *common,
            )
            rfsn(
                "evaluate",
                str(batch / "predictions.jsonl"),
                "--instances",
                str(args.corpus),
                "--run-id",
                f"{args.run_id}-repair",
                "--report-dir",
                str(args.out),
                "--instance-ids",
                " ".join(chosen),
                *common,
            )
    repairs = latest(args.out / "batch" / "results.jsonl")
    graded = latest(args.out / "logs" / "run_evaluation" / f"{args.run_id}-repair" / MODEL / "results.jsonl")
    logs = args.out / "logs" / "run_evaluation" / args.run_id / "gold"
    rows = [
        bug_row(
            i,
            validity.get(i["instance_id"]),
            repairs.get(i["instance_id"]),
            graded.get(i["instance_id"]),
            _read(logs / i["instance_id"] / "run_instance.log"),
            _read(logs / i["instance_id"] / "test_output.txt"),
        )
        for i in instances
    ]
    (args.out / "history.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    table = markdown(rows)
    (args.out / "history.md").write_text(table, encoding="utf-8")
    print(table, end="")


if __name__ == "__main__":
    main()
