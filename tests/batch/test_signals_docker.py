"""SIGINT, SIGTERM and SIGKILL of ``rfsn batch`` and ``rfsn evaluate`` while a sandbox is up.

Containers are found by rfsn's labels: ``rfsn.pid`` is the batch process or one
of its workers. After a signal, none of them is left, every output parses line
by line, no temporary file remains, and the same command resumes. After SIGKILL,
``rfsn sandbox prune`` removes what was left.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rfsn.sandbox import labels
from rfsn.sandbox.daemon import managed
from tests.processes import start_rfsn, stop

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("docker_client")]

SLOW = "devset__ratelimit-1"


def _ppid(pid: str) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def ours(client: Any, proc: subprocess.Popen[str], seen: set[str]) -> set[str]:
    """Ids of the live containers of ``proc`` or of its workers (added to ``seen``)."""
    import docker.errors

    try:
        found = {
            c.id
            for c in managed(client)
            if c.labels.get(labels.PID) == str(proc.pid) or _ppid(c.labels.get(labels.PID, "0")) == proc.pid
        }
    except docker.errors.NotFound:  # one went away while listing
        return ours(client, proc, seen)
    seen |= found
    return found


def wait_for(predicate: Callable[[], Any], seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("timed out waiting")


def until_sandbox_up(client: Any, proc: subprocess.Popen[str], seen: set[str]) -> None:
    def up() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"rfsn ended early: {proc.communicate()[1][-2000:]}")
        return bool(ours(client, proc, seen))

    wait_for(up, 240)


def still_there(client: Any, ids: set[str]) -> list[str]:
    existing = {c["Id"] for c in client.api.containers(all=True, filters={"label": labels.MANAGED})}
    return sorted(ids & existing)


def check_outputs(root: Path) -> None:
    """Every JSON-lines file parses line by line, every JSON file parses, no temp file is left."""
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        assert ".tmp" not in path.name, f"temp file left: {path}"
        if path.suffix == ".jsonl":
            for line in path.read_text().splitlines():
                json.loads(line)
        elif path.suffix == ".json":
            json.loads(path.read_text())


def batch_args(instances_file: Path, devset_repos: Path, out: Path, workers: int) -> list[str]:
    return [
        "batch",
        str(instances_file),
        "--out",
        str(out),
        "--repos-dir",
        str(devset_repos),
        "--oracle-tests",
        "--workers",
        str(workers),
        "--timeout",
        "240",
        "--instance-ids",
        f"devset__unitconv-1 {SLOW}",
    ]


def signals(*kept: str) -> list[Any]:
    """(signal, workers) cases: each command keeps two by default, together every signal and every
    worker count, so each signal is proved with one worker and with two; the rest are a sweep."""
    cases = {
        f"{name}-{workers}": (signum, workers)
        for name, signum in (("sigint", signal.SIGINT), ("sigterm", signal.SIGTERM))
        for workers in (1, 2)
    }
    return [
        pytest.param(*case, id=name, marks=() if name in kept else pytest.mark.sweep) for name, case in cases.items()
    ]


@pytest.mark.parametrize(("signum", "workers"), signals("sigint-1", "sigterm-2"))
def test_signal_during_batch_removes_its_containers_and_leaves_outputs_readable(
    signum: int, workers: int, tmp_path: Path, docker_client: Any, instances_file: Path, devset_repos: Path
) -> None:
    out = tmp_path / "run"
    seen: set[str] = set()
    proc = start_rfsn(batch_args(instances_file, devset_repos, out, workers))
    try:
        until_sandbox_up(docker_client, proc, seen)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=90)
    finally:
        stop(proc)
    assert proc.returncode == 128 + signum, err[-2000:]
    assert "Traceback" not in err
    assert still_there(docker_client, seen) == [], err[-3000:]
    check_outputs(out)


@pytest.mark.parametrize(("signum", "workers"), signals("sigterm-1", "sigint-2"))
def test_signal_during_evaluate_removes_its_containers_and_leaves_outputs_readable(
    signum: int,
    workers: int,
    tmp_path: Path,
    docker_client: Any,
    instances_file: Path,
    devset_repos: Path,
    devset_instances: dict[str, Any],
    predictions_file: Callable[..., Path],
) -> None:
    seen: set[str] = set()
    preds = predictions_file(
        {f"devset__{name}-1": devset_instances[name]["patch"] for name in ("ratelimit", "iniconf")}
    )
    args = [
        "evaluate",
        str(preds),
        "--instances",
        str(instances_file),
        "--run-id",
        "sig",
        "--report-dir",
        str(tmp_path / "eval"),
        "--repos-dir",
        str(devset_repos),
        "--workers",
        str(workers),
    ]
    proc = start_rfsn(args)
    try:
        until_sandbox_up(docker_client, proc, seen)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=90)
    finally:
        stop(proc)
    assert proc.returncode == 128 + signum, err[-2000:]
    assert "Traceback" not in err
    assert still_there(docker_client, seen) == [], err[-3000:]
    check_outputs(tmp_path / "eval")


def sigkilled_batch(client: Any, args: list[str]) -> set[str]:
    """Start a batch, SIGKILL it once its sandbox is up: the ids of the containers it had."""
    seen: set[str] = set()
    proc = start_rfsn(args)
    try:
        until_sandbox_up(client, proc, seen)
        proc.kill()
        proc.communicate(timeout=60)
    finally:
        stop(proc)
    return seen


def test_after_sigkill_of_a_batch_prune_removes_what_was_left(
    tmp_path: Path, docker_client: Any, instances_file: Path, devset_repos: Path
) -> None:
    seen = sigkilled_batch(docker_client, batch_args(instances_file, devset_repos, tmp_path / "run", 1))
    assert still_there(docker_client, seen), "SIGKILL leaves the container (nothing runs to remove it)"

    def pruned() -> bool:
        """One ``rfsn sandbox prune``; whether nothing of the batch is left. (Killed mid-request,
        the batch can leave the daemon still creating a container that one prune did not see:
        prune is run again until the daemon has settled, within the bound.)"""
        prune = subprocess.run(
            [sys.executable, "-m", "rfsn", "sandbox", "prune"], capture_output=True, text=True, timeout=120
        )
        assert prune.returncode == 0, prune.stderr
        return not still_there(docker_client, seen)

    wait_for(pruned, 60)
    check_outputs(tmp_path / "run")


def test_the_next_command_removes_what_a_sigkilled_batch_left_and_no_live_owners(
    tmp_path: Path, docker_client: Any, instances_file: Path, devset_repos: Path
) -> None:
    """The resume check SIGKILLed a batch: its containers still ran 57 minutes later, until a
    manual prune. The next command that starts a container removes those of this host whose
    owner process is gone, and never one whose owner lives (other people's runs). (Another
    worker's command may remove what the kill left before this one looks: the batch is killed
    again, a few times at most.)"""
    left: set[str] = set()
    for attempt in range(3):
        seen = sigkilled_batch(docker_client, batch_args(instances_file, devset_repos, tmp_path / f"run{attempt}", 1))
        time.sleep(3)  # a request the kill cut short: the daemon finishes creating its container
        dead = {int(c.labels[labels.PID]) for c in managed(docker_client) if c.id in seen}
        left = {c.id for c in managed(docker_client) if int(c.labels.get(labels.PID, "0")) in dead}
        if left:
            break
    assert left, "SIGKILL leaves the container (nothing runs to remove it)"
    image = docker_client.containers.get(next(iter(left))).image.id
    alive = docker_client.containers.run(
        image,
        ["sleep", "300"],
        detach=True,
        network_mode="none",
        labels={
            labels.MANAGED: "1",
            labels.HOST: socket.gethostname(),
            labels.PID: str(os.getpid()),
            labels.SESSION: "alive",
        },
    )
    seen_next: set[str] = set()
    following = start_rfsn(batch_args(instances_file, devset_repos, tmp_path / "next", 1))
    try:
        until_sandbox_up(docker_client, following, seen_next)
        assert still_there(docker_client, left) == []
        assert still_there(docker_client, {alive.id}) == [alive.id]
        following.send_signal(signal.SIGTERM)
        following.communicate(timeout=90)
    finally:
        stop(following)
        alive.remove(force=True)
    assert still_there(docker_client, seen_next) == []


def test_a_signalled_batch_resumes_without_redoing_finished_instances(
    tmp_path: Path, docker_client: Any, instances_file: Path, devset_repos: Path
) -> None:
    """Instances run in file order (ratelimit, then unitconv): SIGTERM once ratelimit is recorded
    and unitconv's sandbox is up; the same command then starts at unitconv."""
    out = tmp_path / "run"
    predictions = out / "predictions.jsonl"

    def recorded() -> list[str]:
        lines = predictions.read_text().splitlines() if predictions.exists() else []
        return [json.loads(line)["instance_id"] for line in lines]

    for attempt in range(2):
        seen: set[str] = set()
        proc = start_rfsn(batch_args(instances_file, devset_repos, out, 1))
        try:
            wait_for(lambda p=proc: recorded() == [SLOW] or p.poll() is not None, 300)
            until_sandbox_up(docker_client, proc, seen)
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=90)
        finally:
            stop(proc)
        assert proc.returncode == 143, err[-2000:]
        assert still_there(docker_client, seen) == [], err[-3000:]
        check_outputs(out)
        assert recorded() == [SLOW]
        outcomes = [json.loads(line)["instance_id"] for line in (out / "results.jsonl").read_text().splitlines()]
        assert outcomes.count(SLOW) == 1, f"attempt {attempt}: {SLOW} was redone"
