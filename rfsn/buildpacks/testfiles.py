"""What counts as test code, by the ecosystems' conventions: one answer for the gate,
localization and batch patching.

A file is a test file with a test directory anywhere on its path or a test-shaped name; a
source file also holds test code from its ecosystem's test region on (Rust's ``#[cfg(test)]``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath

from rfsn.buildpacks.ecosystems import ecosystems


@dataclass(frozen=True)
class _Conventions:
    name: re.Pattern[str]
    helpers: frozenset[str]
    dirs: frozenset[str]
    regions: dict[str, re.Pattern[str]]  # extension -> the line its tests start at


@lru_cache(maxsize=4)
def _conventions(path: tuple[str, ...]) -> _Conventions:
    found = ecosystems()
    names = "|".join(name for eco in found for name in eco.tests.names)
    regions = {
        ext: re.compile(eco.tests.region) for eco in reversed(found) if eco.tests.region for ext in eco.extensions()
    }
    return _Conventions(
        name=re.compile(f"^(?:{names})$", re.IGNORECASE),
        helpers=frozenset(helper.casefold() for eco in found for helper in eco.tests.helpers),
        dirs=frozenset(folder.casefold() for eco in found for folder in eco.tests.dirs),
        regions=regions,
    )


def _known() -> _Conventions:
    return _conventions(tuple(sys.path))  # as ``ecosystems``: entry points are found on sys.path


def is_test_file(path: str) -> bool:
    """A repo-relative path under a test directory or with a test-shaped name."""
    conventions = _known()
    parts = path.replace("\\", "/").split("/")
    if any(part.casefold() in conventions.dirs for part in parts[:-1]):
        return True
    return bool(conventions.name.match(parts[-1]))


def is_test_module(path: str) -> bool:
    """A file of tests by its own name (``test_x.py``, ``x_test.go``, ``a.test.js``): not a
    helper or data under a test directory, not a ``conftest.py``."""
    conventions = _known()
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return bool(conventions.name.match(name)) and name.casefold() not in conventions.helpers


def tests_start(path: str, text: str) -> int | None:
    """1-based line where the tests of the source file at ``path`` start (Rust's first
    ``#[cfg(test)]``); None where it has none, or its ecosystem has no test region."""
    region = _known().regions.get(PurePosixPath(path).suffix)
    if region is None:
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        if region.match(line):
            return number
    return None


def is_test_code(path: str, line: int, files: Mapping[str, str]) -> bool:
    """A line of a test file, or of a source file's test region."""
    if is_test_file(path):
        return True
    start = tests_start(path, files.get(path, ""))
    return start is not None and line >= start
