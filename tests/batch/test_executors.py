"""Executors: every task comes back once, failures come back as exceptions, in any order."""

from __future__ import annotations

import os

import pytest

from rfsn.batch.executors import LocalExecutor, RayExecutor, make_executor
from rfsn.errors import ConfigError


def square(n: int) -> int:
    if n == 3:
        raise ValueError("three")
    return n * n


def worker_pid(_: int) -> int:
    return os.getpid()


@pytest.mark.parametrize("workers", [1, 2])
def test_local_executor_returns_each_task_once(workers: int) -> None:
    results = dict(LocalExecutor(workers).map_unordered(square, [1, 2, 3, 4]))
    assert results[1] == 1 and results[2] == 4 and results[4] == 16
    assert isinstance(results[3], ValueError)


def test_local_workers_are_separate_processes() -> None:
    pids = {pid for _, pid in LocalExecutor(2).map_unordered(worker_pid, list(range(6)))}
    assert os.getpid() not in pids


def test_ray_address_needs_ray_executor() -> None:
    with pytest.raises(ConfigError, match="--ray-address"):
        make_executor("local", 1, "ray://x:1")


def test_ray_executor_runs_tasks_on_a_local_ray() -> None:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        results = dict(RayExecutor(2).map_unordered(square, [1, 2, 3, 4]))
        assert ray.is_initialized()  # started by the test: left running
    finally:
        ray.shutdown()
    assert results[2] == 4 and results[4] == 16
    assert isinstance(results[3], Exception) and "three" in str(results[3])
