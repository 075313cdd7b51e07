"""Repair the seeded bugs (benchmarks/seeded) and report plausible and correct separately.

Same protocol as bench_repair.py (APR setting, graded in a fresh sandbox):
plausible iff every FAIL_TO_PASS and PASS_TO_PASS test passes with the patch;
correct iff the held-out HIDDEN tests (never shown to the tool, applied only
when grading) pass as well. The hidden tests pin down the reference fix's
behaviour, so "correct" is semantic equivalence on them, not textual equality.

    python benchmarks/bench_seeded.py [--only NAME ...] [--timeout 120]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench_repair import checkout, grade, load

from rfsn.controller.session import RepairOptions, repair_workspace
from rfsn.observability.logging import configure
from rfsn.settings import load_settings

SEEDED = Path(__file__).resolve().parent / "seeded"


def with_hidden(instance: dict) -> dict:
    return {
        **instance,
        "test_patch": instance["test_patch"] + instance["hidden_patch"],
        "PASS_TO_PASS": instance["PASS_TO_PASS"] + instance["HIDDEN"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--sandbox", default="docker")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    configure("warning")
    settings = load_settings()
    plausible = correct = candidates = fixed = fixed_right = 0
    patch_seconds = 0.0
    instances = load(SEEDED, args.only)
    for instance in instances:
        with tempfile.TemporaryDirectory(prefix="rfsn-seeded-") as tmp:
            workspace = checkout(SEEDED, instance, Path(tmp) / "repo")
            result = repair_workspace(
                workspace,
                RepairOptions(out_dir=Path(tmp) / "out", sandbox=args.sandbox, timeout=args.timeout),
                settings,
            )
            ok = grade(SEEDED, instance, result.patch, Path(tmp) / "p", settings, args.sandbox)
            right = ok and grade(SEEDED, with_hidden(instance), result.patch, Path(tmp) / "c", settings, args.sandbox)
        plausible += ok
        correct += right
        candidates += result.candidates_tried
        patch_seconds += result.phase_durations.get("patch", 0.0)
        print(
            f"{instance['instance_id']:<28} {instance['kind'][:44]:<44} plausible={ok!s:<5} correct={right!s:<5} "
            f"{result.status.value:<10} {result.duration:6.1f}s {result.candidates_tried:4d} candidates",
            flush=True,
        )
        fixed += result.status.value == "fixed"
        fixed_right += right and result.status.value == "fixed"
    print(
        f"\nplausible: {plausible}/{len(instances)}  correct: {correct}/{len(instances)}  "
        f"ended fixed: {fixed}, of them correct: {fixed_right}"
    )
    if patch_seconds:
        print(f"screening: {candidates / patch_seconds:.2f} candidates/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
