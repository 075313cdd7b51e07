"""The setup the devset's screening benchmarks share (bench_hotswap, bench_node_warm, bench_probe):
their common options, the devset's instances, and git in a project materialized from it."""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path
from typing import Any

from rfsn.observability.logging import configure

DEVSET = Path(__file__).resolve().parent / "devset"


def git(repo: Path, *args: str, text: str | None = None) -> None:
    """Runs git in ``repo`` (``text`` on its standard input), raising when it fails."""
    subprocess.run(
        ["git", "-c", "user.name=b", "-c", "user.email=b@b", *args],
        cwd=repo,
        input=text,
        text=True,
        check=True,
        capture_output=True,
    )


def commit_test_patch(repo: Path, instance: dict[str, Any]) -> None:
    """Applies the instance's test patch to ``repo`` and commits it, so the fix applies and reverts alone."""
    git(repo, "apply", "-", text=instance["test_patch"])
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "test patch")


def parse_devset(parser: argparse.ArgumentParser, runs: int) -> tuple[argparse.Namespace, list[dict[str, Any]]]:
    """Adds ``--only``, ``-n`` (default ``runs``) and ``--devset`` to ``parser`` and parses; rfsn logs
    warnings alone. Returns the options and the devset's instances."""
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("-n", type=int, default=runs)
    parser.add_argument("--devset", type=Path, default=DEVSET)
    args = parser.parse_args()
    configure(level="warning")
    lines = (args.devset / "instances.jsonl").read_text().splitlines()
    return args, [json.loads(line) for line in lines if line.strip()]
