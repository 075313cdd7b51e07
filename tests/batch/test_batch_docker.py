"""``rfsn batch`` end to end: killed mid-run, restarted, then graded by ``rfsn evaluate``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rfsn.cli import main
from rfsn.sandbox.daemon import managed

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.usefixtures("docker_client", "no_leaked_sandboxes")]
#: one fixed in ~20 s, one in ~50 s: the kill falls between their commits, and the restart redoes the second
IDS = ["devset__unitconv-1", "devset__intervals-1"]


def batch_command(instances: Path, out: Path, repos: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "rfsn",
        "batch",
        str(instances),
        "--out",
        str(out),
        "--repos-dir",
        str(repos),
        "--oracle-tests",
        "--workers",
        "2",
        "--timeout",
        "240",
        "--instance-ids",
        " ".join(IDS),
    ]


def committed(out: Path) -> list[str]:
    path = out / "predictions.jsonl"
    return path.read_text().splitlines() if path.is_file() else []


def session_containers(client: Any) -> list[str]:
    return [c.name for c in managed(client) if c.labels.get("rfsn.session") in IDS]


def test_killed_batch_resumes_without_loss_or_duplicates_then_evaluates(
    tmp_path: Path, instances_file: Path, devset_repos: Path, docker_client: Any
) -> None:
    out = tmp_path / "run"
    env = {**os.environ, "RFSN_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        batch_command(instances_file, out, devset_repos), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    # kill it once one prediction is committed and the other session is still running
    deadline = time.monotonic() + 300
    while not committed(out) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert proc.poll() is None, "the batch ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = committed(out)
    assert len(before) == 1, before
    # workers follow their parent and close their sandboxes; prune takes what is left
    deadline = time.monotonic() + 40
    while session_containers(docker_client) and time.monotonic() < deadline:
        time.sleep(1)
    prune = subprocess.run([sys.executable, "-m", "rfsn", "sandbox", "prune"], env=env, capture_output=True, text=True)
    assert prune.returncode == 0, prune.stderr
    deadline = time.monotonic() + 30  # a removal the daemon had begun may still be finishing
    while session_containers(docker_client) and time.monotonic() < deadline:
        time.sleep(1)
    assert session_containers(docker_client) == []

    restart = subprocess.run(
        batch_command(instances_file, out, devset_repos), env=env, capture_output=True, text=True, timeout=600
    )
    assert restart.returncode == 0, restart.stderr[-2000:]
    lines = committed(out)
    assert lines[0] == before[0]  # the prediction made before the kill is kept as it was
    predictions = [json.loads(line) for line in lines]
    assert sorted(p["instance_id"] for p in predictions) == sorted(IDS)  # none lost, none twice
    assert {p["model_name_or_path"] for p in predictions} == {"rfsn"}
    results = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    fixed = {r["instance_id"] for r in results if r["status"] == "fixed"}
    assert fixed, results
    assert (out / "report.html").is_file() and (out / "report.md").is_file()

    # restarting a finished run does nothing
    again = subprocess.run(
        batch_command(instances_file, out, devset_repos), env=env, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0
    assert len((out / "predictions.jsonl").read_text().splitlines()) == len(IDS)

    result = CliRunner().invoke(
        main,
        [
            "evaluate",
            str(out / "predictions.jsonl"),
            "--instances",
            str(instances_file),
            "--run-id",
            "batch",
            "--report-dir",
            str(tmp_path),
            "--repos-dir",
            str(devset_repos),
            "--instance-ids",
            " ".join(IDS),
            "--workers",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "rfsn.batch.json").read_text())
    assert set(summary["resolved_ids"]) == fixed
