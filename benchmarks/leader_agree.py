"""rfsn's verdicts beside published ones: two harness log trees -> a Markdown table.

    python benchmarks/leader_agree.py PUBLISHED RFSN [--ids ID ...]

PUBLISHED holds `<instance_id>/report.json` as the SWE-bench harness writes it (`{id: {...}}`,
or the inner object alone); RFSN is one model's directory of an `rfsn evaluate` run (its
`results.jsonl` and the same reports). An instance is listed once rfsn recorded its outcome and
the published side has a report; rfsn's `error` (it declined to grade: an environment it cannot
provide) is listed with its message and not compared. A row names the tests whose status
differs, where any does; then the counts per repository (the id before its last `-`), and the
last line is the figure.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from rfsn.batch.outcome import Outcome, Status
from rfsn.batch.predictions import RunStore

BUCKETS = ("FAIL_TO_PASS", "PASS_TO_PASS")


def read_report(path: Path) -> dict[str, Any] | None:
    """The report of ``path/report.json`` (unwrapped from its id), or None when there is none."""
    file = path / "report.json"
    if not file.is_file():
        return None
    data = json.loads(file.read_text(encoding="utf-8"))
    return data.get(path.name, data)


def statuses(report: dict[str, Any]) -> dict[str, str]:
    """``{test: "pass"|"fail"}`` over the FAIL_TO_PASS and PASS_TO_PASS tests of a report."""
    out: dict[str, str] = {}
    for bucket in BUCKETS:
        tests = (report.get("tests_status") or {}).get(bucket) or {}
        out.update({t: "pass" for t in tests.get("success", [])})
        out.update({t: "fail" for t in tests.get("failure", [])})
    return out


def published_verdict(report: dict[str, Any]) -> str:
    return "resolved" if report.get("resolved") else "unresolved"


def rfsn_verdict(outcome: Outcome) -> str:
    if outcome.status is Status.ERROR:
        return f"error ({outcome.error_kind.value if outcome.error_kind else 'unknown'})"
    return "resolved" if outcome.status is Status.RESOLVED else "unresolved"


def differences(published: dict[str, Any], ours: dict[str, Any], limit: int = 3) -> str:
    """The tests graded differently (published -> rfsn), the first ``limit`` of them."""
    if not ours.get("patch_successfully_applied", True):
        return "the model patch did not apply here"
    theirs, mine = statuses(published), statuses(ours)
    diff = [
        f"`{t}` {theirs.get(t, 'absent')} -> {mine.get(t, 'absent')}"
        for t in sorted(set(theirs) | set(mine))
        if theirs.get(t) != mine.get(t)
    ]
    more = f" (+{len(diff) - limit} more)" if len(diff) > limit else ""
    return "; ".join(diff[:limit]) + more


def compare(published: Path, ours: Path, ids: list[str] | None = None) -> list[str]:
    """The table's lines, then the figure."""
    rows = ["| instance | published | rfsn | agree | tests graded differently |", "|---|---|---|---|---|"]
    agree = compared = declined = same_tests = 0
    per_repo: dict[str, Counter[str]] = {}
    for iid, outcome in sorted(RunStore(ours, predictions=False).outcomes(latest=True).items()):
        theirs = read_report(published / iid)
        if theirs is None or (ids and iid not in ids):
            continue
        was, now = published_verdict(theirs), rfsn_verdict(outcome)
        counts = per_repo.setdefault(iid.rsplit("-", 1)[0], Counter())
        if outcome.status is Status.ERROR:
            declined += 1
            counts["not graded"] += 1
            rows.append(f"| {iid} | {was} | {now} | not graded | {outcome.message[:200]} |")
            continue
        mine = read_report(ours / iid)  # none for an empty patch
        why = differences(theirs, mine) if mine else ("" if was == now else "no report from rfsn")
        compared += 1
        agree += was == now
        same_tests += bool(mine) and not why
        counts["evaluated"] += 1
        counts["agree" if was == now else "disagree"] += 1
        rows.append(f"| {iid} | {was} | {now} | {'yes' if was == now else '**no**'} | {why} |")
    rows += ["", "| repository | evaluated | agree | disagree | not graded |", "|---|---|---|---|---|"]
    rows += [
        f"| {repo} | {c['evaluated']} | {c['agree']} | {c['disagree']} | {c['not graded']} |"
        for repo, c in sorted(per_repo.items())
    ]
    rows.append(
        f"\nagree: {agree} / {compared} compared (every test's status the same in {same_tests}); "
        f"{declined} not graded by rfsn (error)"
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("published", type=Path, help="the published logs: <id>/report.json")
    parser.add_argument("rfsn", type=Path, help="rfsn evaluate's logs of one model: <id>/report.json")
    parser.add_argument("--ids", nargs="*", help="only these instances")
    args = parser.parse_args()
    for path in (args.published, args.rfsn):
        if not path.is_dir():
            parser.error(f"not a directory: {path}")
    print("\n".join(compare(args.published, args.rfsn, args.ids)))


if __name__ == "__main__":
    main()
