"""A base image bootstrap: dpkg in the new root syncs no file while debootstrap installs
(the root is a throwaway directory until it is imported whole), and the image keeps no
trace of that option.

debootstrap itself is the edge replaced here (a script that records what dpkg would read);
the import into Docker and the image read back are real.
"""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path
from typing import Any

import pytest

from rfsn.buildpacks.base import BaseImage
from rfsn.sandbox.bootstrap import bootstrap

#: writes what dpkg would read from dpkg.cfg.d into the root it was asked to fill
FAKE_DEBOOTSTRAP = """#!/bin/sh
eval target=\\${$(($# - 1))}
mkdir -p "$target/etc/dpkg/dpkg.cfg.d"
cat "$target"/etc/dpkg/dpkg.cfg.d/* > "$target/dpkg-options-seen" 2>/dev/null || true
"""


def _files(container: Any, path: str) -> dict[str, str]:
    """The regular files under ``path`` in ``container`` (names relative to its parent)."""
    stream, _ = container.get_archive(path)
    with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
        return {m.name: tar.extractfile(m).read().decode()  # type: ignore[union-attr]
                for m in tar.getmembers() if m.isfile()}


@pytest.mark.docker
def test_debootstrap_installs_without_syncing_and_the_image_keeps_no_such_option(
        docker_client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """dpkg runs with force-unsafe-io during the bootstrap; the option file is gone from the image."""
    (tmp_path / "bin").mkdir()
    fake = tmp_path / "bin" / "debootstrap"
    fake.write_text(FAKE_DEBOOTSTRAP)
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    base = BaseImage(runtime="bootstrap-test", version=str(os.getpid()), registry_image="none",
                     debian_release="bookworm", debian_packages=("procps",))
    tag, built = bootstrap(docker_client, base, "http://deb.debian.org/debian")
    assert built
    try:
        container = docker_client.containers.create(tag, ["true"])
        try:
            assert _files(container, "/dpkg-options-seen")["dpkg-options-seen"].split() == ["force-unsafe-io"]
            assert _files(container, "/etc/dpkg/dpkg.cfg.d") == {}
        finally:
            container.remove(force=True)
    finally:
        docker_client.images.remove(tag, force=True)
