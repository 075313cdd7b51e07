"""A suspicious source location, and what counts as a test file."""

from __future__ import annotations

import re
from typing import NamedTuple


class Location(NamedTuple):
    """A line of a repo-relative file with its suspiciousness (higher is worse)."""

    file: str
    line: int
    score: float


_TEST_DIRS = {"tests", "test", "testing", "__tests__", "spec", "specs"}
_TEST_NAME = re.compile(
    r"(^test_.*\.py$|.*_test\.py$|^conftest\.py$|.*\.(test|spec)\.[cm]?[jt]sx?$|.*_test\.go$"
    r"|^Test.*\.java$|.*Tests?\.java$)"
)


def is_test_file(path: str) -> bool:
    """True for files under a tests/ or test/ directory and for test-named files."""
    parts = path.replace("\\", "/").split("/")
    return bool(_TEST_DIRS & set(parts[:-1])) or bool(_TEST_NAME.match(parts[-1]))
