"""Reading a project's source files for the patch strategies (read-only, bounded)."""

from __future__ import annotations

import os
from pathlib import Path

from rfsn.fsutil import NOT_SOURCE_DIRS
from rfsn.models.testfiles import is_test_file

EXTENSIONS = {
    "python": (".py",),
    "node": (".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx"),
    "rust": (".rs",),
    "go": (".go",),
    "java": (".java",),
}
ALL_EXTENSIONS = (*(e for exts in EXTENSIONS.values() for e in exts), ".c", ".h", ".cc", ".cpp")
MAX_FILES = 2000
MAX_BYTES = 512_000


def read_sources(workspace: Path, language: str, tests: bool = False) -> dict[str, str]:
    """Repo-relative path -> text of the project's source files (or only its test files)."""
    extensions = EXTENSIONS.get(language, ALL_EXTENSIONS)
    found: dict[str, str] = {}
    for root, dirs, names in os.walk(workspace):
        dirs[:] = sorted(d for d in dirs if d not in NOT_SOURCE_DIRS and not d.startswith("."))
        for name in sorted(names):
            path = Path(root) / name
            rel = path.relative_to(workspace).as_posix()
            if not name.endswith(extensions) or is_test_file(rel) != tests or path.is_symlink():
                continue
            if path.stat().st_size > MAX_BYTES:
                continue
            try:
                found[rel] = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            if len(found) >= MAX_FILES:
                return found
    return found
