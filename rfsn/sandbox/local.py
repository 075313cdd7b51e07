"""LocalSandbox: the same interface with host subprocesses. Code runs UNSANDBOXED.

The working copy is used in place; each command runs in a new session (its
own process group), which is killed whole on timeout. Memory is limited with
RLIMIT_AS. The environment (e.g. a virtualenv) is built once per recipe under
the cache directory by running the recipe's steps with ``$RFSN_ENV`` set.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import shutil
import signal
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from rfsn.buildpacks.base import INTERRUPT_GRACE, INTERRUPTS, EnvRecipe
from rfsn.errors import SandboxError
from rfsn.fsutil import held
from rfsn.models import ExecResult, truncate_output
from rfsn.observability.logging import get_logger
from rfsn.observability.metrics import SANDBOX_OPERATIONS
from rfsn.sandbox.base import scratch_dir
from rfsn.sandbox.sourcetree import source_tree
from rfsn.settings.values import parse_bytes

log = get_logger(__name__)


def host_environment() -> dict[str, str]:
    """The host's variables without credentials for model APIs: code under test never sees them."""
    return {
        k: v for k, v in os.environ.items() if not (k.endswith("_API_KEY") or k.startswith(("ANTHROPIC_", "OPENAI_")))
    }


def expand(value: str, env_dir: Path) -> str:
    return value.replace("$RFSN_ENV", str(env_dir))


def ensure_env_dir(recipe: EnvRecipe, root: Path, timeout: float, checkout: Path | None = None) -> Path:
    """Build the recipe's environment under ``root/<key>`` once; later calls reuse it
    (``checkout`` holds the commit ``recipe.source`` names, when it names one)."""
    env_dir = root / recipe.key()
    ready = env_dir / ".rfsn-ready"
    with held(root / f"{recipe.key()}.lock"):
        if ready.exists():
            return env_dir
        if recipe.python_archive:
            raise SandboxError("a Python from an archive (RFSN_PYTHON_ARCHIVES) runs only in the Docker sandbox")
        shutil.rmtree(env_dir, ignore_errors=True)
        (env_dir / "files").mkdir(parents=True)
        for name, text in recipe.files:
            (env_dir / "files" / name).parent.mkdir(parents=True, exist_ok=True)
            (env_dir / "files" / name).write_text(text, encoding="utf-8")
        if recipe.source:
            with tarfile.open(fileobj=io.BytesIO(source_tree(checkout, recipe.source))) as tree:
                tree.extractall(env_dir, filter="data")
        step_env = {**host_environment(), "RFSN_ENV": str(env_dir)}
        step_env.update({k: expand(v, env_dir) for k, v in recipe.env})
        for step in recipe.steps:
            log.info("local_env.step", step=step[:120])
            proc = subprocess.run(
                ["bash", "-c", f"set -e; {step}"], capture_output=True, text=True, env=step_env, timeout=timeout
            )
            if proc.returncode != 0:
                tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
                raise SandboxError(f"environment step failed: {step[:80]} | {' | '.join(tail)}")
        ready.touch()
    return env_dir


class LocalSandbox:
    kind = "local"
    setup_failure: str | None = None
    setup_seconds: float = 0.0
    environment: tuple[str, ...] = ()

    def __init__(self, workspace: Path, env_dir: Path | None, recipe_env: Mapping[str, str], memory: str) -> None:
        self.workspace = workspace
        self.workdir = str(workspace)
        self.scratch = scratch_dir(self, "rfsn-scratch-")
        self.scratch_path = str(self.scratch)
        self.run_tmp = str(self.scratch / "run-tmp")
        self._memory = parse_bytes(memory)
        self._env = {**host_environment(), "RFSN_ENV": str(env_dir or "")}
        for key, value in recipe_env.items():
            self._env[key] = expand(value, env_dir) if env_dir else value

    def _limits(self) -> None:
        """In the child before it runs: its memory limit, and Ctrl-C's default action, which a
        parent started in the background (a non-interactive shell's ``&``) passes on as ignored,
        so that the command's ``_interrupt`` is not lost on it."""
        resource.setrlimit(resource.RLIMIT_AS, (self._memory, self._memory))
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    def exec(
        self, argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None, own_tmp: bool = False
    ) -> ExecResult:
        if own_tmp:  # the same name in every run, as in Docker (see OWN_TMP there)
            tmp = Path(self.run_tmp)
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            try:
                return self.exec(argv, timeout=timeout, env={**(env or {}), "TMPDIR": str(tmp)})
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        # Output goes to a file, not a pipe: a background child that keeps the pipe
        # open must not keep us waiting once the command itself has exited.
        started = time.monotonic()
        with tempfile.TemporaryFile() as out:
            try:
                proc = subprocess.Popen(
                    list(argv),
                    cwd=self.workspace,
                    env={**self._env, **(env or {})},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                    preexec_fn=self._limits,
                )
            except OSError as exc:
                return ExecResult(argv=list(argv), exit_code=127, duration=0.0, output=f"{argv[0]}: {exc.strerror}")
            timed_out = False
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                _interrupt(proc)
            finally:  # also on Ctrl-C: nothing of the command's group outlives it
                _kill_group(proc.pid)
                proc.wait()
            out.seek(0)
            raw = out.read()
        SANDBOX_OPERATIONS.labels("local", "exec", "timeout" if timed_out else "ok").inc()
        # a command killed by a signal ends as 128+N, as in Docker (where a shell reports it)
        code = 128 - proc.returncode if proc.returncode < 0 else proc.returncode
        return ExecResult(
            argv=list(argv),
            exit_code=code,
            timed_out=timed_out,
            output=truncate_output(raw.decode("utf-8", "replace")),
            duration=time.monotonic() - started,
        )

    def share(self) -> None:
        """Commands run as the workspace's owner: nothing to share."""

    def close(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)


def _interrupt(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT to the command's group, as Ctrl-C, ``INTERRUPTS`` times: a test runner stopped so
    still writes the report of the tests it finished (pytest's junit); SIGKILL follows (``_kill_group``)."""
    for _ in range(INTERRUPTS):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=INTERRUPT_GRACE)
            return


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
        os.killpg(pgid, signal.SIGKILL)
