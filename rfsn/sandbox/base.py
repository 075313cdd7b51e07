"""The Sandbox protocol: where a session's commands run.

A sandbox owns one working copy for the life of a session. ``workspace`` is
that copy on the host (edits are made there, in place); ``workdir`` is the
same tree as the commands inside the sandbox see it. ``scratch`` is a host
directory that commands see at ``scratch_path``: runners write their
structured reports there and the host reads them without a round trip.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Protocol, runtime_checkable

from rfsn.buildpacks.base import SandboxView


@runtime_checkable
class Sandbox(SandboxView, Protocol):
    """A buildpack's view of a sandbox (exec, workdir, scratch), plus what a session owns."""

    kind: str
    #: why the buildpack's setup (e.g. installing the project) failed, if it did
    setup_failure: str | None
    #: seconds the buildpack's setup commands took when the sandbox opened
    setup_seconds: float
    #: what its environment was built from and why (the recipe's notes), for the report
    environment: tuple[str, ...]

    def share(self) -> None:
        """Let the sandbox's commands write what the host added to the workspace since it
        opened (the folders and files a patch created); a no-op where they run as its owner."""
        ...

    def close(self) -> None:
        """Remove everything the sandbox created. Safe to call twice."""
        ...


def scratch_dir(owner: object, prefix: str) -> Path:
    """A new host directory that goes with ``owner``: removed when ``owner`` is collected or the
    process exits, where its ``close`` did not remove it first."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    weakref.finalize(owner, shutil.rmtree, path, True)
    return path
