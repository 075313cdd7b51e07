"""The README's first command on a stock Debian: ``scripts/setup`` installs rfsn, then
``rfsn --help`` works exactly as the README calls it; only ``--dev`` adds the host-side
test tools (go, node), which the quick start does not need.

The container is plain Debian 12 (debootstrap's minimal base: no Python, no git,
no pip), built without a registry the way rfsn builds its base images. No
Docker engine can start inside it, so setup runs with ``--no-engine``: the
engine and image steps are what every other Docker test here exercises. The install takes
minutes and fetches every package, so it is opt-in (``-m stock_debian``); ``.ci/run`` runs the
same script on its own machine.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from collections.abc import Iterator
from typing import Any

import pytest

from rfsn.buildpacks.base import BaseImage
from rfsn.sandbox import labels
from rfsn.settings import load_settings
from tests.paths import ROOT

STOCK_DEBIAN = BaseImage(
    runtime="debian-stock",
    version="12",
    registry_image="debian:bookworm",
    debian_release="bookworm",
    debian_packages=("procps",),
)
CA_IN_CONTAINER = "/etc/ssl/host-ca.crt"


def _source_tar() -> bytes:
    """The working tree as git sees it (tracked and new files, nothing ignored)."""
    names = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
        )
        .stdout.decode()
        .split("\0")
    )
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name in filter(None, names):
            if (ROOT / name).is_file():
                tar.add(ROOT / name, arcname=f"rfsn/{name}", recursive=False)
    return buffer.getvalue()


@pytest.fixture
def stock_debian(docker_client: Any) -> Iterator[Any]:
    from rfsn.sandbox.bootstrap import bootstrap

    tag, _ = bootstrap(docker_client, STOCK_DEBIAN, load_settings().debian_mirror)
    settings = load_settings()
    ca = settings.resolved_ca_bundle()
    container = docker_client.containers.create(
        tag,
        ["sleep", "3600"],
        detach=True,
        labels={labels.MANAGED: "1", labels.PID: str(os.getpid())},
        environment={"PIP_CERT": CA_IN_CONTAINER} if ca else {},
        volumes={str(ca): {"bind": CA_IN_CONTAINER, "mode": "ro"}} if ca else {},
    )
    try:
        container.start()
        container.put_archive("/root", _source_tar())
        yield container
    finally:
        container.remove(force=True)


def _run(container: Any, script: str) -> tuple[int, str]:
    code, output = container.exec_run(["bash", "-c", script], workdir="/root/rfsn")
    return code, output.decode(errors="replace")


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.stock_debian
def test_setup_installs_rfsn_on_a_stock_debian(stock_debian: Any) -> None:
    code, output = _run(stock_debian, "command -v python3 pip pip3 rfsn || true")
    assert output.strip() == "", f"not a stock machine: {output}"

    code, output = _run(stock_debian, "bash scripts/setup --no-engine 2>&1 | tail -20")
    assert code == 0 and "rfsn installed" in output, output

    code, output = _run(stock_debian, "cd / && rfsn --help")
    assert code == 0 and "repair" in output, output
    # rfsn lives in its own environment: the system Python has no pip, so nothing went there
    code, output = _run(stock_debian, "python3 -m pip --version")
    assert code != 0, output
    # the newcomer's setup spends no time on the host-side test tools
    code, output = _run(stock_debian, "command -v go node || true")
    assert output.strip() == "", output

    code, output = _run(stock_debian, "bash scripts/setup --no-engine --dev 2>&1 | tail -20")
    assert code == 0 and "rfsn installed" in output, output
    code, output = _run(stock_debian, "go version && node --version && cd / && rfsn --help >/dev/null")
    assert code == 0 and "go version" in output, output


def test_setup_names_its_options_when_given_an_unknown_one() -> None:
    """A mistyped option stops setup before it installs anything: exit 2, the options named."""
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "setup"), "--devv"], capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("scripts/setup: unknown option --devv (use --no-engine, --latest, --dev)"), (
        proc.stderr
    )
