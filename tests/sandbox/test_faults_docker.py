"""Faults during a real ``rfsn repair``: the Docker daemon vanishing, Ctrl-C and SIGTERM.

Each ends the session in bounded time with a clear message, leaves every
output file readable, and leaves no container behind (after a crash that
left one, ``rfsn sandbox prune`` removes it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.processes import start_rfsn, stop
from tests.sandbox.conftest import SharedEnvPython
from tests.sandbox.projects import make_project

pytestmark = [pytest.mark.docker]

SLEEPS = {"tests/test_sleep.py": "import time\n\ndef test_sleeps():\n    time.sleep(600)\n"}

#: a loopback proxy for the Docker socket; killing it is the daemon vanishing for rfsn
PROXY = r"""
import socket, sys, threading
path, upstream = sys.argv[1], sys.argv[2]
server = socket.socket(socket.AF_UNIX)
server.bind(path)
server.listen(64)

def pipe(a, b):
    try:
        while data := a.recv(65536):
            b.sendall(data)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

while True:
    client, _ = server.accept()
    up = socket.socket(socket.AF_UNIX)
    up.connect(upstream)
    threading.Thread(target=pipe, args=(client, up), daemon=True).start()
    threading.Thread(target=pipe, args=(up, client), daemon=True).start()
"""


def wait_for(predicate: Callable[[], Any], seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("timed out waiting")


def containers_of(client: Any, pid: int) -> list[Any]:
    import docker.errors

    try:
        return client.containers.list(all=True, filters={"label": f"rfsn.pid={pid}"})
    except docker.errors.NotFound:  # one went away between listing and inspecting
        return containers_of(client, pid)


def start_repair(repo: Path, out: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return start_rfsn(
        ["repair", str(repo), "--out", str(out), "--sandbox", "docker", "--timeout", "600"],
        {"RFSN_TEST_TIMEOUT": "900", **env},
    )


def wait_until_testing(client: Any, proc: subprocess.Popen[str]) -> None:
    """Until pytest runs in the session's container (fails with rfsn's stderr if rfsn ends first)."""
    import docker.errors

    def testing() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"rfsn ended early: {proc.communicate()[1][-2000:]}")
        for container in containers_of(client, proc.pid):
            try:  # the daemon lists the processes (no exec: one started as rfsn's `docker commit`
                # pauses the container for its setup snapshot never ends, and waits with it)
                if "pytest" in str(container.top()["Processes"]):
                    return True
            except docker.errors.APIError:
                continue
        return False

    wait_for(testing, 120)


def result_of(out: Path) -> dict[str, Any]:
    (session,) = out.iterdir()
    for name in ("patch.diff", "report.md", "metrics.prom"):
        assert (session / name).is_file(), name
    for line in (session / "trajectory.jsonl").read_text().splitlines():
        json.loads(line)
    return json.loads((session / "result.json").read_text())


def test_daemon_gone_mid_session_is_a_clear_error_in_bounded_time(
    tmp_path: Path, docker_client: Any, shared_pack: SharedEnvPython
) -> None:
    sock = tmp_path / "docker.sock"
    proxy = subprocess.Popen([sys.executable, "-c", PROXY, str(sock), "/var/run/docker.sock"])
    proc = None
    try:
        wait_for(sock.exists, 10)
        proc = start_repair(make_project(tmp_path / "p", SLEEPS), tmp_path / "out", {"DOCKER_HOST": f"unix://{sock}"})
        wait_until_testing(docker_client, proc)
        proxy.kill()
        proxy.wait()
        killed = time.monotonic()
        _, err = proc.communicate(timeout=120)
        assert time.monotonic() - killed < 60, "rfsn hung after the daemon went away"
    finally:
        proxy.kill()
        proxy.wait()
        if proc is not None:
            stop(proc)
    assert proc.returncode == 2, err[-2000:]
    assert "Traceback" not in err
    result = result_of(tmp_path / "out")
    assert result["status"] == "error" and "Docker daemon stopped answering" in result["message"]
    # rfsn could not remove its container through a dead daemon: prune does, its owner being gone
    prune = subprocess.run(
        [sys.executable, "-m", "rfsn", "sandbox", "prune"],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "DOCKER_HOST"},
    )
    assert prune.returncode == 0, prune.stderr
    assert containers_of(docker_client, proc.pid) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_signal_mid_test_run_removes_the_container_and_leaves_outputs_readable(
    signum: int, tmp_path: Path, docker_client: Any, shared_pack: SharedEnvPython
) -> None:
    proc = start_repair(make_project(tmp_path / "p", SLEEPS), tmp_path / "out", {})
    try:
        wait_until_testing(docker_client, proc)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        stop(proc)
    assert proc.returncode == 128 + signum, err[-2000:]
    assert "Traceback" not in err
    assert containers_of(docker_client, proc.pid) == []
    result = result_of(tmp_path / "out")
    assert result["status"] == "error" and result["message"].startswith("interrupted")
