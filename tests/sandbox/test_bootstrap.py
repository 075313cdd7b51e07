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

from rfsn.buildpacks.base import BaseImage, EnvRecipe
from rfsn.buildpacks.python.pyrecipe import python_image
from rfsn.sandbox.bootstrap import backports_command, bootstrap, localedef_command
from rfsn.sandbox.images import resolve_base

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
        return {
            m.name: tar.extractfile(m).read().decode()  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.isfile()
        }


@pytest.mark.docker
def test_debootstrap_installs_without_syncing_and_the_image_keeps_no_such_option(
    docker_client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dpkg runs with force-unsafe-io during the bootstrap; the option file is gone from the image."""
    (tmp_path / "bin").mkdir()
    fake = tmp_path / "bin" / "debootstrap"
    fake.write_text(FAKE_DEBOOTSTRAP)
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    base = BaseImage(
        runtime="bootstrap-test",
        version=str(os.getpid()),
        registry_image="none",
        debian_release="bookworm",
        debian_packages=("procps",),
    )
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


def test_a_base_image_that_compiles_locales_is_another_image() -> None:
    plain = BaseImage(
        runtime="python",
        version="3.11",
        registry_image="none",
        debian_release="bookworm",
        debian_packages=("python3", "locales"),
    )
    assert plain.model_copy(update={"locales": ("en_US.UTF-8",)}).bootstrap_tag != plain.bootstrap_tag
    assert localedef_command(Path("/r"), "en_US.UTF-8") == [
        "chroot",
        "/r",
        "localedef",
        "-i",
        "en_US",
        "-c",
        "-f",
        "UTF-8",
        "en_US.UTF-8",
    ]


@pytest.mark.docker
def test_the_python_base_image_has_the_locale_test_suites_set(docker_client: Any) -> None:
    """Test suites set ``en_US.UTF-8`` (natsort's conftest does, for every locale-aware test): a
    base image with only C.UTF-8 failed them all with ``locale.Error: unsupported locale
    setting`` (history corpus, natsort 2019 and 2023)."""
    tag = resolve_base(docker_client, python_image("3.11"), "bootstrap", "http://deb.debian.org/debian")
    out = docker_client.containers.run(
        tag,
        ["python3", "-c", "import locale; print(locale.setlocale(locale.LC_ALL, 'en_US.UTF-8'))"],
        network_disabled=True,
        remove=True,
    )
    assert out.decode().strip() == "en_US.UTF-8"


def test_a_backported_go_is_installed_from_the_backports_suite_and_is_another_image() -> None:
    """Go 1.21 to 1.23 are only in bookworm-backports (go.mod's ``go 1.23.0`` failed on bookworm's
    1.19: "invalid go version '1.23.0'"); debootstrap's --extra-suites resolved them but
    installed nothing ("dpkg: error: --install needs at least one package archive file argument")."""
    base = BaseImage(
        runtime="go",
        version="1.23",
        registry_image="none",
        debian_release="bookworm",
        debian_packages=("gcc",),
        debian_backports=("golang-1.23-go",),
    )
    plain = base.model_copy(update={"debian_backports": ()})
    assert base.bootstrap_tag != plain.bootstrap_tag
    argv = backports_command(Path("/r"), base, "http://deb.debian.org/debian")
    assert argv[:4] == ["chroot", "/r", "sh", "-c"]
    assert "deb http://deb.debian.org/debian bookworm-backports main" in argv[4]
    assert "-t bookworm-backports golang-1.23-go" in argv[4]
    # a recipe on a base without backports keeps its key (the field is not in its dump)
    assert EnvRecipe(buildpack="go", base=plain).key() != EnvRecipe(buildpack="go", base=base).key()
    assert "debian_backports" not in EnvRecipe(buildpack="go", base=plain).model_dump()["base"]
