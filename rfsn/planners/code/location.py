"""A suspicious source location."""

from __future__ import annotations

from typing import NamedTuple


class Location(NamedTuple):
    """A line of a repo-relative file with its suspiciousness (higher is worse)."""

    file: str
    line: int
    score: float
