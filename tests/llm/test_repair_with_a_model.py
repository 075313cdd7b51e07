"""``rfsn repair --planner openai|anthropic`` end to end: real SDK clients, a scripted loopback
server, a real Docker sandbox, on a devset bug that no repair template can fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rfsn.llm.fake_server import FakeServer, Scripted
from tests.conftest import with_test_patch

KEY = "sk-test-0123456789abcdefghijklmnop"
NAME = "csvreport"


def rfsn(*args: str, key: str | None = KEY, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    if home is not None:  # the response cache lives there
        env["RFSN_HOME"] = str(home)
    if key:
        env |= {"OPENAI_API_KEY": key, "ANTHROPIC_API_KEY": key}
    return subprocess.run([sys.executable, "-m", "rfsn", *args], capture_output=True, text=True, env=env, timeout=600)


def test_a_missing_key_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    proc = rfsn(
        "repair",
        str(tmp_path / "repo"),
        "--planner",
        "openai",
        "--model",
        "m",
        "--out",
        str(tmp_path / "out"),
        key=None,
    )
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [
        "rfsn: error: the openai planner needs an API key: set OPENAI_API_KEY"
    ]
    assert not (tmp_path / "out").exists()


@pytest.mark.docker
@pytest.mark.slow
# the anthropic client's requests and usage: tests/llm/test_models.py; its sessions end to end:
# test_ceiling.py and test_issue_only.py; the session's feedback, counting and replay are the same
@pytest.mark.parametrize("provider", ["openai", pytest.param("anthropic", marks=pytest.mark.sweep)])
def test_the_model_fixes_what_templates_cannot_and_replay_reaches_the_same_result(
    provider: str, tmp_path: Path, devset_instances: dict[str, Any], devset_repos: Path, docker_client: object
) -> None:
    instance = devset_instances[NAME]
    repo = with_test_patch(devset_repos, instance, tmp_path / "repo")
    answer = f"The numbers keep their thousands separators.\n\n```diff\n{instance['patch']}```\n"
    with FakeServer(
        [
            Scripted(text="I am not sure.", input_tokens=900, output_tokens=40),
            Scripted(text=answer, input_tokens=1200, output_tokens=400),
        ]
    ) as server:
        proc = rfsn(
            "repair",
            str(repo),
            "--planner",
            provider,
            "--model",
            "m",
            "--base-url",
            server.base_url(provider),
            "--out",
            str(tmp_path / "out"),
            "--sandbox",
            "docker",
            home=tmp_path / "home",
        )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    (session,) = (tmp_path / "out").iterdir()
    result = json.loads((session / "result.json").read_text())
    assert result["status"] == "fixed"
    assert result["patch"].count("_GROUPED_RE") >= 2
    # the unusable first reply went back once, with the reason; every call was counted
    assert "cannot be used" in server.requests[1]["messages"][-1]["content"]
    usage = [(900, 40)] + [(1200, 400)] * (len(server.requests) - 1)
    assert result["llm_calls"] == len(server.requests)
    assert result["input_tokens"] == sum(i for i, _ in usage)
    assert result["output_tokens"] == sum(o for _, o in usage)
    assert result["tokens"] == result["input_tokens"] + result["output_tokens"]
    for path in session.iterdir():  # the key reached the server only
        assert KEY not in path.read_text(errors="replace"), path.name

    replayed = rfsn(
        "repair",
        str(repo),
        "--planner",
        provider,
        "--model",
        "m",
        "--base-url",
        server.base_url(provider),
        "--replay",
        str(session),
        "--out",
        str(tmp_path / "replay"),
        "--sandbox",
        "docker",
        key=None,
        home=tmp_path / "home",
    )
    assert replayed.returncode == 0, replayed.stderr[-2000:]
    (again,) = (tmp_path / "replay").iterdir()
    assert json.loads((again / "result.json").read_text())["patch"] == result["patch"]
