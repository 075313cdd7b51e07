"""The build of the sources a project's tests import, run before each test run (``RebuildCapable``).

A patch to ``src/`` reaches the ``dist/`` the tests run only if the build runs again; where the
tree as it is then does not build, no test runs on it, as ``npm test`` stops at a failing
``pretest``: a run of a tree that does not build must not be judged on an earlier tree's build.
A tree unchanged since the sandbox last built it is not built again (``fingerprint``).
"""

from __future__ import annotations

import hashlib
import os
import weakref
from collections.abc import Sequence
from pathlib import Path

from rfsn import hostgit
from rfsn.buildpacks.base import Buildpack, SandboxView
from rfsn.buildpacks.parts import parts
from rfsn.models import TestReport, TestStatus
from rfsn.observability.logging import get_logger

log = get_logger(__name__)
#: sandbox -> the fingerprint of its workspace when its build last succeeded
_BUILT: weakref.WeakKeyDictionary[SandboxView, str] = weakref.WeakKeyDictionary()


def fingerprint(workspace: Path) -> str | None:
    """The sources as a build reads them: each file git tracks or would add (what ``.gitignore``
    leaves out, the build's outputs, is not one), with its size and modification time; None
    where the workspace is not a git repository (then every run builds)."""
    listed = hostgit.run(
        None, "-C", str(workspace), "ls-files", "-z", "--cached", "--others", "--exclude-standard", text=False
    )
    if listed.returncode != 0:
        return None
    digest = hashlib.sha256()
    for name in sorted(set(filter(None, listed.stdout.decode("utf-8", "surrogateescape").split("\0")))):
        try:
            stat = os.lstat(workspace / name)
            digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))
        except OSError:
            digest.update(f"{name}\0gone\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def rebuilt(
    sandbox: SandboxView, buildpack: Buildpack, tests: Sequence[str], timeout: float
) -> tuple[float, TestReport | None]:
    """The run's timeout less the seconds the build took, and the report of the run when the
    tree does not build (``tests`` errored, the build's failure as the reason; else None)."""
    builder = parts(buildpack).environment.rebuild
    if builder is None:
        return timeout, None
    tree = fingerprint(sandbox.workspace)
    if tree is not None and _BUILT.get(sandbox) == tree:
        log.info("tests.rebuilt", seconds=0, skipped="the tree is unchanged since its last build")
        return timeout, None
    built, broken = builder.rebuild(sandbox, timeout)
    log.info("tests.rebuilt", seconds=round(built, 3), broken=broken)
    if not broken:
        after = fingerprint(sandbox.workspace)  # what the build itself wrote of the tree is its own
        if after is not None:
            _BUILT[sandbox] = after
        return max(timeout - built, 1.0), None
    errored = dict.fromkeys(tests, TestStatus.ERROR)
    return timeout, TestReport(tests=errored, exit_code=1, duration=built, log=broken, reason=broken)
