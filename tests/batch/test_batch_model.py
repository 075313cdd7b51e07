"""``rfsn batch --planner openai`` against the loopback server: each instance's model calls,
tokens and cost land in results.jsonl, the run's reports and the closing summary add them up
to exactly the usage the server reported, and ``--no-cache`` reaches every worker's session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rfsn.llm.fake_server import FakeServer, Scripted

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.usefixtures("docker_client")]
ID = "devset__csvreport-1"


def run_batch(
    instances: Path, repos: Path, out: Path, home: Path, server: FakeServer, *extra: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env |= {
        "OPENAI_API_KEY": "sk-test-0123456789abcdefghijklmnop",
        "RFSN_HOME": str(home),
        "RFSN_LLM__MODEL": "m",
        "RFSN_LLM__BASE_URL": server.base_url("openai"),
    }
    return subprocess.run(
        [
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
            "--planner",
            "openai",
            "--timeout",
            "400",
            "--instance-ids",
            ID,
            *extra,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


def test_batch_totals_are_the_usage_the_server_reported(
    tmp_path: Path, instances_file: Path, devset_repos: Path, devset_instances: dict[str, Any]
) -> None:
    answer = f"```diff\n{devset_instances['csvreport']['patch']}```\n"
    home = tmp_path / "home"
    with FakeServer(
        [
            Scripted(text="no idea", input_tokens=900, output_tokens=40),
            Scripted(text=answer, input_tokens=1200, output_tokens=400),
        ]
    ) as server:
        proc = run_batch(instances_file, devset_repos, tmp_path / "run", home, server)
    assert proc.returncode == 0, proc.stderr[-3000:]
    calls = len(server.requests)
    given, received = 900 + 1200 * (calls - 1), 40 + 400 * (calls - 1)
    (row,) = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text().splitlines()]
    assert row["status"] == "fixed", row
    assert (row["llm_calls"], row["input_tokens"], row["output_tokens"]) == (calls, given, received)
    totals = f"model: {calls} calls, {given} input + {received} output = {given + received} tokens"
    assert totals in (tmp_path / "run" / "report.md").read_text()
    assert totals in (tmp_path / "run" / "report.html").read_text()
    assert totals in proc.stdout

    # the cache now holds these answers; --no-cache asks the server again, every one
    with FakeServer(
        [
            Scripted(text="no idea", input_tokens=900, output_tokens=40),
            Scripted(text=answer, input_tokens=1200, output_tokens=400),
        ]
    ) as again:
        proc = run_batch(instances_file, devset_repos, tmp_path / "run2", home, again, "--no-cache")
    assert proc.returncode == 0 and len(again.requests) == calls, proc.stderr[-3000:]
