"""Executors: every task comes back once, failures come back as exceptions, in any order."""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from rfsn.batch.executors import LocalExecutor, LogSetup, RayExecutor, make_executor, node_settings
from rfsn.errors import ConfigError


@dataclass(frozen=True)
class Job:
    """A Shipped task: its outputs go to ``out/<n>``; ``shared`` is a directory every node sees
    (the test's), where a task marks its attempts."""

    n: int
    out: Path
    shared: Path | None = None
    sleep: float = 0.0

    @property
    def outputs(self) -> Path:
        return self.out / str(self.n)

    def elsewhere(self, root: Path, *, node_home: bool) -> Job:
        return replace(self, out=root)


def square(job: Job) -> int:
    """Writes its output on the node it runs on; the driver's copy must not exist yet."""
    if job.n == 3:
        raise ValueError("three")
    job.outputs.mkdir(parents=True)
    (job.outputs / "square.txt").write_text(f"{job.n * job.n}\n")
    return job.n * job.n


def jobs(out: Path, *numbers: int) -> list[Job]:
    return [Job(n, out) for n in numbers]


def worker_pid(_: int) -> int:
    return os.getpid()


@pytest.mark.parametrize("workers", [1, 2])
def test_local_executor_returns_each_task_once(workers: int, tmp_path: Path) -> None:
    pairs = [(t.n, r) for t, r in LocalExecutor(workers).map_unordered(square, jobs(tmp_path, 1, 2, 3, 4))]
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


def test_ray_executor_runs_tasks_on_a_local_ray(tmp_path: Path) -> None:
    """Each task once, its outputs written by the driver from what the task returned."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
    try:
        pairs = [(t.n, r) for t, r in RayExecutor(2).map_unordered(square, jobs(tmp_path, 1, 2, 3, 4))]
        assert ray.is_initialized()  # started by the test: left running
    finally:
        ray.shutdown()
    assert sorted(task for task, _ in pairs) == [1, 2, 3, 4]
    results = dict(pairs)
    assert results[2] == 4 and results[4] == 16
    assert isinstance(results[3], Exception) and "three" in str(results[3])
    assert (tmp_path / "4" / "square.txt").read_text() == "16\n"
    assert not (tmp_path / "3").exists()  # a task that raised returned nothing


def test_a_ray_task_is_shipped() -> None:
    """A task whose outputs cannot come back is refused before anything runs."""
    with pytest.raises(TypeError, match="Shipped"):
        list(RayExecutor(1).map_unordered(str, [1]))


def test_a_node_keeps_its_own_home_on_a_cluster() -> None:
    settings = {"home": "/driver/home", "memory": "2g"}
    assert node_settings(settings, node_home=True) == {"memory": "2g"}
    assert node_settings(settings, node_home=False) == settings


def attempted(job: Job) -> int:
    """The first attempt marks itself, writes a partial output on its node and waits to be
    lost with that node; a later attempt returns at once."""
    assert job.shared is not None
    first = not (job.shared / "attempt").exists()
    (job.shared / "attempt").write_text(str(os.getpid()))
    job.outputs.mkdir(parents=True)
    (job.outputs / ("partial" if first else "done")).write_text(str(os.getpid()))
    if first:
        time.sleep(job.sleep)
    return os.getpid()


@pytest.mark.slow
def test_a_task_whose_node_dies_runs_again_and_only_its_last_outputs_arrive(tmp_path: Path) -> None:
    """A lost node costs nothing: Ray runs the task again on another node, the driver gets
    the result once, and the dead attempt's partial outputs never reach it."""
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
    try:
        node = cluster.add_node(num_cpus=1)
        shared = tmp_path / "shared"
        shared.mkdir()
        out = tmp_path / "driver"
        job = Job(1, out, shared, sleep=600)
        pairs: list[tuple[Job, object]] = []
        driver = threading.Thread(  # Ray adds nodes from the main thread only
            target=lambda: pairs.extend(RayExecutor(1, cluster.address).map_unordered(attempted, [job]))
        )
        driver.start()
        deadline = time.monotonic() + 120
        while not (shared / "attempt").exists():
            assert time.monotonic() < deadline, "the first attempt never started"
            time.sleep(0.2)
        cluster.remove_node(node)  # the node dies with its task
        cluster.add_node(num_cpus=1)
        driver.join(timeout=120)
    finally:
        cluster.shutdown()
    assert [(t.n, type(r).__name__) for t, r in pairs] == [(1, "int")], pairs
    assert sorted(p.name for p in (out / "1").iterdir()) == ["done"]


def log_event(job: Job) -> int:
    from rfsn.observability.logging import get_logger

    get_logger("tests").info("worker.event", n=job.n)
    return os.getpid()


@pytest.mark.parametrize("kind", ["local", "ray"])
def test_workers_log_as_the_parent_asked(kind: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """-v and --log-file reach worker processes: their events land in the file and on stderr."""
    log = tmp_path / "events.jsonl"
    executor = make_executor(kind, 2, logs=LogSetup(level="info", json_file=log))
    pids = {pid for _, pid in executor.map_unordered(log_event, jobs(tmp_path, 1, 2, 3, 4))}
    assert os.getpid() not in pids
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(e["n"] for e in events if e["event"] == "worker.event") == [1, 2, 3, 4]
    if kind == "local":  # Ray keeps its workers' stderr in its own log files
        assert capfd.readouterr().err.count("worker.event") == 4


def test_quiet_workers_log_nothing_to_the_console(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    list(LocalExecutor(2, LogSetup(level="warning")).map_unordered(log_event, jobs(tmp_path, 1, 2)))
    assert "worker.event" not in capfd.readouterr().err


def linger(job: Job) -> int:
    """Returns at once, or (``sleep``) waits and marks that it was terminated while it waited."""
    from rfsn.batch.executors import Terminated

    try:
        (job.out / f"{job.n}.started").write_text(str(os.getpid()))
        time.sleep(job.sleep)
    except Terminated:
        (job.out / f"{job.n}.terminated").write_text(str(os.getpid()))
        raise
    return job.n


def test_stopping_early_terminates_the_running_workers_and_they_unwind(tmp_path: Path) -> None:
    """A batch stopped early (Ctrl-C, a time limit) sends SIGTERM to every worker still running a
    task, which unwinds it (closing its sandbox), and returns once they ended: the workers are
    the ones the pool started, known without reading its private list of processes."""
    tasks = [Job(0, tmp_path, sleep=120), Job(1, tmp_path)]
    results = LocalExecutor(2).map_unordered(linger, tasks)
    first, value = next(results)
    assert (first.n, value) == (1, 1)
    for _ in range(600):  # a loaded machine may still be importing this module for task 0
        if (tmp_path / "0.started").is_file():
            break
        time.sleep(0.1)
    results.close()  # as a KeyboardInterrupt in the loop over the results does
    assert (tmp_path / "0.terminated").is_file()


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
