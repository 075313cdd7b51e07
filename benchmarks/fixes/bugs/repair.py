"""Repair the *bugs* layer's valid bugs with rfsn's offline planner and judge each patch (issue 71).

Each valid row of ``results.jsonl`` (``validate.py``) not yet in ``repairs.jsonl`` goes, alone, through
``rfsn batch --oracle-tests`` (the template planner, no model; the FAIL_TO_PASS its validation ran
named). A patch handed in (``fixed`` or ``plausible``) is **correct** when AST-equal to the
developers' fix (``expressiveness.Target``, formatting and comments ignored), else when ``rfsn
evaluate`` of it as a prediction resolves the named tests and fails no test of the fixing commit's
touched test files that the developers' fix passes (the validation's gold run of the same files).
Each bug's row is appended as it finishes; a run again resumes.

    nice -n 10 python benchmarks/fixes/bugs/repair.py --repos-dir /work/data/fixes-repos \\
        --validated /work/data/bugs-runs/s20 --out /work/data/bugs-runs/s21 [--timeout 600]
    python benchmarks/fixes/bugs/repair.py --table   # the table and the figures of --repairs (and --suite)

The issue's stronger judge (the fixing commit's whole suite) is ``suite.py``'s, run after this one.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
import commands  # noqa: E402
from expressiveness import Target  # noqa: E402
from validate import CANDIDATES, RESULTS, bench, instances, load  # noqa: E402

REPAIRS = HERE / "repairs.jsonl"
RUN_ID = "bugs-repair"
#: a test pytest's short summary (``-rfE``) names as failed or in error
_FAILING = re.compile(r"^(?:FAILED|ERROR) (\S+)", re.MULTILINE)
_COUNTS = re.compile(r"tests ran in .*?(\{.*\})")


def failing(output: str) -> set[str]:
    """Pure: the tests a run's output names as failed or in error."""
    return set(_FAILING.findall(output))


def bad_count(log: str) -> int | None:
    """Pure: failed plus errored tests of a harness run's log (None: the log says no count)."""
    found = _COUNTS.search(log)
    if found is None:
        return None
    counts = json.loads(found[1].replace("'", '"'))
    return int(counts.get("failed", 0)) + int(counts.get("error", 0))


def patched_files(repo: Path, base: str, patch: str) -> dict[str, tuple[str, str]]:
    """``path -> (before, after)`` of each file ``patch`` changes at ``base`` (``git apply`` in a scratch dir)."""
    paths = sorted(set(re.findall(r"(?m)^\+\+\+ b/(\S+)", patch)) | set(re.findall(r"(?m)^--- a/(\S+)", patch)))
    befores: dict[str, str] = {}
    for path in paths:
        shown = subprocess.run(["git", "-C", str(repo), "show", f"{base}:{path}"], capture_output=True, text=True)
        befores[path] = shown.stdout if shown.returncode == 0 else ""
    with tempfile.TemporaryDirectory(prefix="rfsn-bugs-") as tmp:
        for path, text in befores.items():
            if text:  # a file the patch creates is not there before it
                (Path(tmp) / path).parent.mkdir(parents=True, exist_ok=True)
                (Path(tmp) / path).write_text(text, encoding="utf-8")
        subprocess.run(["git", "apply", "-"], cwd=tmp, input=patch, text=True, check=True, capture_output=True)
        out = {
            path: (text, (Path(tmp) / path).read_text(encoding="utf-8") if (Path(tmp) / path).exists() else "")
            for path, text in befores.items()
        }
    return out


def ast_equal(repo: Path, instance: dict[str, Any], patch: str) -> bool | None:
    """Whether ``patch`` makes every file the same syntax tree as the developers' fix (None: a file
    does not parse on this Python, or a patch does not apply)."""
    try:
        ours, gold = (
            patched_files(repo, instance["base_commit"], patch),
            patched_files(repo, instance["base_commit"], instance["patch"]),
        )
    except subprocess.CalledProcessError:
        return None
    try:
        for path in sorted(set(ours) | set(gold)):
            before = (ours.get(path) or gold[path])[0]
            mine, theirs = ours.get(path, (before, before))[1], gold.get(path, (before, before))[1]
            if not Target(before, theirs).equals(mine, 0, len(before)):
                return False
    except (SyntaxError, ValueError):
        return None
    return True


def session(batch: Path, outcome: dict[str, Any]) -> dict[str, Any]:
    """The session's ``result.json`` behind a batch row ({} when the session left none)."""
    path = batch / Path(outcome.get("link", "")).parent / "result.json"
    return json.loads(path.read_text(encoding="utf-8")) if outcome.get("link") and path.is_file() else {}


def by_tests(instance: dict[str, Any], args: argparse.Namespace) -> tuple[bool | None, str]:
    """Evaluate the session's prediction; correct when it resolves and fails no test the gold run passes."""
    iid = instance["instance_id"]
    predictions = str(args.out / "batch" / "predictions.jsonl")
    commands.run(commands.evaluate(predictions, args.instances, RUN_ID, args.out, iid, args.repos_dir, "900"))
    logs = args.out / "logs" / "run_evaluation" / RUN_ID / "rfsn" / iid
    gold = args.validated / "logs" / "run_evaluation" / "bugs" / "gold" / iid
    if not (logs / "report.json").is_file():
        return None, "not evaluated: " + bench.first_line(bench._read(logs / "run_instance.log")[-400:])
    if not json.loads((logs / "report.json").read_text())[iid]["resolved"]:
        return False, "the named tests do not pass in the evaluation"
    ours, theirs = failing(bench._read(logs / "test_output.txt")), failing(bench._read(gold / "test_output.txt"))
    bad, gold_bad = bad_count(bench._read(logs / "run_instance.log")), bad_count(bench._read(gold / "run_instance.log"))
    if bad is None or gold_bad is None:
        return None, "no test counts in the evaluation or the gold run"
    broken = sorted(ours - theirs)
    if broken or bad > gold_bad:
        return False, f"{bad} failing where the fix has {gold_bad}" + (f" (first: {broken[0]})" if broken else "")
    return True, f"the touched test files: {bad} failing, as with the fix"


def repair_one(instance: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Repair one bug alone and judge its patch: its row."""
    iid, batch = instance["instance_id"], args.out / "batch"
    commands.run(commands.batch(args.instances, batch, iid, args.repos_dir, args.timeout))
    outcome = bench.latest(batch / "results.jsonl").get(iid, {})
    result = session(batch, outcome)
    status = result.get("status") or outcome.get("status", "none")
    row: dict[str, Any] = {
        "instance_id": iid,
        "project": instance["repo"],
        "status": status,
        "why": bench.first_line(result.get("message") or outcome.get("message", ""), 160),
        "template": result.get("template", ""),
        "concerns": result.get("concerns", []),
        "seconds": round(float(result.get("duration") or outcome.get("duration", 0.0)), 1),
        "environment_seconds": round(float(result.get("environment_seconds", 0.0)), 1),
        "candidates": result.get("candidates_tried", 0),
        "correct": None,
        "judged_by": "",
    }
    patch = result.get("patch", "")
    if status in ("fixed", "plausible") and patch:
        same = ast_equal(args.repos_dir / instance["repo"].replace("/", "__"), instance, patch)
        if same:
            row.update(correct=True, judged_by="AST-equal to the fix")
        else:
            row["correct"], row["judged_by"] = by_tests(instance, args)
    return row


def strong(row: dict[str, Any], suite: dict[str, dict[str, Any]]) -> bool | None:
    """Pure: the issue's judge of a row's patch: AST-equal to the fix, or correct by the touched test
    files, by the fixing commit's whole suite and by the tests of the year after it where there are
    some (``suite.py``'s row); None when not judged so."""
    if row["judged_by"] == "AST-equal to the fix":
        return True
    judged = suite.get(row["instance_id"], {})
    if judged.get("correct_by_suite") is None or row["correct"] is None:
        return None
    return bool(row["correct"]) and bool(judged["correct_by_suite"]) and judged.get("correct_by_later") is not False


def table(rows: list[dict[str, Any]], suite: dict[str, dict[str, Any]] | None = None) -> str:
    """Pure: the markdown table of ``rows`` and the figures: resolved (the session's ``fixed``) and
    precision (correct of fixed): by the touched test files, and by the issue's judge (``strong``,
    with ``suite``: the whole-suite rows by bug)."""
    suite = suite or {}
    lines = [
        "| # | bug | status | template | concerns | correct | whole suite | seconds (environment) |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def mark(value: bool | None) -> str:
        return "-" if value is None else "yes" if value else "no"

    for n, r in enumerate(rows, 1):
        judged = f" ({r['judged_by']})" if r["judged_by"] else ""
        whole = suite.get(r["instance_id"], {})
        whole_said = f"{mark(whole.get('correct_by_suite'))} ({whole['suite_why']})" if whole else "-"
        if whole.get("later_modules"):
            whole_said += f"; {mark(whole.get('correct_by_later'))} ({whole['later_why']})"
        status = r["status"] if r["status"] in ("fixed", "plausible") else f"{r['status']}: {r['why']}"
        lines.append(
            f"| {n} | {r['instance_id']} | {status.replace('|', '/')} | {r['template'] or '-'} | "
            f"{'; '.join(r['concerns']).replace('|', '/') or '-'} | {mark(r['correct'])}{judged.replace('|', '/')} | "
            f"{whole_said.replace('|', '/')} | {r['seconds']:.0f} ({r.get('environment_seconds', 0):.0f}) |"
        )
    fixed = [r for r in rows if r["status"] == "fixed"]
    plausible = [r for r in rows if r["status"] == "plausible"]
    right = sum(bool(r["correct"]) for r in fixed)
    strongly = [strong(r, suite) for r in fixed]

    def share(hits: int, total: int) -> str:
        return f"{hits}/{total} ({100 * hits / total:.0f} %)" if total else "0/0"

    lines += [
        "",
        f"bugs repaired: {len(rows)}; fixed (resolved): {share(len(fixed), len(rows))}; "
        f"precision (correct of fixed): {share(right, len(fixed))}; plausible: {len(plausible)} "
        f"({sum(bool(r['correct']) for r in plausible)} correct)",
        f"precision by the issue's judge (AST-equal, or the fixing commit's whole suite and the next year's tests): "
        f"{share(sum(s is True for s in strongly), len(fixed))}; not judged so: {sum(s is None for s in strongly)}",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos-dir", type=Path)
    parser.add_argument("--validated", type=Path, help="validate.py's --out (the gold runs' logs)")
    parser.add_argument("--out", type=Path, help="the batch and evaluation runs, outside the repository")
    parser.add_argument("--candidates", type=Path, default=CANDIDATES)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--repairs", type=Path, default=REPAIRS)
    parser.add_argument("--suite", type=Path, default=HERE / "suite.jsonl", help="suite.py's whole-suite verdicts")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--only", nargs="*", default=[], help="only these valid bugs (default: every one)")
    parser.add_argument("--table", action="store_true", help="only print the table of --repairs")
    args = parser.parse_args()
    if args.table:
        print(table(load(args.repairs), {r["instance_id"]: r for r in load(args.suite)}), end="")
        return
    if args.repos_dir is None or args.out is None or args.validated is None:
        parser.error("--repos-dir, --validated and --out are needed to repair")
    args.out.mkdir(parents=True, exist_ok=True)
    valid = {r["instance_id"] for r in load(args.results) if r["valid"]}
    done = {r["instance_id"] for r in load(args.repairs)}
    named = instances(args.candidates, args.results)  # the FAIL_TO_PASS each bug was validated with
    args.instances = args.out / "instances.jsonl"
    args.instances.write_text("".join(json.dumps(i) + "\n" for i in named), encoding="utf-8")
    for instance in named:
        iid = instance["instance_id"]
        if iid not in valid or iid in done or (args.only and iid not in args.only):
            continue
        row = repair_one(instance, args)
        with args.repairs.open("a", encoding="utf-8") as repairs:
            repairs.write(json.dumps(row) + "\n")
        print(
            f"{row['instance_id']}: {row['status']} {row['template']} correct={row['correct']} {row['seconds']}s",
            file=sys.stderr,
            flush=True,
        )


if __name__ == "__main__":
    main()
