"""``rfsn repair`` with a model, through the CLI, the real SDKs and a real Docker sandbox: tool
calls fix the quickstart bug; rate limits and server errors are retried and counted; the
response cache answers a second session for free, and ``--no-cache`` pays again; the figures in
result.json and report.md are the usage the server reported; a refused key is one line, exit 2."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rfsn.llm.fake_server import FakeServer, Scripted
from tests.paths import ROOT

KEY = "sk-test-0123456789abcdefghijklmnop"
FIX = (
    "replace_in_file",
    {
        "path": "shop/pricing.py",
        "search": "    if quantity > BULK_THRESHOLD:",
        "replace": "    if quantity >= BULK_THRESHOLD:",
    },
)

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.fixture
def quickstart(tmp_path: Path, docker_client: object) -> Path:
    repo = tmp_path / "quickstart"
    shutil.copytree(ROOT / "examples" / "quickstart", repo)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    for argv in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *argv], cwd=repo, check=True, env=env)
    return repo


def repair(
    repo: Path, server: FakeServer, out: Path, home: Path, *extra: str, provider: str = "openai"
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any], Path]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env |= {"OPENAI_API_KEY": KEY, "RFSN_HOME": str(home), "RFSN_LLM__RETRY_BACKOFF": "0.01"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rfsn",
            "repair",
            str(repo),
            "--planner",
            provider,
            "--model",
            "m",
            "--base-url",
            server.base_url(provider),
            "--out",
            str(out),
            "--sandbox",
            "docker",
            *extra,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    sessions = list(out.iterdir()) if out.exists() else []
    assert len(sessions) == 1, proc.stdout + proc.stderr[-3000:]
    return proc, json.loads((sessions[0] / "result.json").read_text()), sessions[0]


def test_tool_calls_fix_it_retries_count_and_the_cache_answers_a_second_session_free(
    quickstart: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    script = [
        Scripted(status=429),
        Scripted(status=500),
        Scripted(text="", tool_calls=(FIX,), input_tokens=700, output_tokens=30),
    ]
    with FakeServer(script) as server:
        proc, first, session = repair(quickstart, server, tmp_path / "out1", home)
        asked = len(server.requests)
        server.script = [Scripted(text="never asked")]  # the same server (URL), a second session
        second = repair(quickstart, server, tmp_path / "out2", home)
        server.script = [Scripted(tool_calls=(FIX,), input_tokens=700, output_tokens=30)]
        _, paid, _ = repair(quickstart, server, tmp_path / "out3", home, "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert first["status"] == "fixed" and ">= BULK_THRESHOLD" in first["patch"]
    assert "tools" in server.requests[0]
    # every attempt is a call; the tokens are exactly the usage the server reported
    answered = asked - 2
    assert first["llm_calls"] == asked and answered >= 1
    assert (first["input_tokens"], first["output_tokens"]) == (700 * answered, 30 * answered)
    assert first["tokens"] == 730 * answered and first["cost"] == 0.0
    assert (
        f"- model: {first['llm_calls']} calls, {700 * answered} input + {30 * answered} output "
        f"= {730 * answered} tokens, cost $0.0000"
    ) in (session / "report.md").read_text()

    proc, cached, session = second
    assert proc.returncode == 0 and cached["status"] == "fixed" and cached["patch"] == first["patch"]
    assert cached["llm_calls"] == answered and cached["tokens"] == 0
    records = [json.loads(line) for line in (session / "llm.jsonl").read_text().splitlines()]
    assert len(records) == answered and all(r["cached"] for r in records)

    # the second session asked nothing; --no-cache asked the same server again and paid
    assert len(server.requests) == asked + answered
    assert paid["status"] == "fixed" and paid["tokens"] == 730 * answered


def test_a_refused_key_is_one_line_and_exit_2_and_never_retried(quickstart: Path, tmp_path: Path) -> None:
    with FakeServer([Scripted(status=401, text="invalid x-api-key")]) as server:
        proc, result, _ = repair(quickstart, server, tmp_path / "out", tmp_path / "home", provider="openai")
    assert proc.returncode == 2 and len(server.requests) == 1
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert result["status"] == "error" and "\n" not in result["message"]
    assert result["message"].startswith("openai refused the request: Error code: 401")
    assert f"rfsn: error: {result['message']}" in proc.stderr.splitlines()
    assert result["llm_calls"] == 1 and result["tokens"] == 0
