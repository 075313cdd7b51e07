"""Files: atomic writes (a reader sees the old file or the new one, never half of one),
and the directories that never hold a project's own source."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: build output, dependencies and tool caches: never searched, read or localized as source
NOT_SOURCE_DIRS = frozenset({".git", "node_modules", "target", "build", "dist", ".venv", "venv",
                             "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache"})


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
