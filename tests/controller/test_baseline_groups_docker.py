"""``rfsn repair`` with nothing named, in real Docker, on a project whose baseline fails for
three causes beside the bug: a program and a module the environment lacks, and a failure the
source cannot fix. The bug is fixed; result.json says which group was fixed, which were left."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.planners.test_targets import PROJECT

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def repaired(
    files: dict[str, str], tmp_path: Path, *flags: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """``rfsn repair`` in Docker, nothing named, of a fresh git repository of ``files``: the
    command's run and its result.json."""
    repo = tmp_path / "repo"
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
        "NO_COLOR": "1",
        "COLUMNS": "300",
    }
    for argv in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *argv], cwd=repo, check=True, env=env)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rfsn",
            "repair",
            str(repo),
            "--out",
            str(tmp_path / "out"),
            "--sandbox",
            "docker",
            *flags,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    return proc, json.loads(next((tmp_path / "out").glob("*/result.json")).read_text())


def test_the_bug_is_fixed_beside_failures_of_the_environment_and_of_another_cause(
    docker_client: Any, tmp_path: Path
) -> None:
    proc, result = repaired(PROJECT, tmp_path, "--max-steps", "200")
    assert result["status"] == "fixed", proc.stdout + proc.stderr[-2000:]
    assert "-    return 10 if q > 10 else 0" in result["patch"]  # (>= 10 or > 9)
    groups = [(g["kind"], g["outcome"], len(g["tests"])) for g in result["groups"]]
    assert groups == [
        ("target", "left", 4),
        ("target", "fixed", 1),
        ("target", "left", 3),
        ("environment", "known", 1),
        ("environment", "known", 2),
    ], result["groups"]
    assert result["failing_before"] == ["tests/test_pricing.py::test_at_threshold"]
    assert "group 1/5 left: 4 tests (the 2 groups of no environment's shape together), " in proc.stdout
    assert "group 2/5 fixed: 1 test (assert 0 == 10), " in proc.stdout
    assert "group 3/5 left: 3 tests (assert" in proc.stdout
    # the fix leaves it failing: it is tried alone, after the bug's group
    assert result["groups"][2]["why"] == "could not localize the fault"
