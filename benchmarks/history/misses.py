"""Why each bug of a `bench_history.py` repair run was or was not resolved, as a markdown table.

    python benchmarks/history/misses.py OUT --repos-dir REPOS [--corpus benchmarks/history/corpus.refined.jsonl]

Per bug: how the session ended, the rank of the first line the fixing commit changes in the
session's ranking, the candidates it screened of those planned, whether a template given the
changed lines writes the fixing commit's text exactly (an equivalent edit is not seen), and the
first cause of a miss: no ranking (the suite's runs took the budget), the fixed file does not parse
on this Python, budget (a template writes the fix), not localized, no template.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import re
import subprocess
import sys
from pathlib import Path

from rfsn.planners.base import RepairContext
from rfsn.planners.localize import Location
from rfsn.planners.patch.strategies.template import TemplateStrategy

HERE = Path(__file__).resolve().parent


def changed_lines(patch: str) -> list[tuple[str, int]]:
    """(path, line of the original) of each line the patch removes, or inserts after."""
    out: list[tuple[str, int]] = []
    for part in re.split(r"(?m)^diff --git ", patch):
        path = re.search(r"(?m)^--- a/(\S+)", part)
        if path is None:
            continue
        for hunk in re.finditer(r"(?m)^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@.*\n((?:[ +\-\\].*\n?)*)", part):
            line = int(hunk.group(1))
            for text in hunk.group(2).splitlines():
                if text.startswith("-"):
                    out.append((path.group(1), line))
                    line += 1
                elif text.startswith("+"):
                    out.append((path.group(1), max(line - 1, 1)))
                elif text.startswith(" "):
                    line += 1
    return list(dict.fromkeys(out))


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def graded(run: Path, iid: str) -> bool | None:
    """Whether ``rfsn evaluate`` resolved the bug with the session's patch (None: not evaluated);
    a session that ran out of budget still hands in its best plausible patch."""
    for path in run.glob(f"logs/run_evaluation/*/*/{iid}/report.json"):
        return bool(json.loads(path.read_text())[iid]["resolved"])
    return None


def row(instance: dict, result: dict, run: Path, repos: Path) -> str:
    iid = instance["instance_id"]
    repo = repos / instance["repo"].replace("/", "__")
    fix = _git(repo, "rev-parse", iid.rsplit("-", 1)[1]).strip()
    lines = changed_lines(instance["patch"])
    events = [
        json.loads(line)
        for path in (run / "batch" / iid).glob("*/events.jsonl")
        for line in path.read_text().splitlines()
    ]
    localized = next((e for e in events if e.get("event") == "planner.localized"), {})
    budget = next((e for e in events if e.get("event") == "template.budget"), {})
    ranked = localized.get("ranked", [])
    ranks = [ranked.index(f"{p}:{n}") + 1 for p, n in lines if f"{p}:{n}" in ranked]
    rank = f"{min(ranks)}/{localized.get('locations', len(ranked))}" if ranks else f"not in {len(ranked)}"
    files = {p: _git(repo, "show", f"{instance['base_commit']}:{p}") for p in dict.fromkeys(p for p, _ in lines)}
    fixed = {p: _git(repo, "show", f"{fix}:{p}") for p in files}
    context = RepairContext(
        workspace=repo,
        language="",
        failing=["t"],
        passing=[],
        locations=[Location(p, n, 1.0) for p, n in lines],
        files=files,
    )
    with contextlib.redirect_stdout(sys.stderr):  # the strategy's log lines are not the table's
        writes = next(
            (c.template for c in TemplateStrategy(limit=10**6).ranked(context) if fixed.get(c.path) == c.patched), ""
        )
    verdict = graded(run, iid)
    resolved = result["status"] == "fixed" if verdict is None else verdict
    if resolved:
        cause = f"resolved (`{writes}`)" if writes else "resolved (another edit than the fixing commit's)"
    elif not localized:
        cause = "no ranking: the suite's runs took the budget"
    elif not all(_parses(text) for path, text in files.items() if path.endswith(".py")):
        cause = "the fixed file does not parse on this Python: no candidate there"
    elif writes:
        cause = f"budget: `{writes}` writes the fix"
    else:
        cause = ("not localized, " if not ranks else "") + "no template writes the fix"
    name = iid.split("__", 1)[1]
    return (
        f"| {name} | {'yes' if resolved else 'no'} | {result['message'].split(':')[0]} | {rank} "
        f"({localized.get('by', '-')}) | {budget.get('tried', '-')}/{budget.get('planned', '-')} | {cause} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--repos-dir", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus.refined.jsonl")
    args = parser.parse_args()
    instances = {json.loads(line)["instance_id"]: json.loads(line) for line in args.corpus.read_text().splitlines()}
    results = [json.loads(line) for line in (args.out / "batch" / "results.jsonl").read_text().splitlines()]
    print("| bug | resolved | end | fixed line's rank (by) | candidates screened/planned | first cause |")
    print("|---|---|---|---|---|---|")
    for result in sorted(results, key=lambda r: r["instance_id"].lower()):
        print(row(instances[result["instance_id"]], result, args.out, args.repos_dir), flush=True)


if __name__ == "__main__":
    main()
