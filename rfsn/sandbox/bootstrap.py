"""Base images without a registry: debootstrap a minimal Debian, tar it, ``docker import``.

For air-gapped machines and registries that cannot be reached. The image is
tagged ``rfsn/base-<runtime>:<version>-<release>-<hash of the package list>`` and reused
until ``force``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from rfsn.buildpacks.base import BaseImage
from rfsn.errors import ImageError
from rfsn.observability.logging import get_logger
from rfsn.sandbox import registry
from rfsn.sandbox.registry import image_exists

log = get_logger(__name__)
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#: dpkg in the new root syncs no file while debootstrap installs (the root is a throwaway
#: directory until it is imported whole); removed before the import
UNSAFE_IO = "etc/dpkg/dpkg.cfg.d/rfsn-bootstrap-unsafe-io"


def debootstrap_command(base: BaseImage, target: Path, mirror: str) -> list[str]:
    return [
        "debootstrap",
        "--variant=minbase",
        f"--include={','.join(base.debian_packages)}",
        base.debian_release,
        str(target),
        mirror,
    ]


def bootstrappable() -> bool:
    """Whether this process can bootstrap: debootstrap is installed and it runs as root."""
    return shutil.which("debootstrap") is not None and os.geteuid() == 0


def bootstrap(
    client: Any,
    base: BaseImage,
    mirror: str,
    *,
    force: bool = False,
    timeout: float = 1800.0,
    shared: str | None = None,
) -> tuple[str, bool]:
    """Build ``base.bootstrap_tag`` from Debian packages, unless it is here or (without
    ``force``) in the ``shared`` registry (pulled); the caller pushes what it built. Returns
    (tag, built_now)."""
    tag = base.bootstrap_tag
    if not force and (image_exists(client, tag) or registry.pull(client, shared, tag)):
        return tag, False
    if shutil.which("debootstrap") is None:
        raise ImageError("debootstrap is not installed (apt-get install debootstrap)")
    if os.geteuid() != 0:
        raise ImageError("rfsn sandbox bootstrap needs root (debootstrap creates device files)")
    with tempfile.TemporaryDirectory(prefix="rfsn-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        _write(rootfs / UNSAFE_IO, "force-unsafe-io\n")
        log.info("bootstrap.debootstrap", tag=tag, release=base.debian_release)
        try:
            proc = subprocess.run(
                debootstrap_command(base, rootfs, mirror), capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired as exc:
            raise ImageError(f"debootstrap timed out after {timeout:g}s") from exc
        if proc.returncode != 0:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-2:]
            raise ImageError(f"debootstrap {base.debian_release} failed: {' | '.join(tail)}")
        if base.debian_backports:
            _backports(rootfs, base, mirror, timeout)
        for name in base.locales:
            _localedef(rootfs, name)
        _trim(rootfs)
        _import(client, rootfs, tag)
    return tag, True


def _import(client: Any, rootfs: Path, tag: str) -> None:
    """``docker import`` of the tree at ``rootfs`` as the image ``tag``, streamed from tar."""
    log.info("bootstrap.import", tag=tag)
    with subprocess.Popen(
        ["tar", "-C", str(rootfs), "--numeric-owner", "-c", "."], stdout=subprocess.PIPE
    ) as tar:  # closes the pipe, waits for tar
        repository, _, version = tag.partition(":")
        client.api.import_image(
            src=tar.stdout,
            repository=repository,
            tag=version,
            changes=[f"ENV PATH={DEFAULT_PATH}", "ENV LANG=C.UTF-8", 'CMD ["/bin/bash"]'],
            stream_src=True,
        )
    if tar.returncode != 0 or not image_exists(client, tag):
        raise ImageError(f"docker import of {tag} failed")


def localedef_command(rootfs: Path, name: str) -> list[str]:
    """Compile locale ``name`` (``en_US.UTF-8``: source ``en_US``, charmap ``UTF-8``) in ``rootfs``."""
    source, _, charmap = name.partition(".")
    return ["chroot", str(rootfs), "localedef", "-i", source, "-c", "-f", charmap or "UTF-8", name]


def _localedef(rootfs: Path, name: str) -> None:
    proc = subprocess.run(localedef_command(rootfs, name), capture_output=True, text=True, timeout=300)
    if proc.returncode not in (0, 1):  # 1: compiled with warnings (-c)
        raise ImageError(f"localedef {name} failed: {(proc.stdout + proc.stderr).strip()[-300:]}")


def backports_command(rootfs: Path, base: BaseImage, mirror: str) -> list[str]:
    """Install ``base.debian_backports`` in ``rootfs`` from its release's backports suite
    (debootstrap's own ``--extra-suites`` fails to install what it resolved there)."""
    suite = f"{base.debian_release}-backports"
    script = (
        f"echo {shlex.quote(f'deb {mirror} {suite} main')} > /etc/apt/sources.list.d/rfsn-backports.list"
        f" && apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
        f"--no-install-recommends -t {suite} {' '.join(map(shlex.quote, base.debian_backports))}"
        f" && rm /etc/apt/sources.list.d/rfsn-backports.list"
    )
    return ["chroot", str(rootfs), "sh", "-c", script]


def _backports(rootfs: Path, base: BaseImage, mirror: str, timeout: float) -> None:
    try:
        proc = subprocess.run(backports_command(rootfs, base, mirror), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise ImageError(f"installing {', '.join(base.debian_backports)} timed out after {timeout:g}s") from exc
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-2:]
        raise ImageError(f"{base.debian_release}-backports: {' | '.join(tail)}")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(text)


def _trim(rootfs: Path) -> None:
    """Drop what an image never needs: package caches and lists, docs, the build's dpkg option."""
    (rootfs / UNSAFE_IO).unlink(missing_ok=True)
    for sub in ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man"):
        path = rootfs / sub
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir(parents=True, exist_ok=True)
