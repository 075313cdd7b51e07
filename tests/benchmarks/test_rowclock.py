"""benchmarks/rowclock.py: a row's build and setup and its test run are limited apart, as rfsn
limits them, so a slow build followed by a full test run is not reported as a row timeout; a row
stopped says in which phase."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from tests.paths import ROOT
from tests.sandbox.projects import PASSING, make_project

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_environments import measure
from rowclock import READY, Limits, run


def _fake_rfsn(log: Path, build: float, tests: float) -> list[str]:
    """A stand-in for ``rfsn test``: ``build`` seconds, the ready event, ``tests`` seconds, a report."""
    script = (
        "import json, sys, time\n"
        f"time.sleep({build})\n"
        f"open({str(log)!r}, 'a').write(json.dumps({{'event': {READY!r}}}) + '\\n')\n"
        f"time.sleep({tests})\n"
        "print(json.dumps({'tests': {'t': 'passed'}}))\n"
    )
    return [sys.executable, "-c", script]


def test_a_build_longer_than_the_test_limit_then_a_short_run_ends_by_itself_pynacl_uvloop_2022(
    tmp_path: Path,
) -> None:
    log = tmp_path / "log.jsonl"
    ended = run(_fake_rfsn(log, build=2.0, tests=0.2), log, Limits(build=20, tests=0.5, grace=0.5), poll=0.1)
    assert (ended.code, ended.killed) == (0, "")
    assert json.loads(ended.out) == {"tests": {"t": "passed"}}


def test_a_build_that_never_ends_is_stopped_on_the_build_clock_and_says_so(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    started = time.monotonic()
    ended = run(_fake_rfsn(log, build=60, tests=0), log, Limits(build=1, tests=100, grace=100), poll=0.1)
    assert ended.code is None and time.monotonic() - started < 30
    assert ended.killed.startswith("row timeout: the environment's build and setup ran past 1s")


def test_a_test_run_past_its_limit_and_grace_is_stopped_on_the_test_clock(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    ended = run(_fake_rfsn(log, build=0.5, tests=60), log, Limits(build=100, tests=0.5, grace=0.5), poll=0.1)
    assert ended.code is None
    assert ended.killed.startswith("row timeout: the test run did not end 0.5s past its 0.5s limit")


def test_rfsn_test_logs_when_its_sandbox_is_ready_and_the_bench_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project(tmp_path / "repo", PASSING)
    monkeypatch.setenv("RFSN_SANDBOX", "local")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    log = tmp_path / "log.jsonl"
    row = measure(tmp_path / "repo", log, Limits(build=600, tests=120, grace=60))
    assert row["built"] is True and row["passed"] == row["collected"] and row["collected"]
    assert any(json.loads(line).get("event") == READY for line in log.read_text().splitlines())
