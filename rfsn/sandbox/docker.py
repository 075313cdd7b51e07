"""DockerSandbox: one container per session, commands run with exec; it ends (and is removed)
by itself after its lifetime, whether or not anything removes it.

The working copy is bind-mounted at /testbed and the scratch directory at
/rfsn (``container``). The container is hardened (``confinement``, docs/security.md): no network, every
capability dropped, ``no-new-privileges``, an unprivileged user (never root,
even when rfsn runs as root) who can write only /testbed, the scratch
directory, size-limited tmpfs mounts over the system's world-writable
directories, and the env at /opt/rfsn (copy-on-write in the container's own
layer, so a session's installs vanish with it), memory/CPU/pids limits, and
only the environment rfsn sets. Every command runs
under coreutils ``timeout`` (``SUPERVISED``), which puts it in a process group of its own,
interrupts the whole group when time is up (twice, ``INTERRUPTS``) and kills it after; the host
also stops waiting soon after, as a backstop. Output is streamed and capped: only its head and tail are kept.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rfsn.buildpacks.base import INTERRUPT_GRACE, INTERRUPTS
from rfsn.errors import SandboxError
from rfsn.models import ExecResult
from rfsn.observability.logging import get_logger
from rfsn.observability.metrics import SANDBOX_OPERATION_SECONDS, SANDBOX_OPERATIONS
from rfsn.sandbox import labels, live
from rfsn.sandbox.base import scratch_dir
from rfsn.sandbox.confinement import confined, open_to, sandbox_user
from rfsn.sandbox.container import SCRATCH, WORKDIR, ContainerSpec, binds, mounts_and_env
from rfsn.sandbox.output import Lines, capped

#: a command with an empty temporary directory of its own in /tmp (the tmpfs), removed after it.
#: Its name is the same in every run (the runs of a session are one at a time): a path in a test's
#: output reaches a model's prompt, and a replayed session must send the same prompts.
RUN_TMP = "/tmp/rfsn-run"
_CLEAR = f"chmod -R u+rwx {RUN_TMP} 2>/dev/null; rm -rf {RUN_TMP}"
OWN_TMP = (
    "sh",
    "-c",
    # the trap (not an ignore, which the command would inherit): at SIGINT the shell waits for the
    # command to write its report and end, then clears
    f'trap : INT; {_CLEAR}; mkdir {RUN_TMP} && export TMPDIR={RUN_TMP}; "$@"; status=$?; {_CLEAR}; exit $status',
    "sh",
)
#: ``sh -c SUPERVISED sh LIMIT GRACE INTERRUPTS argv...``: ``timeout`` sends SIGINT to the command's
#: group at LIMIT and SIGKILL INTERRUPTS x GRACE later, and forwards no second SIGINT (it ignores the
#: signal once it sent it): a watcher beside it sends the further ones, GRACE apart; a watcher stopped
#: before its trap is set leaves no "Terminated" of the shell's in the command's output
SUPERVISED = (
    't=$1 g=$2 n=$3; shift 3; timeout -s INT -k $((g * n)) "$t" "$@" & p=$!; '
    "(trap 'kill $s; exit' TERM; i=1; sleep \"$t\" & s=$!; wait $s; "
    'while [ $i -lt $n ]; do sleep "$g" & s=$!; wait $s; kill -s INT -- "-$p"; i=$((i + 1)); done) '
    ">/dev/null 2>&1 & w=$!; wait $p; c=$?; kill $w 2>/dev/null; wait $w 2>/dev/null; exit $c"
)
#: every exec'd process (its parent is outside the container: ppid 0) and the group of each, and the
#: group of each of their children (``SUPERVISED``'s ``timeout`` leads one of its own)
_KILL_EXECS = (
    "t=$(ps -eo pid=,ppid= | awk '$2 == 0 && $1 != 1 {print $1}'); "
    'for p in $t $(ps -eo pid=,ppid= | awk -v t=" $(echo $t) " \'index(t, " " $2 " ") {print $1}\'); do '
    '[ "$p" = "$$" ] || kill -9 -- "-$p" "$p" 2>/dev/null; done; true'
)
log = get_logger(__name__)


class DockerSandbox:
    kind = "docker"
    setup_failure: str | None = None
    setup_seconds: float = 0.0
    environment: tuple[str, ...] = ()
    workdir = WORKDIR
    scratch_path = SCRATCH
    run_tmp = RUN_TMP

    def __init__(
        self, client: Any, image: str, workspace: Path, spec: ContainerSpec, session_id: str | None = None
    ) -> None:
        """A container of ``image`` as ``spec`` says, ``workspace`` mounted at ``WORKDIR``."""
        self.client = client
        self.workspace = workspace
        self.spec = spec
        self.session_id = session_id or uuid.uuid4().hex[:12]
        self.scratch = scratch_dir(self, "rfsn-scratch-")
        self.gitview = scratch_dir(self, "rfsn-git-")
        self.gitview.chmod(0o755)
        self._closed = False
        self.uid, self.gid = sandbox_user()
        if self.uid != os.getuid():
            os.chown(self.scratch, self.uid, self.gid)
            open_to(workspace, self.uid, self.gid)
        self.name = f"rfsn-{self.session_id}-{uuid.uuid4().hex[:6]}"
        self._start(image, *mounts_and_env(spec, workspace, self.scratch, self.gitview))

    def _start(self, image: str, volumes: Mapping[str, Mapping[str, str]], environment: dict[str, str]) -> None:
        """Start the container, confined (``confinement.confined``) within its limits."""
        started = time.monotonic()
        try:
            # SIGINT/SIGTERM wait until the daemon has answered and the container is
            # registered (see rfsn.sandbox.live): a pending one is raised as the block ends
            with live.signals_held():
                self.container = self.client.containers.run(
                    image,
                    ["sleep", f"{math.ceil(self.spec.lifetime)}"],
                    detach=True,
                    init=True,
                    auto_remove=True,
                    working_dir=WORKDIR,
                    mounts=binds(volumes),
                    environment=environment,
                    labels=labels.for_session(self.session_id),
                    name=self.name,
                    **confined(self.uid, self.gid, self.spec.limits),
                )
                live.register(id(self), self.close)
        except BaseException as exc:  # also Ctrl-C/SIGTERM between create and start
            with live.signals_held():  # a second signal must not cut the removal short
                self._remove_by_name()
                live.unregister(id(self))
                self._remove_scratch()
            SANDBOX_OPERATIONS.labels("docker", "create", "error").inc()
            if not isinstance(exc, Exception):
                raise
            raise SandboxError(f"cannot start a container from {image}: {exc}") from exc
        SANDBOX_OPERATIONS.labels("docker", "create", "ok").inc()
        SANDBOX_OPERATION_SECONDS.labels("docker", "create").observe(time.monotonic() - started)
        log.info("sandbox.created", kind="docker", container=self.container.short_id, image=image)

    def exec(
        self, argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None, own_tmp: bool = False
    ) -> ExecResult:
        """Run ``argv``; SandboxError when the daemon stops answering or the container is gone."""
        import docker.errors
        import requests.exceptions

        try:
            return self._exec(argv, timeout, env, own_tmp)
        except (requests.exceptions.ConnectionError, docker.errors.DockerException) as exc:
            SANDBOX_OPERATIONS.labels("docker", "exec", "error").inc()
            detail = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            raise SandboxError(
                f"the Docker daemon stopped answering (or the container is gone) while running {argv[0]!r}: {detail}"
            ) from exc

    def _exec(
        self, argv: Sequence[str], timeout: float, env: Mapping[str, str] | None, own_tmp: bool = False
    ) -> ExecResult:
        import requests.exceptions

        limit = [f"{timeout:g}s", str(INTERRUPT_GRACE), str(INTERRUPTS)]
        wrapped = ["sh", "-c", SUPERVISED, "sh", *limit, *(OWN_TMP if own_tmp else ()), *argv]
        api = self.client.api
        started = time.monotonic()
        exec_id = api.exec_create(
            self.container.id, wrapped, workdir=WORKDIR, environment=dict(env or {}), user=f"{self.uid}:{self.gid}"
        )
        backstop = timeout + INTERRUPT_GRACE * INTERRUPTS + 30  # the host stops waiting after this
        output, overran = "", False
        try:
            output, overran = self._read(exec_id, deadline=started + backstop)
        except (requests.exceptions.RequestException, OSError):
            overran = True
        if overran:
            self._kill_all()
        duration = time.monotonic() - started
        exit_code = api.exec_inspect(exec_id).get("ExitCode")
        if exit_code is None:
            exit_code = 137
        timed_out = overran or (exit_code in (124, 137) and duration >= timeout)
        SANDBOX_OPERATIONS.labels("docker", "exec", "timeout" if timed_out else "ok").inc()
        return ExecResult(argv=list(argv), exit_code=exit_code, duration=duration, output=output, timed_out=timed_out)

    def _read(self, exec_id: str, deadline: float) -> tuple[str, bool]:
        """Start the exec and read its output, capped, closing the socket however it ends."""
        from docker.utils.socket import frames_iter

        sock = self.client.api.exec_start(exec_id, socket=True)
        raw = getattr(sock, "_sock", None)
        # the read may wait past the client's timeout for output (a quiet test): this socket's
        # own, not the client's, which another thread's exec shares (a warm runner starting)
        with contextlib.suppress(AttributeError, OSError):
            (raw or sock).settimeout(max(1.0, deadline - time.monotonic()))
        lines = Lines()
        try:
            text, overran = capped(
                (lines.feed(stream, data) for stream, data in frames_iter(sock, tty=False)), deadline=deadline
            )
            return text + lines.rest().decode("utf-8", "replace"), overran
        finally:
            sock.close()
            if raw is not None:
                raw.close()

    def withhold(self, path: str) -> None:
        """Remove ``path`` (of the image) from this container, as root, before anything runs in it."""
        code, output = self.container.exec_run(["rm", "-rf", "--", path], user="0")
        if code != 0:
            raise SandboxError(f"cannot remove {path} from the sandbox: {output.decode(errors='replace')[-200:]}")

    def _kill_all(self) -> None:
        """Backstop when the host gave up waiting: kill every exec'd process group.

        Exec'd processes are the ones whose parent is outside the container
        (ppid 0), and the children they started (``SUPERVISED``'s ``timeout``);
        init (pid 1) and its ``sleep`` are left alone.
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

    def share(self) -> None:
        open_to(self.workspace, self.uid, self.gid)

    def close(self) -> None:
        with live.signals_held():  # a removal cut short may leave the container
            if self._closed:
                return
            self._closed = True
            try:
                self.container.remove(force=True, v=True)
                SANDBOX_OPERATIONS.labels("docker", "remove", "ok").inc()
            except Exception as exc:  # the daemon may be gone; prune cleans up later
                status = getattr(exc, "status_code", None)  # 404: its auto-removal finished first
                if not (status == 404 or (status == 409 and self._gone())):
                    SANDBOX_OPERATIONS.labels("docker", "remove", "error").inc()
                    log.warning("sandbox.remove_failed", container=self.container.short_id, error=str(exc))
            finally:
                live.unregister(id(self))
        self._remove_scratch()
        self.client.close()
        log.info("sandbox.closed", kind="docker", container=self.container.short_id)

    def _gone(self) -> bool:
        """Whether the container is gone once a removal already under way ends (its auto-removal
        raced ours, and the daemon answered 409): closed means gone, not going."""
        try:
            self.container.wait(condition="removed", timeout=60)
        except Exception as exc:
            return getattr(exc, "status_code", None) == 404  # removed before the wait began
        return True

    def _remove_scratch(self) -> None:
        import shutil

        shutil.rmtree(self.scratch, ignore_errors=True)
        shutil.rmtree(self.gitview, ignore_errors=True)
