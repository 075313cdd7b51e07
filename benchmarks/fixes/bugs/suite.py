"""The stronger judge of a repaired bug's patch: the fixing commit's whole suite (issue 71, precision).

A patch of a ``fixed`` (or ``plausible``) session that is not AST-equal to the developers' fix is
correct, by the issue's definition, when it passes the fixing commit's whole suite as the fix does.
Both are graded by ``rfsn evaluate`` in the same environment, on an instance whose PASS_TO_PASS
names every test module of the fixing commit (the harness runs whole files, so every module runs):
the developers' patch (``gold``) and the session's. The patch is correct by the suite when it fails
no test the fix passes and no more tests than it. Then the tests the project added for that code in
the following year (``later_tests``: the test modules changed that year that name a fixed module,
as they are a year on) run the same way on the fix's code and the patch's. Beside the verdict, the
row keeps what rfsn itself said of the patch (its session's ``result.json``: status and concerns),
so ``--table`` shows a patch the judge calls correct on which rfsn raised a concern, or none.
Each judged row is appended to ``--suite`` (a run again resumes).

    nice -n 10 python benchmarks/fixes/bugs/suite.py --repos-dir /work/data/fixes-repos \\
        --out /work/data/bugs-runs/s22/suite \\
        --batch /work/data/bugs-runs/s21/batch /work/data/bugs-runs/s22/repair/batch
    python benchmarks/fixes/bugs/suite.py --table [--batch ...]   # the verdicts beside rfsn's concerns
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
sys.path.insert(0, str(HERE))
import commands  # noqa: E402
from repair import REPAIRS, bad_count, failing, strong  # noqa: E402
from validate import CANDIDATES, RESULTS, bench, instances, load  # noqa: E402

from rfsn.buildpacks.python.pyrunner import (  # noqa: E402
    PYTEST_DEFAULT,
    matching,
    pytest_option,
    python_files,
    uncollected_patterns,
)
from rfsn.buildpacks.testfiles import is_test_file, is_test_module  # noqa: E402

SUITE = HERE / "suite.jsonl"
RUN_ID = "bugs-suite"
LATER_RUN_ID = "bugs-later"
#: the tests added for the fixed code within this many days count (the issue's "following year")
YEAR = 365
MODEL = "rfsn"


def test_modules(repo: Path, commit: str) -> list[str]:
    """The Python test modules of ``commit``'s tree, sorted: by their name (``is_test_module``) and
    by the file names the project's tests are collected by where pytest's own match none (its
    ``python_files``, else its declared runner's: tqdm's ``tests_*.py`` under nose), as rfsn's
    runner collects them."""
    with tempfile.TemporaryDirectory(prefix="rfsn-suite-") as tmp:
        tree = subprocess.run(["git", "-C", str(repo), "archive", commit], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=tree, check=True)
        root = Path(tmp)
        files = python_files(root)
        patterns = pytest_option(root, "python_files") or list(PYTEST_DEFAULT)
        collected = matching(files, [*patterns, *uncollected_patterns(root, patterns)])
        paths = {str(f.relative_to(root)) for f in files if is_test_module(str(f.relative_to(root)))}
        paths |= {str(f.relative_to(root)) for f in collected if f.name != "conftest.py"}
    return sorted(paths)


def whole_suite(instance: dict[str, Any], modules: list[str]) -> dict[str, Any]:
    """Pure: ``instance`` with every test module of the fixing commit named as PASS_TO_PASS."""
    return {**instance, "PASS_TO_PASS": [m for m in modules if m not in instance["FAIL_TO_PASS"]]}


def evaluate(predictions: str, instances: Path, iid: str, args: argparse.Namespace, run_id: str) -> Path:
    """``rfsn evaluate`` of ``predictions`` (a file, or ``gold``) on ``iid``: its log directory."""
    bench.rfsn(*commands.evaluate(predictions, instances, run_id, args.out, iid, args.repos_dir, args.timeout))
    model = "gold" if predictions == "gold" else MODEL
    return args.out / "logs" / "run_evaluation" / run_id / model / iid


def verdict(
    ours_log: str, ours_output: str, gold_log: str, gold_output: str, what: str = "whole suite"
) -> tuple[bool | None, str]:
    """Pure: whether the patch's whole-suite run (its run log and test output) fails nothing the
    fix's passes and no more tests than it; why, in a few words."""
    bad, gold_bad = bad_count(ours_log), bad_count(gold_log)
    if bad is None or gold_bad is None:
        return None, f"no test counts in the patch's or the fix's run ({what})"
    broken = sorted(failing(ours_output) - failing(gold_output))
    if broken or bad > gold_bad:
        return False, f"{what}: {bad} failing where the fix has {gold_bad}" + (
            f" (first: {broken[0]})" if broken else ""
        )
    return True, f"{what}: {bad} failing, as with the fix"


def graded(
    instance: dict[str, Any], patch: str, args: argparse.Namespace, run_id: str, what: str
) -> tuple[bool | None, str]:
    """``instance`` (a variant naming the tests to run) graded with the fix and with ``patch``:
    whether the patch fails nothing the fix passes (``verdict``), and why."""
    iid = instance["instance_id"]
    args.out.mkdir(parents=True, exist_ok=True)
    instances, predictions = args.out / f"{iid}.{run_id}.json", args.out / f"{iid}.predictions.jsonl"
    instances.write_text(json.dumps([instance]), encoding="utf-8")
    predictions.write_text(
        json.dumps({"instance_id": iid, "model_name_or_path": MODEL, "model_patch": patch}) + "\n", encoding="utf-8"
    )
    logs = [evaluate(which, instances, iid, args, run_id) for which in ("gold", str(predictions))]
    texts = [bench._read(d / name) for d in logs for name in ("run_instance.log", "test_output.txt")]
    correct, why = verdict(*texts[2:], *texts[:2], what)
    if correct is None:
        why += ": " + bench.first_line(texts[0][-300:] if texts[0] else texts[2][-300:])
    counts = re.search(r"tests ran in .*?(\{.*\})", texts[0])
    return correct, why + (f" (the fix's run: {counts[1]})" if counts else "")


def later_tests(repo: Path, instance: dict[str, Any], days: int = YEAR) -> tuple[str, list[str]]:
    """The commit of HEAD's first-parent line ``days`` after the fixing commit, and the test modules
    changed between the two that exist then and name a module the fix changed (its file's stem, or
    its package's for an ``__init__.py``): the tests the project added for that code that year."""

    def git(*words: str) -> str:
        return subprocess.run(["git", "-C", str(repo), *words], capture_output=True, text=True, check=True).stdout

    fixed = instance["fix_commit"]
    then = int(git("show", "-s", "--format=%ct", fixed).strip()) + days * 86400
    later = git("rev-list", "-1", "--first-parent", f"--before={then}", "HEAD").strip()
    if not later or later == fixed:
        return fixed, []
    sources = re.findall(r"(?m)^\+\+\+ b/(\S+\.py)$", instance["patch"])
    stems = {Path(s).parent.name if Path(s).stem == "__init__" else Path(s).stem for s in sources} - {""}
    changed = [
        p for p in git("diff", "--name-only", "--diff-filter=AM", fixed, later).splitlines() if p.endswith(".py")
    ]
    named = [
        path
        for path in changed
        if is_test_module(path) and any(re.search(rf"\b{s}\b", git("show", f"{later}:{path}")) for s in stems)
    ]
    if named:  # with the helpers and conftests of the test folders as they are then
        named += [p for p in changed if is_test_file(p) and not is_test_module(p)]
    return later, sorted(named)


def touched(instance: dict[str, Any]) -> list[str]:
    """Pure: the files the fixing commit's test patch changes."""
    return sorted(set(re.findall(r"(?m)^\+\+\+ b/(\S+)$", instance["test_patch"])))


def judge(instance: dict[str, Any], patch: str, args: argparse.Namespace) -> dict[str, Any]:
    """Grade the fix and ``patch`` on the fixing commit's whole suite, then on the test modules of
    the year after it that name the fixed code (``later_tests``, at that later state, on the code
    of the fix or the patch): the judged row."""
    repo = args.repos_dir / instance["repo"].replace("/", "__")
    modules = test_modules(repo, instance["fix_commit"])
    correct, why = graded(whole_suite(instance, modules), patch, args, RUN_ID, "whole suite")
    row = {"instance_id": instance["instance_id"], "modules": len(modules), "correct_by_suite": correct}
    later, named = later_tests(repo, instance)
    row.update(suite_why=why, later_commit=later, later_modules=named, correct_by_later=None, later_why="")
    if named:
        shown = subprocess.run(
            ["git", "-C", str(repo), "diff", instance["base_commit"], later, "--", *named, *touched(instance)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        variant = {**instance, "test_patch": shown, "PASS_TO_PASS": [p for p in named if is_test_module(p)]}
        row["correct_by_later"], row["later_why"] = graded(variant, patch, args, LATER_RUN_ID, "a year on")
    return row


def patches(batches: list[Path]) -> dict[str, str]:
    """The sessions' patches of the batch directories' ``predictions.jsonl`` (later ones win)."""
    found: dict[str, str] = {}
    for batch in batches:
        for row in load(batch / "predictions.jsonl"):
            if row.get("model_patch"):
                found[row["instance_id"]] = row["model_patch"]
    return found


def session(batches: list[Path], iid: str) -> dict[str, Any]:
    """What rfsn said of its final patch, from the session's ``result.json`` in the batch directories
    (later ones win): its status and its concerns (None: no result.json found)."""
    said: dict[str, Any] = {"session_status": "", "concerns": None}
    for batch in batches:
        path = batch / iid / iid / "result.json"
        if path.is_file():
            result = json.loads(path.read_text(encoding="utf-8"))
            said = {"session_status": result.get("status", ""), "concerns": list(result.get("concerns") or [])}
    return said


def table(judged: list[dict[str, Any]], repairs: dict[str, dict[str, Any]]) -> str:
    """Pure: each judged patch's verdicts (the issue's, ``repair.strong``; the whole suite; a year on)
    beside what rfsn said of it (its session's status and concerns), and the counts: correct by the
    judge with and without a concern raised, not correct with and without one."""

    def mark(value: bool | None) -> str:
        return "-" if value is None else "yes" if value else "no"

    lines = [
        "| bug | session | correct by the issue's judge | whole suite | a year on | rfsn's concerns |",
        "|---|---|---|---|---|---|",
    ]
    counts = {(v, c): 0 for v in (True, False, None) for c in (True, False)}
    for row in judged:
        repaired = repairs.get(row["instance_id"])
        verdict = strong(repaired, {row["instance_id"]: row}) if repaired else None
        concerns = row.get("concerns")
        counts[verdict, bool(concerns)] += 1
        said = "-" if concerns is None else "; ".join(concerns) or "none raised"
        later = f"{mark(row.get('correct_by_later'))} ({row['later_why']})" if row.get("later_modules") else "no tests"
        whole = f"{mark(row['correct_by_suite'])} ({row['suite_why']})"
        cells = [row["instance_id"], row.get("session_status") or "-", mark(verdict), whole, later, said]
        lines.append("| " + " | ".join(c.replace("|", "/").replace("\n", " ") for c in cells) + " |")
    lines += [
        "",
        f"judged: {len(judged)}; correct by the issue's judge: {counts[True, False]} with no concern raised by "
        f"rfsn, {counts[True, True]} with one; not correct: {counts[False, False]} with none, "
        f"{counts[False, True]} with one; not judged: {counts[None, False] + counts[None, True]}",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos-dir", type=Path)
    parser.add_argument("--out", type=Path, help="the evaluations' logs, outside the repository")
    parser.add_argument("--batch", type=Path, nargs="*", default=[], help="repair.py's batch directories")
    parser.add_argument("--candidates", type=Path, default=CANDIDATES)
    parser.add_argument("--results", type=Path, default=RESULTS, help="validate.py's rows (the FAIL_TO_PASS run)")
    parser.add_argument("--repairs", type=Path, default=REPAIRS)
    parser.add_argument("--suite", type=Path, default=SUITE)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--table", action="store_true", help="only print the table of --suite")
    args = parser.parse_args()
    if args.table:  # rows judged before rfsn's concerns were kept take them from --batch
        rows = [{**session(args.batch, r["instance_id"]), **r} for r in load(args.suite)]
        print(table(rows, {r["instance_id"]: r for r in load(args.repairs)}), end="")
        return
    if args.repos_dir is None or args.out is None or not args.batch:
        parser.error("--repos-dir, --out and --batch are needed to judge")
    named = {i["instance_id"]: i for i in instances(args.candidates, args.results)}
    found, done = patches(args.batch), {r["instance_id"] for r in load(args.suite)}
    for row in load(args.repairs):
        iid = row["instance_id"]
        if row["status"] not in ("fixed", "plausible") or iid in done or row["judged_by"] == "AST-equal to the fix":
            continue
        if iid not in found:
            print(f"{iid}: no patch in the batch directories", file=sys.stderr)
            continue
        judged = {**judge(named[iid], found[iid], args), **session(args.batch, iid)}
        with args.suite.open("a", encoding="utf-8") as out:
            out.write(json.dumps(judged) + "\n")
        print(
            f"{iid}: {judged['correct_by_suite']} {judged['suite_why']}; later: {judged['correct_by_later']} "
            f"{judged['later_why']}; rfsn's concerns: {judged['concerns']}",
            file=sys.stderr,
            flush=True,
        )


if __name__ == "__main__":
    main()
