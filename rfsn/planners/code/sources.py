"""Reading a project's source files for the patch strategies (read-only, bounded)."""

from __future__ import annotations

import os
from pathlib import Path

from rfsn.fsutil import NOT_SOURCE_DIRS
from rfsn.models import languages
from rfsn.models.testfiles import is_test_file

#: a buildpack whose projects are written in a language family of another name
_FAMILIES = {"node": "javascript"}
MAX_FILES = 2000
MAX_BYTES = 512_000


def read_sources(workspace: Path, language: str, tests: bool = False) -> dict[str, str]:
    """Repo-relative path -> text of the project's source files (or only its test files)."""
    extensions = languages.extensions(_FAMILIES.get(language, language)) or languages.extensions()
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
