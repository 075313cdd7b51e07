"""The session's wall-clock budget preempts the running step, in real Docker.

A suite that never ends (no per-test timeout, a 900 s test timeout) must not
hold a 10 s session: the running command is killed when the budget is spent
and the session ends budget_exhausted, its evidence written.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.controller.test_repair_docker import no_orphans, rfsn, session_dir
from tests.sandbox.projects import make_project

__all__ = ["no_orphans"]  # the fixture, imported for use here

#: a test that even the per-test limit (pytest-timeout's SIGALRM) cannot stop: only the session's
#: own budget can end it
SPINS = {
    "tests/test_spin.py": (
        "import signal\n\n\ndef test_spins():\n"
        "    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\n"
        "    while True:\n        pass\n"
    )
}


@pytest.mark.docker
def test_timeout_kills_the_running_test_and_ends_budget_exhausted(
    tmp_path: Path, no_orphans: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RFSN_TEST_TIMEOUT", "900")
    repo = make_project(tmp_path / "spin", SPINS)
    started = time.monotonic()
    proc = rfsn(
        "repair", str(repo), "--out", str(tmp_path / "out"), "--sandbox", "docker", "--timeout", "10", timeout=180
    )
    elapsed = time.monotonic() - started
    out = session_dir(tmp_path / "out")
    result = json.loads((out / "result.json").read_text())
    assert result["status"] == "budget_exhausted", proc.stderr[-2000:]
    assert "time budget spent" in result["message"]
    assert elapsed < 90, f"the session held {elapsed:.0f}s past a 10s budget (a test timeout of 900s)"
    steps = [json.loads(line) for line in (out / "trajectory.jsonl").read_text().splitlines()]
    assert steps[0]["outcome"]["report"]["timed_out"] is True
    assert proc.returncode == 1
