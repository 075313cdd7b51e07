"""No silent host fallback: when no Docker daemon answers, every command that runs a repository's
code stops with one line saying how to start Docker or how to ask for the host, before it runs or
writes anything; the host is used only when asked for by name (``--sandbox local``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sandbox.projects import PASSING, make_project

ROOT = Path(__file__).resolve().parents[2]


def rfsn(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The real command, its Docker client pointed at a socket nothing listens on (the run's rfsn
    home: the host's env is built once)."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "DOCKER_HOST": f"unix://{cwd / 'no-daemon.sock'}", **env}
    environment.pop("RFSN_SANDBOX", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "rfsn", *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=180
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    make_project(tmp_path / "repo", PASSING)
    (tmp_path / "i.jsonl").write_text(
        json.dumps(
            {
                "instance_id": "o__r-1",
                "repo": "repo",
                "base_commit": "HEAD",
                "patch": "",
                "test_patch": "",
                "FAIL_TO_PASS": [],
                "PASS_TO_PASS": [],
            }
        )
        + "\n"
    )
    (tmp_path / "p.jsonl").write_text(
        json.dumps({"instance_id": "o__r-1", "model_name_or_path": "m", "model_patch": "diff"}) + "\n"
    )
    return tmp_path


COMMANDS = {
    "repair": ["repair", "repo", "--out", "out"],
    "test": ["test", "repo"],
    "batch": ["batch", "i.jsonl", "--out", "out"],
    "evaluate": ["evaluate", "p.jsonl", "--instances", "i.jsonl", "--run-id", "r", "--report-dir", "out"],
    "validate": ["validate", "i.jsonl", "--report-dir", "out"],
}


#: every command asked for nothing, and each other way of asking in one command (the rest: a sweep)
CASES = [
    pytest.param(asked, command, marks=[pytest.mark.sweep] if asked != "default" and command != "test" else [])
    for asked in ("default", "docker", "auto")
    for command in sorted(COMMANDS)
]


@pytest.mark.parametrize(("asked", "command"), CASES)
def test_without_a_daemon_the_code_never_runs_on_the_host_unasked(workdir: Path, command: str, asked: str) -> None:
    """`rfsn repair URL` on a machine where Docker had stopped ran the repository's tests on the
    host (auto fell back to local with one log line)."""
    env = {} if asked == "default" else {"RFSN_SANDBOX": asked}
    result = rfsn(*COMMANDS[command], cwd=workdir, **env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("rfsn: error: ")
    if asked == "auto":  # the old default is no choice any more
        assert "RFSN_SANDBOX" in result.stderr
    else:
        assert "no Docker daemon answers" in result.stderr
        assert "start Docker" in result.stderr and "--sandbox local" in result.stderr
    assert not (workdir / "out").exists() and not (workdir / "logs").exists()


def test_the_host_is_used_when_asked_for_by_name(workdir: Path) -> None:
    result = rfsn("test", "repo", "--sandbox", "local", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "passed" in result.stdout
