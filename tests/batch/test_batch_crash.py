"""A session that crashes (a bug, not a refusal) is recorded without a prediction, says so,
and runs again when the same command is repeated."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import installed_plugin
from tests.paths import ROOT

STRATEGY = """
class Crashes:
    name = "crashes"

    def candidates(self, context):
        raise RuntimeError("boom: a bug in the strategy")
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return installed_plugin(tmp_path / "site", "crashes", STRATEGY, "[rfsn.strategies]\ncrashes = crashes:Crashes\n")


def test_a_crashed_instance_is_named_in_the_summary_and_runs_again(
    site: Path, tmp_path: Path, instances_file: Path, devset_repos: Path
) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    argv = [
        sys.executable,
        "-m",
        "rfsn",
        "batch",
        str(instances_file),
        "--out",
        str(tmp_path / "run"),
        "--repos-dir",
        str(devset_repos),
        "--oracle-tests",
        "--planner",
        "crashes",
        "--sandbox",
        "local",
        "--instance-ids",
        "devset__iniconf-1",
    ]
    first = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    assert "Traceback" not in first.stderr
    assert first.returncode == 1  # every instance errored
    assert "1 instance: 0 fixed, 0 not fixed, 1 errors" in first.stdout, first.stdout
    assert "1 with no prediction" in first.stdout and "devset__iniconf-1" in first.stdout
    (record,) = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text().splitlines()]
    assert record["status"] == "error" and "boom" in record["message"]
    (events,) = (tmp_path / "run").glob("devset__iniconf-1/*/events.jsonl")
    (crash,) = [e for e in map(json.loads, events.read_text().splitlines()) if e["event"] == "session.crash_traceback"]
    assert "Traceback" in crash["traceback"] and "boom" in crash["traceback"]
    again = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    assert "1 with no prediction" in again.stdout  # it ran again, and crashed again
    assert len((tmp_path / "run" / "results.jsonl").read_text().splitlines()) == 2
