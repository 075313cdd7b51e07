"""A base image of a few megabytes for tests of image mechanics (build, push, pull, snapshot) that
run no runtime: the shell and the tools a sandbox and an env build call, with the libraries they
link, copied from the Python base. It pushes and pulls in a fraction of the time the Python base
takes; a test that runs a project needs the real base."""

from __future__ import annotations

import hashlib
import io
import uuid
from typing import Any

from rfsn.buildpacks.base import BaseImage
from rfsn.buildpacks.python.buildpack import PythonBuildpack

#: what a build step (``sh``, ``timeout``, ``mkdir``, ``chmod``, ``find``) and a sandbox (``sleep``, its
#: exec wrapper, ``cat``, the backstop's ``ps``/``awk``/``kill``, the setup snapshot's ``tar``) run
TOOLS = ("sh", "sleep", "timeout", "cat", "mkdir", "chmod", "find", "rm", "ps", "awk", "kill", "echo", "ls", "tar")


def dockerfile(source: str) -> str:
    """Each of ``TOOLS`` the image ``source`` has (a slim one lacks ``ps``), with its libraries."""
    copy = (
        "mkdir -p /tiny/bin /tiny/tmp && chmod 1777 /tiny/tmp && for tool in "
        + " ".join(TOOLS)
        + "; do path=$(command -v $tool) "
        '&& cp -L "$path" /tiny/bin/$tool && { ldd "$path" || true; } | grep -o "/[^ ]*" '
        "| xargs -r cp --parents -L -t /tiny; done; true"
    )
    return f"FROM {source} AS full\nRUN {copy}\nFROM scratch\nCOPY --from=full /tiny/ /\n"


def base(source: str) -> BaseImage:
    """The BaseImage of the tiny base made from ``source``: its tag is the hash of its Dockerfile."""
    return BaseImage(
        runtime="tiny",
        version=hashlib.sha256(dockerfile(source).encode()).hexdigest()[:12],
        registry_image="rfsn-none/tiny:1",
        debian_release="bookworm",
        debian_packages=TOOLS,
    )


def _source(client: Any) -> str:
    """The Python base the env images of this host build on."""
    from rfsn.sandbox.images import resolve_base
    from rfsn.settings import Settings

    return resolve_base(client, PythonBuildpack.default_base, Settings().base_image_source)


def ensure(client: Any) -> BaseImage:
    """The tiny base, built here from the Python base unless it exists."""
    from rfsn.sandbox.registry import image_exists

    source = _source(client)
    tiny = base(source)
    if not image_exists(client, tiny.bootstrap_tag):
        client.images.build(
            fileobj=io.BytesIO(dockerfile(source).encode()), tag=tiny.bootstrap_tag, rm=True, forcerm=True
        )
    return tiny


def fresh(client: Any) -> BaseImage:
    """A base no registry has seen: the tiny image under a new tag, for the caller to remove."""
    tiny = ensure(client)
    other = tiny.model_copy(update={"version": uuid.uuid4().hex[:12]})
    repository, _, version = other.bootstrap_tag.rpartition(":")
    client.images.get(tiny.bootstrap_tag).tag(repository, version)
    return other
