"""A second Docker daemon on this host, as another node of a cluster would have its own: its
own data, exec root, containerd (started by it, in namespaces of its own), socket, and a bridge
of its own with no iptables rules (sandboxes have no network). Never ``--bridge=none``: that
dockerd deletes the host's ``docker0``, the first daemon's bridge. For tests and benchmarks;
needs root."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import docker


def _mounts_under(root: Path) -> list[str]:
    with open("/proc/self/mounts") as mounts:
        points = [line.split()[1] for line in mounts]
    return sorted((p for p in points if p.startswith(f"{root}/")), key=len, reverse=True)


def _listens(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def _stop(pid: int, seconds: float, owner: Path) -> None:
    """SIGTERM ``pid`` (not a child of ours), SIGKILL after ``seconds``; only while it is still
    a containerd whose command line names ``owner`` (a reused pid is someone else's)."""

    def ours() -> bool:
        try:
            line = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            return False
        return "containerd" in line and str(owner) in line

    if not ours():
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + seconds
    while ours() and time.monotonic() < deadline:
        time.sleep(0.1)
    if ours():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@contextmanager
def running() -> Iterator[str]:
    """A dockerd of its own under a fresh /tmp directory; yields its ``DOCKER_HOST``
    (``unix://…``). Stopped on exit and its directory removed, whatever happened.
    FileNotFoundError without dockerd, PermissionError when not root."""
    dockerd = shutil.which("dockerd")
    if dockerd is None:
        raise FileNotFoundError("no dockerd")
    if os.geteuid() != 0:
        raise PermissionError("a second dockerd needs root")
    root = Path(tempfile.mkdtemp(prefix="rfsn-d2-", dir="/tmp"))  # a socket path is short
    host = f"unix://{root}/docker.sock"
    name = f"rfsn2{secrets.token_hex(5)}"  # containerd's names: letters and digits, no '_'
    bridge = name  # an interface name is 15 bytes at most
    log = (root / "dockerd.log").open("wb")
    process = None
    try:
        subprocess.run(["ip", "link", "add", bridge, "type", "bridge"], check=True)
        subprocess.run(["ip", "addr", "add", f"10.213.{os.getpid() % 250}.1/24", "dev", bridge], check=True)
        process = subprocess.Popen(
            [
                dockerd,
                f"--data-root={root}/data",
                f"--exec-root={root}/exec",
                f"--pidfile={root}/docker.pid",
                f"-H={host}",
                f"--containerd-namespace={name}",
                f"--containerd-plugins-namespace={name}-plugins",
                "--iptables=false",
                "--ip6tables=false",
                "--ip-masq=false",
                f"--bridge={bridge}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while not _listens(root / "docker.sock"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the second dockerd did not start: " + (root / "dockerd.log").read_text()[-2000:])
            time.sleep(0.2)
        with contextlib.closing(docker.DockerClient(base_url=host, timeout=30)) as client:
            client.ping()
        yield host
    finally:
        containerd = root / "exec" / "containerd" / "containerd.pid"
        leftover = int(containerd.read_text()) if containerd.exists() else None
        if process is not None:  # a child: waited for, not looked for in /proc (a zombie is there)
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if leftover is not None:  # dockerd stops its containerd; a killed one cannot
            _stop(leftover, 10, root)
        for point in _mounts_under(root):
            subprocess.run(["umount", "-l", point], check=False)
        log.close()
        subprocess.run(["ip", "link", "del", bridge], check=False)
        shutil.rmtree(root, ignore_errors=True)
