"""Reading a project's source files for the patch strategies (read-only, bounded)."""

from __future__ import annotations

import os
from pathlib import Path

from rfsn.buildpacks.languages import source_extensions
from rfsn.buildpacks.testfiles import is_test_file
from rfsn.fsutil import NOT_SOURCE_DIRS
from rfsn.models.testfiles import test_id_file

MAX_FILES = 2000
MAX_BYTES = 512_000


def read_sources(workspace: Path, language: str, tests: bool = False) -> dict[str, str]:
    """Repo-relative path -> text of the project's source files (or only its test files)."""
    extensions = source_extensions(language)
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


#: at most this many test files are read for the failing targets
MAX_TEST_FILES = 20


def read_tests(workspace: Path, test_ids: list[str]) -> dict[str, str]:
    """Repo-relative path -> text of the files the test ids name (``path::name``), those that
    lie in the workspace (no link leads out of it) under ``MAX_BYTES``, at most ``MAX_TEST_FILES``."""
    found: dict[str, str] = {}
    root = workspace.resolve()
    for rel in dict.fromkeys(test_id_file(t) for t in test_ids):
        path = workspace / rel
        if len(found) >= MAX_TEST_FILES or rel.startswith("/") or ".." in Path(rel).parts:
            continue
        try:  # a folder of the path may be a link: only what lies in the workspace is read
            if path.resolve().is_relative_to(root) and path.is_file() and path.stat().st_size <= MAX_BYTES:
                found[rel] = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
    return found
