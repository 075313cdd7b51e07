"""What a session's container starts with besides its image: its limits and lifetime (one
``ContainerSpec``), the mounts that place the working copy at /testbed and the scratch directory
at /rfsn, and the only environment it gets (nothing of the host's: no keys, no tokens).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rfsn.sandbox.confinement import Limits
from rfsn.sandbox.gitview import GitView, submodule_trees
from rfsn.sandbox.layout import CA_PATH, ENV_ROOT, ca_environment

WORKDIR = "/testbed"
SCRATCH = "/rfsn"
#: git's system configuration in the sandbox (which directories it trusts)
GITCONFIG = "/etc/gitconfig"


@dataclass(frozen=True)
class ContainerSpec:
    """A session's container: ``limits``; ``lifetime``: seconds after which it ends and is removed
    by itself, whether or not anything closes it (its owner killed, the daemon unreachable);
    ``ca_bundle``: the host's, mounted at ``CA_PATH`` for pip, git and the rest; ``mounts``: more
    host directories, as ``binds`` takes them; ``env``: the project's own variables (rfsn's win
    over them)."""

    limits: Limits
    lifetime: float = 3600.0
    ca_bundle: Path | None = None
    mounts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)


def binds(volumes: Mapping[str, Mapping[str, str]]) -> list[Any]:
    """``{host: {"bind": target, "mode": "rw"|"ro"}}`` as bind mounts of the container's host
    config only. Given as ``volumes``, each target is also declared a volume of the container's
    own config, which ``docker commit`` copies into the image: a setup snapshot would then need
    a mount at every one (no CA bundle, no borrowed objects: the container cannot be created)
    and get anonymous volumes where there is none."""
    import docker.types

    return [
        docker.types.Mount(target=spec["bind"], source=host, type="bind", read_only=spec["mode"] == "ro")
        for host, spec in volumes.items()
    ]


def mounts_and_env(
    spec: ContainerSpec, workspace: Path, scratch: Path, gitview: Path
) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """The container's bind mounts (as ``binds`` takes them) and its environment: ``workspace``
    at ``WORKDIR``, ``scratch`` at ``SCRATCH``, the history the workspace borrows readable wherever
    its origins live (``gitview``, a directory of this session's where its git configuration goes
    too), the CA bundle, ``spec.mounts``."""
    volumes = {
        str(workspace): {"bind": WORKDIR, "mode": "rw"},
        str(scratch): {"bind": SCRATCH, "mode": "rw"},
    }
    volumes.update(GitView.of(workspace).mounts(workspace, WORKDIR, gitview))
    volumes.update({host: dict(mount) for host, mount in spec.mounts.items()})
    # Only what rfsn sets: nothing of the host's environment (keys, tokens) reaches it.
    environment = {"HOME": "/tmp", "RFSN_ENV": ENV_ROOT}
    # the workspace belongs to the host's user, the commands run as another: git
    # (version-from-tag build backends, tests that call git) must trust it and its
    # submodules; said in the system's config, which tools that clear git's environment
    # variables (setuptools-scm) still read
    trusted = [WORKDIR, *(f"{WORKDIR}/{tree}" for tree in submodule_trees(workspace))]
    gitconfig = gitview / "gitconfig"
    gitconfig.write_text("".join(f"[safe]\n\tdirectory = {path}\n" for path in trusted), encoding="utf-8")
    gitconfig.chmod(0o644)
    volumes[str(gitconfig)] = {"bind": GITCONFIG, "mode": "ro"}
    if spec.ca_bundle is not None:
        volumes[str(spec.ca_bundle)] = {"bind": CA_PATH, "mode": "ro"}
        environment.update(ca_environment())
    return volumes, {**spec.env, **environment}
