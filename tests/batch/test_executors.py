"""Executors: every task comes back once, failures come back as exceptions, in any order."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rfsn.batch.executors import LocalExecutor, LogSetup, RayExecutor, make_executor
from rfsn.errors import ConfigError


def square(n: int) -> int:
    if n == 3:
        raise ValueError("three")
    return n * n


def worker_pid(_: int) -> int:
    return os.getpid()


@pytest.mark.parametrize("workers", [1, 2])
def test_local_executor_returns_each_task_once(workers: int) -> None:
    pairs = list(LocalExecutor(workers).map_unordered(square, [1, 2, 3, 4]))
    assert sorted(task for task, _ in pairs) == [1, 2, 3, 4]  # each once: no duplicate, none lost
    results = dict(pairs)
    assert results[1] == 1 and results[2] == 4 and results[4] == 16
    assert isinstance(results[3], ValueError)


def test_local_workers_are_separate_processes() -> None:
    pids = {pid for _, pid in LocalExecutor(2).map_unordered(worker_pid, list(range(6)))}
    assert os.getpid() not in pids


def test_ray_address_needs_ray_executor() -> None:
    with pytest.raises(ConfigError, match="--ray-address"):
        make_executor("local", 1, "ray://x:1")


def test_ray_executor_runs_tasks_on_a_local_ray() -> None:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        pairs = list(RayExecutor(2).map_unordered(square, [1, 2, 3, 4]))
        assert ray.is_initialized()  # started by the test: left running
    finally:
        ray.shutdown()
    assert sorted(task for task, _ in pairs) == [1, 2, 3, 4]
    results = dict(pairs)
    assert results[2] == 4 and results[4] == 16
    assert isinstance(results[3], Exception) and "three" in str(results[3])


def log_event(n: int) -> int:
    from rfsn.observability.logging import get_logger

    get_logger("tests").info("worker.event", n=n)
    return os.getpid()


@pytest.mark.parametrize("kind", ["local", "ray"])
def test_workers_log_as_the_parent_asked(kind: str, tmp_path: Path,
                                         capfd: pytest.CaptureFixture[str]) -> None:
    """-v and --log-file reach worker processes: their events land in the file and on stderr."""
    log = tmp_path / "events.jsonl"
    executor = make_executor(kind, 2, logs=LogSetup(level="info", json_file=log))
    pids = {pid for _, pid in executor.map_unordered(log_event, [1, 2, 3, 4])}
    assert os.getpid() not in pids
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(e["n"] for e in events if e["event"] == "worker.event") == [1, 2, 3, 4]
    if kind == "local":  # Ray keeps its workers' stderr in its own log files
        assert capfd.readouterr().err.count("worker.event") == 4


def test_quiet_workers_log_nothing_to_the_console(capfd: pytest.CaptureFixture[str]) -> None:
    list(LocalExecutor(2, LogSetup(level="warning")).map_unordered(log_event, [1, 2]))
    assert "worker.event" not in capfd.readouterr().err


UNWIND = """
import os, signal, sys, time
from rfsn.batch import executors
signal.signal(signal.SIGTERM, executors._on_term)
try:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)
except executors.Terminated:
    os.kill(os.getpid(), signal.SIGTERM)  # the pool ends its other workers the same way
    for _ in range(1000):  # bytecode, where a pending handler runs
        pass
    print("unwound", flush=True)
"""


def test_a_second_sigterm_does_not_cut_a_workers_unwinding_short() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", UNWIND], capture_output=True, text=True, timeout=60)
    assert "unwound" in done.stdout, done.stderr[-2000:]
