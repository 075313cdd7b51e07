"""Repair every devset instance in the APR setting and check each patch independently.

For each instance: materialize the project at base_commit, apply test_patch
(so the failing tests exist), run ``rfsn repair`` through its Python API,
then grade the produced patch the SWE-bench way in a fresh sandbox:
resolved iff every FAIL_TO_PASS and PASS_TO_PASS test passes.

    python benchmarks/bench_repair.py [--only NAME ...] [--sandbox docker|local]

Prints one row per instance, then: resolved count, median time-to-fix of the
single-location Python bugs, and screening speed (candidates per second of
patch phase), over all instances and per language.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from rfsn.buildpacks import select
from rfsn.controller.session import RepairOptions, repair_workspace
from rfsn.models import TestStatus
from rfsn.observability.logging import configure
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import load_settings
from rfsn.workspace import Workspace, prepare

DEVSET = Path(__file__).resolve().parent / "devset"


def load(devset: Path, only: list[str]) -> list[dict]:
    rows = [json.loads(line) for line in (devset / "instances.jsonl").read_text().splitlines() if line]
    return [r for r in rows if not only or r["repo"].split("/", 1)[1] in only or r["instance_id"] in only]


def checkout(devset: Path, instance: dict, dest: Path) -> Workspace:
    name = instance["repo"].split("/", 1)[1]
    source = dest.parent / f"m-{dest.name}"
    subprocess.run(
        [sys.executable, str(devset / "materialize.py"), str(source), "--only", name], check=True, capture_output=True
    )
    workspace = prepare(str(source / name), dest)
    workspace.apply(instance["test_patch"])
    workspace.commit("test patch")
    return workspace


def grade(devset: Path, instance: dict, patch: str, tmp: Path, settings, sandbox: str) -> bool:
    if not patch:
        return False
    workspace = checkout(devset, instance, tmp / "grade")
    workspace.apply(patch)
    pack = select(workspace.path)
    tests = instance["FAIL_TO_PASS"] + instance["PASS_TO_PASS"]
    with open_sandbox(workspace.path, pack, settings, sandbox) as box:
        report = run_tests(box, pack, tests)
    return all(report.tests.get(t) == TestStatus.PASSED for t in tests)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--sandbox", default="docker")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    configure("warning")
    settings = load_settings()
    rows = []
    for instance in load(args.devset, args.only):
        with tempfile.TemporaryDirectory(prefix="rfsn-bench-") as tmp:
            workspace = checkout(args.devset, instance, Path(tmp) / "repo")
            result = repair_workspace(
                workspace,
                RepairOptions(out_dir=Path(tmp) / "out", sandbox=args.sandbox, timeout=args.timeout),
                settings,
            )
            resolved = grade(args.devset, instance, result.patch, Path(tmp), settings, args.sandbox)
        hunks = instance["patch"].count("\n@@ ")
        row = {
            "id": instance["instance_id"],
            "language": instance.get("language", "python"),
            "single": hunks == 1,
            "status": result.status.value,
            "resolved": resolved,
            "seconds": result.duration,
            "candidates": result.candidates_tried,
            "patch_seconds": result.phase_durations.get("patch", 0.0),
        }
        rows.append(row)
        print(
            f"{row['id']:<32} {row['language']:<10} {row['status']:<16} resolved={resolved!s:<5} "
            f"{row['seconds']:7.1f}s {row['candidates']:4d} candidates",
            flush=True,
        )
    resolved = [r for r in rows if r["resolved"]]
    single_py = [r["seconds"] for r in resolved if r["single"] and r["language"] == "python"]
    patch_seconds = sum(r["patch_seconds"] for r in rows)
    print(f"\nresolved: {len(resolved)}/{len(rows)}")
    if single_py:
        print(
            f"median time-to-fix, single-location Python: {statistics.median(single_py):.1f}s "
            f"(over {len(single_py)} fixed)"
        )
    if patch_seconds:
        print(f"screening: {sum(r['candidates'] for r in rows) / patch_seconds:.2f} candidates/s")
        for language in sorted({r["language"] for r in rows}):
            mine = [r for r in rows if r["language"] == language]
            seconds = sum(r["patch_seconds"] for r in mine)
            if seconds:
                print(
                    f"  {language}: {sum(r['candidates'] for r in mine) / seconds:.2f} candidates/s "
                    f"({sum(r['candidates'] for r in mine)} in {seconds:.1f} s of patch phase)"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
