"""DockerSandbox: one long-lived container per session, commands run with exec.

The working copy is bind-mounted at /testbed and the scratch directory at
/rfsn. The container has no network. Every command runs under coreutils
``timeout``, which puts it in a process group of its own and kills the whole
group when time is up; the host also stops waiting soon after, as a backstop.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rfsn.errors import DockerUnavailable, SandboxError
from rfsn.models import ExecResult, truncate_output
from rfsn.observability.logging import get_logger
from rfsn.observability.metrics import SANDBOX_OPERATION_SECONDS, SANDBOX_OPERATIONS
from rfsn.sandbox import labels
from rfsn.sandbox.images import CA_PATH, ca_environment

WORKDIR = "/testbed"
SCRATCH = "/rfsn"
KILL_GRACE = 5
_KILL_EXECS = ("for p in $(ps -eo pid=,ppid= | awk '$2 == 0 && $1 != 1 {print $1}'); do "
               '[ "$p" = "$$" ] || kill -9 -- "-$p" "$p" 2>/dev/null; done; true')
log = get_logger(__name__)


def connect(timeout: float = 3600.0) -> Any:
    """A docker client whose daemon answered a ping; DockerUnavailable otherwise."""
    import docker
    import docker.errors

    client = None
    try:
        client = docker.from_env(timeout=int(timeout))
        client.ping()
    except (docker.errors.DockerException, OSError) as exc:
        if client is not None:
            client.close()
        raise DockerUnavailable(f"no Docker daemon answers: {str(exc).splitlines()[0][:200]}") from exc
    return client


def parse_memory(value: str) -> str:
    return value.lower().removesuffix("b")


class DockerSandbox:
    kind = "docker"
    workdir = WORKDIR
    scratch_path = SCRATCH

    def __init__(self, client: Any, image: str, workspace: Path, *, memory: str, cpus: float,
                 pids: int, ca_bundle: Path | None = None, session_id: str | None = None) -> None:
        self.client = client
        self.workspace = workspace
        self.session_id = session_id or uuid.uuid4().hex[:12]
        self.scratch = Path(tempfile.mkdtemp(prefix="rfsn-scratch-"))
        self._closed = False
        volumes = {
            str(workspace): {"bind": WORKDIR, "mode": "rw"},
            str(self.scratch): {"bind": SCRATCH, "mode": "rw"},
        }
        environment = {"HOME": "/tmp", "RFSN_ENV": "/opt/rfsn"}
        if ca_bundle is not None:
            volumes[str(ca_bundle)] = {"bind": CA_PATH, "mode": "ro"}
            environment.update(ca_environment())
        self.name = f"rfsn-{self.session_id}-{uuid.uuid4().hex[:6]}"
        started = time.monotonic()
        try:
            self.container = client.containers.run(
                image, ["sleep", "infinity"], detach=True, init=True, network_mode="none",
                working_dir=WORKDIR, volumes=volumes, environment=environment,
                user=f"{os.getuid()}:{os.getgid()}", labels=labels.for_session(self.session_id),
                mem_limit=parse_memory(memory), memswap_limit=parse_memory(memory),
                nano_cpus=int(cpus * 1e9), pids_limit=pids, name=self.name,
            )
        except BaseException as exc:  # also Ctrl-C/SIGTERM between create and start
            self._remove_scratch()
            self._remove_by_name()
            SANDBOX_OPERATIONS.labels("docker", "create", "error").inc()
            if not isinstance(exc, Exception):
                raise
            raise SandboxError(f"cannot start a container from {image}: {exc}") from exc
        SANDBOX_OPERATIONS.labels("docker", "create", "ok").inc()
        SANDBOX_OPERATION_SECONDS.labels("docker", "create").observe(time.monotonic() - started)
        log.info("sandbox.created", kind="docker", container=self.container.short_id, image=image)

    def exec(self, argv: Sequence[str], *, timeout: float,
             env: Mapping[str, str] | None = None) -> ExecResult:
        import requests.exceptions

        wrapped = ["timeout", "-k", str(KILL_GRACE), f"{timeout:g}s", *argv]
        api = self.client.api
        started = time.monotonic()
        exec_id = api.exec_create(self.container.id, wrapped, workdir=WORKDIR,
                                  environment=dict(env or {}), user=f"{os.getuid()}:{os.getgid()}")
        default_timeout, api.timeout = api.timeout, timeout + KILL_GRACE + 30  # host-side backstop
        try:
            raw = api.exec_start(exec_id, stream=False, demux=False)
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
            self._kill_all()
            raw = b""
        finally:
            api.timeout = default_timeout
        duration = time.monotonic() - started
        exit_code = api.exec_inspect(exec_id).get("ExitCode")
        if exit_code is None:
            exit_code = 137
        timed_out = exit_code in (124, 137) and duration >= timeout
        SANDBOX_OPERATIONS.labels("docker", "exec", "timeout" if timed_out else "ok").inc()
        return ExecResult(argv=list(argv), exit_code=exit_code, duration=duration,
                          output=truncate_output((raw or b"").decode("utf-8", "replace")),
                          timed_out=timed_out)

    def _kill_all(self) -> None:
        """Backstop when the host gave up waiting: kill every exec'd process group.

        Exec'd processes are the ones whose parent is outside the container
        (ppid 0); init (pid 1) and its ``sleep infinity`` are left alone.
        """
        self.container.exec_run(["sh", "-c", _KILL_EXECS], user="0")

    def _remove_by_name(self) -> None:
        import docker.errors

        try:
            self.client.containers.get(self.name).remove(force=True, v=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:  # the daemon may be gone; prune cleans up later
            log.warning("sandbox.remove_failed", container=self.name, error=str(exc))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.container.remove(force=True, v=True)
            SANDBOX_OPERATIONS.labels("docker", "remove", "ok").inc()
        except Exception as exc:  # the daemon may be gone; prune cleans up later
            SANDBOX_OPERATIONS.labels("docker", "remove", "error").inc()
            log.warning("sandbox.remove_failed", container=self.container.short_id, error=str(exc))
        self._remove_scratch()
        self.client.close()
        log.info("sandbox.closed", kind="docker", container=self.container.short_id)

    def _remove_scratch(self) -> None:
        import shutil

        shutil.rmtree(self.scratch, ignore_errors=True)


@dataclass(frozen=True)
class Managed:
    """A container rfsn created, as listed (no inspect: it may be gone a moment later)."""

    id: str
    name: str
    labels: dict[str, str]


def managed(client: Any) -> list[Managed]:
    """Every container carrying rfsn's label, from one sparse list call."""
    return [Managed(c.id, (c.attrs.get("Names") or [c.id[:12]])[0].lstrip("/"),
                    c.attrs.get("Labels") or {})
            for c in client.containers.list(all=True, sparse=True, filters={"label": labels.MANAGED})]


def prune(client: Any, everything: bool = False) -> list[str]:
    """Remove rfsn containers whose owning process is gone (or all of them)."""
    import docker.errors

    removed = []
    for container in managed(client):
        if everything or not labels.owner_alive(container.labels):
            try:
                client.api.remove_container(container.id, force=True, v=True)
            except docker.errors.NotFound:
                continue  # its owner removed it meanwhile
            removed.append(container.name)
    return removed
