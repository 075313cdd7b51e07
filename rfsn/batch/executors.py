"""Executors: where instances run. Local worker processes (default) or Ray tasks.

Both yield ``(task, result or exception)`` as tasks finish, in completion order. Worker
functions catch their own per-instance failures; an exception here means the worker itself
died (or Ray lost the task).

Local workers are spawned processes that die with their parent (PR_SET_PDEATHSIG sends them
SIGTERM, which closes their sandboxes); ``rfsn sandbox prune`` removes what a SIGKILLed worker
left. ``ray`` is imported only when chosen. A Ray task may run on a node that shares nothing
with the driver: it returns its outputs (``Shipped.outputs``) with its result, and the driver
writes them in place (``rfsn.batch.bundle``). A task whose node dies runs again (tasks are
idempotent); its containers there are removed by that node's next rfsn process.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing.context import SpawnContext
from multiprocessing.queues import SimpleQueue
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from rfsn.batch import bundle
from rfsn.errors import ConfigError, SandboxError
from rfsn.observability import logging as rlog
from rfsn.observability.metrics import MULTIPROC_VARIABLE
from rfsn.sandbox import daemon, labels, live

T = TypeVar("T")
R = TypeVar("R")
_PR_SET_PDEATHSIG = 1


#: times Ray runs a task again whose worker or node died (never one that raised)
RAY_RETRIES = 3


@runtime_checkable
class Shipped(Protocol):
    """A task whose outputs can be written on another node and carried back."""

    @property
    def outputs(self) -> Path:
        """The directory of this task's outputs, at the driver; the task owns it whole."""
        ...

    def elsewhere(self, root: Path, *, node_home: bool) -> Shipped:
        """This task writing its outputs under ``root`` (``outputs`` is there), with the
        node's own rfsn home (its ``RFSN_HOME``) when ``node_home``."""
        ...


def node_settings(settings: dict[str, Any], node_home: bool) -> dict[str, Any]:
    """The settings a task takes to a node: without the driver's home when the node keeps its
    own (its caches, locks and the sandboxes' bind mounts are that node's)."""
    return {k: v for k, v in settings.items() if k != "home"} if node_home else settings


class Executor(Protocol):
    def map_unordered(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[tuple[T, R | BaseException]]: ...


@dataclass(frozen=True)
class LogSetup:
    """How workers log: the parent's console level and JSON-lines file (``-v``, ``--log-file``)."""

    level: str = "warning"
    json_file: Path | None = None

    def apply(self) -> None:
        rlog.configure(level=self.level, json_file=self.json_file)


class Terminated(BaseException):
    """Raised in a worker on SIGTERM: unwinds the task (closing its sandbox), then the
    worker exits. A BaseException, so that per-instance ``except Exception`` lets it by."""


#: seconds a terminated worker has to unwind before it is ended the hard way
UNWIND_SECONDS = 20.0


_terminating = threading.Event()


def _on_term(signum: int, frame: object) -> None:
    """The first SIGTERM unwinds the task; a later one (the pool ends its other workers when
    one exits) must not cut that unwinding short, and removing a container with it."""
    if _terminating.is_set():
        return
    _terminating.set()
    timer = threading.Timer(UNWIND_SECONDS, os._exit, (128 + signum,))
    timer.daemon = True
    timer.start()  # whatever swallows the exception, the worker still ends
    raise Terminated()


def _call(fn: Callable[[T], R], task: T) -> R:
    """Runs in a worker: a terminated task ends the worker, not just the task."""
    try:
        return fn(task)
    except Terminated:
        live.close_all()  # a sandbox the unwinding did not reach (os._exit skips atexit)
        os._exit(143)


def _worker_init(parent: int, logs: LogSetup, started: SimpleQueue[int]) -> None:
    """Runs in each worker: die with the parent, clean up on SIGTERM, say it ``started``, log
    quietly."""
    signal.signal(signal.SIGTERM, _on_term)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    # not Linux: no prctl; workers then notice the broken pipe instead
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    started.put(os.getpid())  # after its handlers: a worker the parent knows of unwinds on SIGTERM
    logs.apply()


class _Workers:
    """The worker processes a pool started, as each says from its initializer (the pool keeps
    its own list private)."""

    def __init__(self, context: SpawnContext) -> None:
        self.started: SimpleQueue[int] = context.SimpleQueue()
        self._pids: set[int] = set()

    def terminate(self) -> None:
        """SIGTERM to each that is still running: it unwinds its task, closing its sandbox."""
        while not self.started.empty():
            self._pids.add(self.started.get())
        for process in multiprocessing.active_children():  # never a pid that ended and was reused
            if process.pid in self._pids:
                with contextlib.suppress(OSError):
                    os.kill(process.pid, signal.SIGTERM)


def _shipped(logs: LogSetup, fn: Callable[[Any], R], task: Shipped, node_home: bool) -> tuple[R, bytes]:
    """Runs in a Ray worker: log as the parent asked, run the task with its outputs on this
    node, return the result and the outputs packed."""
    logs.apply()
    with tempfile.TemporaryDirectory(prefix="rfsn-task-") as root:
        here = task.elsewhere(Path(root), node_home=node_home)
        result = fn(here)
        return result, bundle.pack(here.outputs)


class LocalExecutor:
    """``workers`` spawned processes; one worker runs tasks in this process."""

    def __init__(self, workers: int = 1, logs: LogSetup | None = None) -> None:
        self.workers = max(1, workers)
        self.logs = logs or LogSetup()

    def map_unordered(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[tuple[T, R | BaseException]]:
        if self.workers == 1:
            for task in tasks:
                try:
                    yield task, fn(task)
                except Exception as exc:
                    yield task, exc
            return
        context = multiprocessing.get_context("spawn")
        workers = _Workers(context)
        pool = ProcessPoolExecutor(
            max_workers=min(self.workers, max(1, len(tasks))),
            mp_context=context,
            initializer=_worker_init,
            initargs=(os.getpid(), self.logs, workers.started),
        )
        pending: dict[Future[R], T] = {}
        try:
            pending.update({pool.submit(_call, fn, t): t for t in tasks})
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    task = pending.pop(future)
                    try:
                        yield task, future.result()
                    except Exception as exc:  # BrokenProcessPool and what a worker raised
                        yield task, exc
        finally:
            if pending:  # stopped early (a signal): the workers unwind, closing their sandboxes
                workers.terminate()
            pool.shutdown(wait=True, cancel_futures=True)
            workers.started.close()


class RayExecutor:
    """Each instance a Ray task (one CPU each); a local Ray instance unless an address is given.
    Tasks are ``Shipped``: their outputs reach the driver only with their result; on a cluster
    (an address) each node uses its own rfsn home."""

    def __init__(self, workers: int = 1, address: str | None = None, logs: LogSetup | None = None) -> None:
        self.workers = max(1, workers)
        self.address = address
        self.logs = logs or LogSetup()

    def _init(self) -> tuple[Any, bool]:
        """The ray module, and whether this call started Ray (and so must stop it)."""
        try:
            import ray
        except ImportError as exc:
            raise ConfigError("--executor ray needs Ray: pip install 'rfsn[ray]'") from exc
        if ray.is_initialized():
            return ray, False
        if self.address:
            ray.init(address=self.address, log_to_driver=False)
        else:
            # workers on this machine count into the metrics endpoint's files, as local workers do
            env = {labels.RUN_VARIABLE: labels.run()}  # its workers' containers carry this run
            if shared := os.environ.get(MULTIPROC_VARIABLE):
                env[MULTIPROC_VARIABLE] = shared
            ray.init(num_cpus=self.workers, include_dashboard=False, log_to_driver=False, runtime_env={"env_vars": env})
        return ray, True

    def map_unordered(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[tuple[T, R | BaseException]]:
        shipped = [t for t in tasks if isinstance(t, Shipped)]
        if len(shipped) < len(tasks):
            raise TypeError("a Ray task must be Shipped: its outputs come back with its result")
        ray, started = self._init()
        remote = ray.remote(num_cpus=1, max_retries=RAY_RETRIES, retry_exceptions=False)(_shipped)
        pending = {remote.remote(self.logs, fn, t, bool(self.address)): t for t in tasks}
        try:
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    task = pending.pop(ref)
                    try:
                        result, packed = ray.get(ref)
                        bundle.unpack(packed, task.outputs)  # type: ignore[attr-defined]
                    except Exception as exc:  # RayTaskError, a node lost past retries, OutputError
                        yield task, exc
                    else:
                        yield task, result
        finally:
            if pending:  # stopped early (a signal): let the tasks unwind and close their sandboxes
                for ref in pending:
                    ray.cancel(ref)  # KeyboardInterrupt in the task
                with contextlib.suppress(Exception):
                    ray.wait(list(pending), num_returns=len(pending), timeout=UNWIND_SECONDS)
                for ref in pending:
                    ray.cancel(ref, force=True)
            if started:
                ray.shutdown()
            if pending and started and not self.address:  # a task killed before it closed its sandbox
                _remove_left(labels.run())


def _remove_left(run: str) -> None:
    """Remove what this run's workers left when they were ended the hard way."""
    try:
        removed = daemon.remove_left(run, wait=UNWIND_SECONDS)
    except SandboxError as exc:  # the next rfsn process's sweep retries; this stop must go on
        rlog.get_logger(__name__).warning("sandbox.leftovers_failed", error=str(exc))
        return
    if removed:
        rlog.get_logger(__name__).info("sandbox.leftovers_removed", containers=removed)


def check_executor(name: str, address: str | None) -> None:
    """ConfigError for an executor that does not exist, or an address it cannot use."""
    if name not in ("local", "ray"):
        raise ConfigError(f"unknown executor {name!r} (local, ray)")
    if address and name != "ray":
        raise ConfigError("--ray-address needs --executor ray")


def make_executor(name: str, workers: int, address: str | None = None, logs: LogSetup | None = None) -> Executor:
    check_executor(name, address)
    return LocalExecutor(workers, logs) if name == "local" else RayExecutor(workers, address, logs)
