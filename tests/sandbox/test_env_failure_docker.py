"""A failed environment says which step failed and why: the step, then the first line of its
output that says why (an impossible pin: pip's "No matching distribution", not its hints)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.cli.test_true_cause import make_repo

ROOT = Path(__file__).resolve().parents[2]


def _impossible_pin_run(tmp_path: Path, *extra: str) -> str:
    """`rfsn test` on a project whose requirements.txt pins a version that does not exist: its
    last line of stderr (it fails with exit 2)."""
    marker = uuid.uuid4().hex[:8]  # a recipe of its own: no cached image answers for it
    repo = make_repo(
        tmp_path,
        {"requirements.txt": f"requests==999.0  # {marker}\n", "tests/test_a.py": "def test_a():\n    assert True\n"},
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RFSN_HOME": str(tmp_path / "home")}
    proc = subprocess.run(
        [sys.executable, "-m", "rfsn", "test", str(repo), "--sandbox", "docker", *extra],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stderr.strip().splitlines()[-1]


@pytest.mark.docker
def test_an_impossible_pin_names_the_pip_step_and_the_requirement(tmp_path: Path) -> None:
    """`rfsn test` on a project whose requirements.txt pins a version that does not exist."""
    line = _impossible_pin_run(tmp_path)
    assert line.startswith("rfsn: error: env image: pip install "), line
    assert ": ERROR: No matching distribution found for requests==999.0 (building rfsn/env-python:" in line, line
    assert "originates from a subprocess" not in line


@pytest.mark.docker
def test_rfsn_test_keeps_a_failed_builds_whole_output_in_a_file_its_line_names_signal_exit_old(tmp_path: Path) -> None:
    """`rfsn test` has no outputs directory: a failed build's output was in no file (the sweep's
    signal-exit row of 2022 recorded its one line only). It goes beside the log file, named."""
    line = _impossible_pin_run(tmp_path, "--log-file", str(tmp_path / "logs" / "run.jsonl"))
    kept = tmp_path / "logs" / "run.env-build.log"
    assert line.startswith("rfsn: error: env image: pip install "), line
    assert line.endswith(f"; the whole build output: {kept}"), line
    assert "Step 1/" in kept.read_text() and "No matching distribution found for requests==999.0" in kept.read_text()
