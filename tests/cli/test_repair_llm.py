"""``rfsn repair --planner openai|anthropic`` through the real SDKs against the loopback server.

The quickstart's bug is repaired by a scripted reply in the local sandbox; the caps hold
against the usage the server reported; the key appears in no output; every
configuration mistake is one line and exit 2 before any work.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rfsn.llm.fake_server import FakeLLMServer, Scripted
from tests.cli.test_test_cmd import assert_one_line_error
from tests.paths import ROOT as REPO_ROOT

QUICKSTART = str(REPO_ROOT / "examples" / "quickstart")
KEY = "sk-test-do-not-leak-4242"
OLD, NEW = "    if quantity > BULK_THRESHOLD:\n", "    if quantity >= BULK_THRESHOLD:\n"
FIX = f"shop/pricing.py\n<<<<<<< SEARCH\n{OLD}=======\n{NEW}>>>>>>> REPLACE\n"


def rfsn(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    return subprocess.run([sys.executable, "-m", "rfsn", *args], capture_output=True, text=True,
                          timeout=300, env={**base, **(env or {})}, cwd=REPO_ROOT)


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as srv:
        yield srv


def _session(out: Path) -> Path:
    (session,) = list(out.iterdir())
    return session


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_a_scripted_reply_repairs_the_quickstart(server: FakeLLMServer, tmp_path: Path,
                                                 provider: str) -> None:
    url = server.openai_url if provider == "openai" else server.anthropic_url
    if provider == "openai":
        server.script = [Scripted(text="The threshold is inclusive.\n\n" + FIX)]
    else:
        server.script = [Scripted(tool_calls=[{"name": "edit_file", "arguments": {
            "path": "shop/pricing.py", "old": OLD, "new": NEW}}])]
    server.default = Scripted(text="I have nothing to add.")
    proc = rfsn("repair", QUICKSTART, "--sandbox", "local", "--planner", provider, "--model", "m",
                "--base-url", url, "--max-calls", "6", "--out", str(tmp_path / "out"),
                env={f"{provider.upper()}_API_KEY": KEY})
    assert proc.returncode == 0, proc.stderr
    session = _session(tmp_path / "out")
    result = json.loads((session / "result.json").read_text())
    assert result["status"] == "fixed" and "BULK_THRESHOLD" in result["patch"]
    assert result["input_tokens"] == server.reported_input
    assert result["output_tokens"] == server.reported_output
    assert result["tokens"] == server.reported_tokens and result["llm_calls"] == len(server.requests)
    assert "model:" in (session / "report.md").read_text()
    prom = (session / "metrics.prom").read_text()
    assert f'rfsn_llm_tokens_total{{kind="output",model="m",provider="{provider}"}} ' \
           f'{float(server.reported_output)}' in prom
    assert f'rfsn_llm_calls_total{{model="m",provider="{provider}",status="ok"}}' in prom
    assert all(h.get("authorization", h.get("x-api-key", "")).endswith(KEY) for h in server.headers)
    for path in session.iterdir():
        assert KEY not in path.read_text(errors="replace"), path.name
    assert KEY not in proc.stdout + proc.stderr


def test_a_token_cap_ends_the_session_budget_exhausted(server: FakeLLMServer, tmp_path: Path) -> None:
    server.default = Scripted(text="Hmm, hard to say. " * 800)
    proc = rfsn("repair", QUICKSTART, "--sandbox", "local", "--planner", "openai", "--model", "m",
                "--base-url", server.openai_url, "--max-tokens", "6000",
                "--out", str(tmp_path / "out"), env={"OPENAI_API_KEY": KEY})
    assert proc.returncode == 1, proc.stderr
    result = json.loads((_session(tmp_path / "out") / "result.json").read_text())
    assert result["status"] == "budget_exhausted"
    assert 0 < server.reported_tokens <= 6000
    assert result["tokens"] == server.reported_tokens


@pytest.mark.parametrize(("args", "env", "fragment"), [
    (["--planner", "openai"], {}, "no API key for openai"),
    (["--planner", "anthropic", "--base-url", "localhost:1"], {"ANTHROPIC_API_KEY": KEY},
     "malformed --base-url"),
    (["--planner", "gpt5"], {}, "unknown planner 'gpt5'"),
    (["--model", "m"], {}, "--model apply only to the model planners"),
    (["--planner", "openai", "--model", "no-price", "--max-cost", "1"], {"OPENAI_API_KEY": KEY},
     "--max-cost needs a price"),
])
def test_configuration_mistakes_stop_before_any_work(tmp_path: Path, args: list[str],
                                                     env: dict[str, str], fragment: str) -> None:
    proc = rfsn("repair", QUICKSTART, "--sandbox", "local", "--out", str(tmp_path / "out"), *args,
                env=env)
    assert_one_line_error(proc, fragment)
    assert not (tmp_path / "out").exists()
    assert KEY not in proc.stderr
