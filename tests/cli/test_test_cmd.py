"""``rfsn test`` as a user runs it: one-line errors with exit 2, JSON reports, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from rfsn.models import TestReport
from tests.conftest import run_containers
from tests.sandbox.conftest import SharedEnvPython, ours
from tests.sandbox.projects import MIXED, PASSING, SLEEPING, make_project


def rfsn(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rfsn", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rfsn: error: "), proc.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_nonexistent_path() -> None:
    assert_one_line_error(rfsn("test", "/nonexistent/repo/xyz", "--sandbox", "local"), "no such directory")


@pytest.mark.parametrize("url", ["file:///nonexistent.git", "https://127.0.0.1:9/x.git"])
def test_unreachable_or_non_git_url(url: str) -> None:
    started = time.monotonic()
    assert_one_line_error(rfsn("test", url, "--sandbox", "local", timeout=60), "git clone failed")
    assert time.monotonic() - started < 30


def test_unknown_ref(tmp_path: Path) -> None:
    repo = make_project(tmp_path / "p", PASSING)
    assert_one_line_error(
        rfsn("test", str(repo), "--ref", "no-such-ref", "--sandbox", "local"), "unknown ref 'no-such-ref'"
    )


def test_unrecognised_repo_names_the_flags(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "notes.txt").write_text("nothing to test\n")
    assert_one_line_error(rfsn("test", str(tmp_path / "data"), "--sandbox", "local"), "--buildpack", "--test-cmd")


def test_docker_requested_without_a_daemon(tmp_path: Path) -> None:
    repo = make_project(tmp_path / "p", PASSING)
    proc = rfsn("test", str(repo), "--sandbox", "docker", env={"DOCKER_HOST": "unix:///nonexistent.sock"}, timeout=60)
    assert_one_line_error(proc, "Docker")


@pytest.mark.docker
@pytest.mark.usefixtures("no_container_left")
class TestWithDocker:
    def test_json_report_and_exit_codes(self, tmp_path: Path, shared_pack: SharedEnvPython) -> None:
        ok = rfsn("test", str(make_project(tmp_path / "ok", PASSING)), "--sandbox", "docker", "--json")
        assert ok.returncode == 0, ok.stderr
        report = TestReport.model_validate_json(ok.stdout)
        assert report.ok and report.structured and len(report.tests) == 2
        bad = rfsn("test", str(make_project(tmp_path / "bad", MIXED)), "--sandbox", "docker", "--json")
        assert bad.returncode == 1, bad.stderr
        report = TestReport.model_validate_json(bad.stdout)
        assert report.failing == ["tests/test_mixed.py::test_bad"]
        assert json.loads(bad.stdout)["tests"]["tests/test_mixed.py::test_good"] == "passed"

    def test_selected_test_ids(self, tmp_path: Path, shared_pack: SharedEnvPython) -> None:
        repo = make_project(tmp_path / "p", MIXED)
        proc = rfsn("test", str(repo), "tests/test_mixed.py::test_good", "--sandbox", "docker", "--json")
        assert proc.returncode == 0, proc.stderr
        assert TestReport.model_validate_json(proc.stdout).tests == {"tests/test_mixed.py::test_good": "passed"}

    def test_exit_code_only_report(self, tmp_path: Path, shared_pack: SharedEnvPython) -> None:
        repo = make_project(tmp_path / "p", MIXED)
        proc = rfsn("test", str(repo), "--test-cmd", "python -m pytest -q", "--sandbox", "docker", "--json")
        assert proc.returncode == 1, proc.stderr
        report = TestReport.model_validate_json(proc.stdout)
        assert not report.structured and report.tests == {"<suite>": "failed"}
        table = rfsn("test", str(repo), "--test-cmd", "python -m pytest -q", "--sandbox", "docker")
        assert "(exit code only)" in table.stdout

    def test_timeout_exits_2_and_leaves_no_container(
        self, tmp_path: Path, shared_pack: SharedEnvPython, docker_client: Any
    ) -> None:
        repo = make_project(tmp_path / "p", SLEEPING)
        # the test sleeps 300 s: a run that waited for it would outlast the call's own limit
        proc = rfsn("test", str(repo), "--sandbox", "docker", "--timeout", "3", timeout=240)
        assert_one_line_error(proc, "timed out after 3s")
        leftovers = [
            c
            for c in run_containers(docker_client)
            if c.labels.get("rfsn.pid") not in (None, str(os.getpid())) and not _alive(int(c.labels["rfsn.pid"]))
        ]
        assert leftovers == [] and ours(docker_client) == []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
