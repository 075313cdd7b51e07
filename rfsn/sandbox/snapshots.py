"""Setup snapshots: what a sandbox's setup left, kept as an image (SWE-bench's instance image).

A buildpack's setup commands (``pip install -e .``) run in every new sandbox. When the
workspace is a clean checkout, what they leave depends only on a key: the env image, the
commands, the user, the commit (and the tag ``git describe`` finds). The first sandbox with
a key runs the setup, packs what it wrote in the workspace (untracked and ignored files,
tracked files it changed) into a tar in the container's env, and commits the container as
``rfsn/setup:<key>``; later sandboxes start from that image and unpack the tar instead.

A setup that failed or deleted a tracked file, and a workspace with local changes or without
git, are never kept. The image carries rfsn's labels and ``rfsn.setup``
(``docker image prune -a --filter label=rfsn.setup`` removes them all).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rfsn import hostgit
from rfsn.observability.logging import get_logger
from rfsn.observability.metrics import SANDBOX_OPERATION_SECONDS, SANDBOX_OPERATIONS
from rfsn.sandbox import labels, registry
from rfsn.sandbox.layout import ENV_ROOT

REPOSITORY = "rfsn/setup"
LABEL = "rfsn.setup"
HOME_LABEL = "rfsn.home"
#: the workspace's share of the snapshot, inside the image (the env is writable by every user)
ARCHIVE = f"{ENV_ROOT}/.rfsn-setup-workspace.tar"
_LIST = "rfsn-setup-files"
_TIMEOUT = 600.0
log = get_logger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """Where the setup of one (env image, commands, user, commit) is kept, and whether it is."""

    tag: str
    exists: bool
    #: how many workspace files it holds (0: the setup wrote none, or it is not kept yet)
    files: int = 0


def _git(workspace: Path, *args: str) -> str | None:
    done = hostgit.run(None, "-C", str(workspace), *args, text=False)
    return done.stdout.decode("utf-8", "surrogateescape") if done.returncode == 0 else None


#: what a snapshot image is: 2 since its config declares no volumes (those of version 1 cannot
#: start without the mounts of the session that made them)
_FORMAT = 2


def find(
    client: Any,
    image: str,
    commands: Sequence[Sequence[str]],
    workspace: Path,
    user: tuple[int, int],
    shared: str | None = None,
) -> Snapshot | None:
    """The snapshot for this setup (here, or pulled from the ``shared`` registry), or None when
    it cannot be kept (no commands, no git, or a workspace that is not exactly its commit: local
    changes, untracked or ignored files)."""
    if not commands:
        return None
    head = _git(workspace, "rev-parse", "--verify", "HEAD")
    status = _git(workspace, "status", "--porcelain", "--ignored", "--untracked-files=all")
    if head is None or status != "":
        return None
    described = _git(workspace, "describe", "--tags", "--long", "--always") or ""
    payload = json.dumps(
        [_FORMAT, client.images.get(image).id, [list(c) for c in commands], head.strip(), described.strip(), list(user)]
    )
    tag = f"{REPOSITORY}:{hashlib.sha256(payload.encode()).hexdigest()[:20]}"
    if not registry.obtain(client, shared, tag):
        return Snapshot(tag, False)
    kept = client.images.get(tag)
    return Snapshot(tag, True, int(kept.labels.get(f"{LABEL}.files", "0")))


def written(workspace: Path) -> list[str] | None:
    """The paths the setup wrote in the workspace, or None if it deleted or renamed one."""
    status = _git(workspace, "status", "--porcelain", "-z", "--ignored", "--untracked-files=all", "--no-renames")
    if status is None:
        return None
    paths = []
    for entry in filter(None, status.split("\0")):
        code, path = entry[:2], entry[3:]
        if "D" in code:
            return None
        paths.append(path)
    return paths


def store(sandbox: Any, snapshot: Snapshot, home: Path, shared: str | None = None) -> bool:
    """Commit ``sandbox`` (a DockerSandbox whose setup just succeeded) as ``snapshot``, labelled
    with the rfsn ``home`` whose session made it, and push it to the ``shared`` registry."""
    paths = written(sandbox.workspace)
    if paths is None:
        log.info("sandbox.setup_snapshot_skipped", reason="the setup deleted a tracked file")
        return False
    if paths:
        (sandbox.scratch / _LIST).write_bytes("".join(p + "\0" for p in paths).encode("utf-8", "surrogateescape"))
        packed = sandbox.exec(
            ["tar", "-cf", ARCHIVE, "--null", "-T", f"{sandbox.scratch_path}/{_LIST}"], timeout=_TIMEOUT
        )
        (sandbox.scratch / _LIST).unlink(missing_ok=True)
        if packed.exit_code != 0:
            log.warning("sandbox.setup_snapshot_failed", step="tar", output=packed.output[-300:])
            SANDBOX_OPERATIONS.labels("docker", "setup_snapshot", "error").inc()
            return False
    repository, tag = snapshot.tag.split(":")
    started = time.monotonic()
    try:
        sandbox.container.commit(
            repository=repository,
            tag=tag,
            conf={
                "Labels": {
                    **labels.for_session(sandbox.session_id),
                    LABEL: tag,
                    f"{LABEL}.files": str(len(paths)),
                    HOME_LABEL: str(home),
                }
            },
        )
    except Exception as exc:  # the daemon's refusal costs the cache, never the session
        log.warning("sandbox.setup_snapshot_failed", step="commit", error=str(exc)[:300])
        SANDBOX_OPERATIONS.labels("docker", "setup_snapshot", "error").inc()
        return False
    SANDBOX_OPERATIONS.labels("docker", "setup_snapshot", "stored").inc()
    SANDBOX_OPERATION_SECONDS.labels("docker", "setup_snapshot").observe(time.monotonic() - started)
    log.info(
        "sandbox.setup_snapshot_stored",
        image=snapshot.tag,
        files=len(paths),
        seconds=round(time.monotonic() - started, 2),
    )
    registry.push(sandbox.client, shared, snapshot.tag)
    return True


def restore(sandbox: Any, snapshot: Snapshot) -> bool:
    """Unpack the snapshot's workspace files into ``sandbox`` (started from its image)."""
    if snapshot.files:
        unpacked = sandbox.exec(["tar", "-xf", ARCHIVE, "-C", sandbox.workdir], timeout=_TIMEOUT)
        if unpacked.exit_code != 0:
            log.warning("sandbox.setup_snapshot_failed", step="untar", output=unpacked.output[-300:])
            SANDBOX_OPERATIONS.labels("docker", "setup_snapshot", "error").inc()
            return False
    SANDBOX_OPERATIONS.labels("docker", "setup_snapshot", "cached").inc()
    return True
