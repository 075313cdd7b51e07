"""A real image registry on loopback for tests and benchmarks: Debian's ``docker-registry``
(the reference server: ``apt-get install docker-registry``), never a registry on another host."""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/v2/")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


@contextmanager
def serving(storage: Path, prefix: str = "rfsn-test") -> Iterator[str]:
    """A registry on a free 127.0.0.1 port keeping its blobs under ``storage``, stopped on exit;
    yields its ``HOST:PORT/PREFIX``. FileNotFoundError when docker-registry is not installed."""
    server = shutil.which("docker-registry")
    if server is None:
        raise FileNotFoundError("no docker-registry (apt-get install docker-registry)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = storage / "registry.yml"
    config.write_text(
        f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
        f"    rootdirectory: {storage / 'blobs'}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
    )
    process = subprocess.Popen([server, "serve", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"docker-registry did not start on 127.0.0.1:{port}")
            time.sleep(0.1)
        yield f"127.0.0.1:{port}/{prefix}"
    finally:
        process.terminate()
        process.wait(timeout=10)
