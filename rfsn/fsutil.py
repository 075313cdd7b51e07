"""Files: atomic writes (a reader sees the old file or the new one, never half of one),
the directories that never hold a project's own source, and the top-level names a project provides.

A write that fails (a full disk, a read-only directory) raises OutputError
naming the file and leaves the old file as it was; never a truncated one.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rfsn.errors import ConfigError, InputError, OutputError
from rfsn.inputs import MAX_FILE_BYTES, toml_file

#: build output, dependencies and tool caches: never searched, read or localized as source
NOT_SOURCE_DIRS = frozenset(
    {
        ".git",
        "node_modules",
        "target",
        "build",
        "dist",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
    }
)


#: the one mode of every output file, whatever the umask: the trajectory and events of a session
#: are shared evidence (0644); everything else rfsn writes (results, predictions, reports, patches,
#: summaries) may hold a model's output or a repository's code and stays private (0600)
SHARED_MODE = 0o644
PRIVATE_MODE = 0o600


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, with mode PRIVATE_MODE (mkstemp's own)."""
    write_all_atomic({path: text})


def write_all_atomic(files: dict[Path, str]) -> None:
    """Write each of ``files`` atomically, and all of them or none: every text goes to a temporary
    file first, and only when all are written are they renamed into place (OutputError naming
    the file that could not be written; the temporary files are removed)."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            staged.append((_staged(path, text), path))
        for tmp, path in staged:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise


def _staged(path: Path, text: str) -> str:
    """A temporary file next to ``path`` holding ``text`` (synced), mode PRIVATE_MODE."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise
    return tmp


def append_line(fh: int, path: Path, line: str, sync: bool = True) -> None:
    """Append one line with a single write (O_APPEND), whole or not at all (a short write on a
    full disk is cut off again), and fsync unless ``sync`` is False (the line then survives the
    process, not the machine); OutputError if it cannot. One writer at a time (or a lock)."""
    data = (line.rstrip("\n") + "\n").encode("utf-8")
    try:
        end = os.lseek(fh, 0, os.SEEK_END)
        written = os.write(fh, data)
    except OSError as exc:
        raise OutputError(f"cannot append to {path}: {exc.strerror or exc}") from exc
    if written != len(data):
        with contextlib.suppress(OSError):  # a reader skips a torn last line in any case
            os.ftruncate(fh, end)
        raise OutputError(
            f"cannot append to {path}: {os.strerror(errno.ENOSPC)} (short write: "
            f"{written} of {len(data)} bytes, cut off again)"
        )
    if sync:
        try:
            os.fsync(fh)
        except OSError as exc:
            raise OutputError(f"cannot append to {path}: {exc.strerror or exc}") from exc


def complete_lines(text: str) -> list[str]:
    """The non-empty lines of a JSON-lines file, without a last line cut short by a crash."""
    lines = text.split("\n")
    return [line for line in lines[:-1] if line]


def read_toml(path: Path) -> dict[str, Any]:
    """A project's TOML file (pyproject.toml, Cargo.toml, a lock file) as data; {} when it is
    missing, unreadable or not TOML: the buildpacks read what a project declares, and a file
    they cannot read declares nothing."""
    try:
        return toml_file(path, MAX_FILE_BYTES)
    except InputError:
        return {}


@contextmanager
def held(lock: Path) -> Iterator[None]:
    """An exclusive lock on the file ``lock`` (made, with its directory, if missing) for the
    block: processes of this host that take the same one run the block one at a time. The file
    is removed as the block ends, however it ends (none is left in $TMPDIR); a process that
    locked a file removed meanwhile locks the new one instead."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, PRIVATE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.path.samestat(os.fstat(fd), os.stat(lock)):
                break
        except FileNotFoundError:
            pass  # removed by the holder it waited for: lock the file now at that path
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)  # before the lock is released: a waiter then sees it gone
        os.close(fd)


@contextmanager
def claimed(lock: Path, what: str) -> Iterator[None]:
    """An exclusive lock on the file ``lock`` for the block, taken without waiting: ConfigError
    naming ``what`` and the process holding it when another has it (the lock ends with that
    process, however it ends)."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise ConfigError(
                f"{what} is in use by another rfsn run (pid {holder}); wait for it to end or choose another directory"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield


def project_modules(repo: Path) -> set[str]:
    """Top-level importable names the repository itself provides (flat and src layouts)."""
    names: set[str] = set()
    for root in (repo, repo / "src", repo / "lib"):
        if not root.is_dir():
            continue
        for entry in root.iterdir():
            if entry.is_dir() and not entry.name.startswith("."):
                names.add(entry.name)
            elif entry.suffix == ".py":
                names.add(entry.stem)
    return names
