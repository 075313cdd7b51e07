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

#: what a build step (``sh``, ``timeout``, ``mkdir``, ``chmod``) and a sandbox (``sleep``, its
#: exec wrapper, ``cat``, the backstop's ``ps``/``awk``/``kill``, the setup snapshot's ``tar``) run
TOOLS = ("sh", "sleep", "timeout", "cat", "mkdir", "chmod", "rm", "ps", "awk", "kill", "echo", "ls", "tar")


def dockerfile(source: str) -> str:
    copy = ('mkdir -p /tiny/bin /tiny/tmp && chmod 1777 /tiny/tmp && for tool in ' + " ".join(TOOLS)
            + '; do path=$(command -v $tool) '
            '&& cp -L "$path" /tiny/bin/$tool && { ldd "$path" || true; } | grep -o "/[^ ]*" '
            '| xargs -r cp --parents -L -t /tiny; done')
    return f"FROM {source} AS full\nRUN {copy}\nFROM scratch\nCOPY --from=full /tiny/ /\n"


def base(version: str = "") -> BaseImage:
    """The tiny base's BaseImage (``version``: another tag of the same image, for a test that
    needs a base no registry has seen)."""
    made = dockerfile(PythonBuildpack.default_base.bootstrap_tag)
    return BaseImage(runtime="tiny", version=version or hashlib.sha256(made.encode()).hexdigest()[:12],
                     registry_image="rfsn-none/tiny:1", debian_release="bookworm", debian_packages=TOOLS)


def ensure(client: Any) -> BaseImage:
    """The tiny base, built here from the Python base unless it exists."""
    from rfsn.sandbox.registry import image_exists

    tiny = base()
    if not image_exists(client, tiny.bootstrap_tag):
        made = dockerfile(PythonBuildpack.default_base.bootstrap_tag).encode()
        client.images.build(fileobj=io.BytesIO(made), tag=tiny.bootstrap_tag, rm=True, forcerm=True)
    return tiny


def fresh(client: Any) -> BaseImage:
    """A base no registry has seen: the tiny image under a new tag, for the caller to remove."""
    tiny, other = ensure(client), base(uuid.uuid4().hex[:12])
    repository, _, version = other.bootstrap_tag.rpartition(":")
    client.images.get(tiny.bootstrap_tag).tag(repository, version)
    return other
