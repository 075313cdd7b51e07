"""Files: atomic writes (a reader sees the old file or the new one, never half of one),
and the directories that never hold a project's own source.

A write that fails (a full disk, a read-only directory) raises OutputError
naming the file and leaves the old file as it was; never a truncated one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rfsn.errors import OutputError

#: build output, dependencies and tool caches: never searched, read or localized as source
NOT_SOURCE_DIRS = frozenset({".git", "node_modules", "target", "build", "dist", ".venv", "venv",
                             "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache"})


#: the one mode of every output file, whatever the umask: the trajectory and events of a session
#: are shared evidence (0644); everything else rfsn writes (results, predictions, reports, patches,
#: summaries) may hold a model's output or a repository's code and stays private (0600)
SHARED_MODE = 0o644
PRIVATE_MODE = 0o600


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, with mode PRIVATE_MODE (mkstemp's own)."""
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
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise


def append_line(fh: int, path: Path, line: str, sync: bool = True) -> None:
    """Append one line with a single write (O_APPEND), and fsync unless ``sync`` is False (the
    line then survives the process, not the machine); OutputError if it cannot."""
    data = (line.rstrip("\n") + "\n").encode("utf-8")
    try:
        written = os.write(fh, data)
        if written != len(data):
            raise OSError(28, f"short write ({written} of {len(data)} bytes)")
        if sync:
            os.fsync(fh)
    except OSError as exc:
        raise OutputError(f"cannot append to {path}: {exc.strerror or exc}") from exc


def complete_lines(text: str) -> list[str]:
    """The non-empty lines of a JSON-lines file, without a last line cut short by a crash."""
    lines = text.split("\n")
    return [line for line in lines[:-1] if line]
