"""Where repair sessions' wall time goes, by kind of step, read from their ``events.jsonl``.

Each step is timed from its proposal to its outcome and named by what it was (the baseline, the
flakiness rerun, the localization's coverage runs, each screening tier, an edit, verify's runs);
the planner's own time is what lies between steps. The environment (image build and setup) is
timed apart: a session's budget starts once its sandbox is ready.

    python benchmarks/session_time.py DIR [DIR ...]    # every DIR/**/events.jsonl; one table per DIR

Per session: seconds from sandbox ready to end, candidates screened (runs of a candidate's first
tier) and its end; then the table and candidates per second of budget.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

Event = dict[str, Any]
#: the first tier of a candidate's screening: one run per candidate screened
FIRST_TIERS = (": failing tests", ": a failing test of each group")


def seconds(event: Event) -> float:
    return datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")).timestamp()


def kind(event: Event) -> str:
    """Pure: the kind of step a ``controller.proposal`` event proposed."""
    phase, intent, why = event.get("phase", ""), event.get("intent", ""), event.get("rationale") or ""
    if why.startswith("screen "):
        return "screen: " + why.split(": ", 1)[-1]
    if why.startswith("recheck "):
        return "screen: recheck alone"
    if why == "revert the candidate":
        return "edit: revert"
    if intent == "edit":
        return f"{phase}: edit"
    if why.startswith("per-test line coverage"):
        return "localize: coverage run" + (" (targets' files first)" if "first" in why else "")
    return f"{phase}: {why.split(':')[0][:60] or intent}"


def session(events: list[Event]) -> tuple[dict[str, list[float]], float, int, str]:
    """(kind -> [steps, seconds], seconds from sandbox ready to end, candidates, end status)."""
    table: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    start, end = seconds(events[0]), seconds(events[-1])
    ready = next((seconds(e) for e in events if e.get("event") == "session.sandbox_ready"), end)
    table["environment (outside the budget)"] = [1, ready - start]
    last, step, candidates, status = ready, None, 0, "?"
    for event in events:
        name = event.get("event")
        if name == "controller.proposal":
            table["planner between steps"][0] += 1
            table["planner between steps"][1] += seconds(event) - last
            step = (kind(event), seconds(event))
            candidates += (event.get("rationale") or "").endswith(FIRST_TIERS)
        elif name == "controller.outcome" and step is not None:
            table[step[0]][0] += 1
            table[step[0]][1] += seconds(event) - step[1]
            last, step = seconds(event), None
        elif name == "session.end":
            status = event.get("status", "?")
    table["after the last step"][1] += end - last
    return table, end - ready, candidates, status


def report(directory: Path) -> str:
    total: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    rows, budget, screened = [], 0.0, 0
    for path in sorted(directory.rglob("events.jsonl")):
        events = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        if not events:
            continue
        table, took, candidates, status = session(events)
        rows.append(f"| {path.parent.name} | {took:.0f} | {candidates} | {status} |")
        budget, screened = budget + took, screened + candidates
        for name, (steps, spent) in table.items():
            total[name][0] += steps
            total[name][1] += spent
    lines = ["| session | s from sandbox ready | candidates | end |", "|---|---|---|---|", *rows, ""]
    lines += ["| kind | steps | seconds | share of budget | s/step |", "|---|---|---|---|---|"]
    for name, (steps, spent) in sorted(total.items(), key=lambda kv: -kv[1][1]):
        share = "-" if name.startswith("environment") else f"{100 * spent / max(budget, 1):.1f} %"
        lines.append(f"| {name} | {steps:.0f} | {spent:.1f} | {share} | {spent / steps if steps else 0:.2f} |")
    lines.append(
        f"\n{len(rows)} sessions, {budget:.0f} s of budget, {screened} candidates: "
        f"{screened / max(budget, 1):.3f} a second"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", type=Path)
    for directory in parser.parse_args().dirs:
        print(f"## {directory}\n\n{report(directory)}\n")


if __name__ == "__main__":
    main()
