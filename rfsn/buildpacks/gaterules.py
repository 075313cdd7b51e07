"""The gate's tables by ecosystem: the commands and subcommands each allows, the added lines that
skip or rig tests in its files and what opens a test item there (``rfsn.gate`` reads them;
``rfsn.toml`` overrides the first two)."""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import PurePosixPath

from rfsn.buildpacks.ecosystems import ecosystems


def gate_commands() -> dict[str, tuple[str, ...]]:
    """Ecosystem name -> the executables a proposal may run with its buildpack."""
    generic_first = sorted(ecosystems(), key=lambda eco: eco.name != "generic")
    return {eco.name: eco.gate.commands for eco in generic_first if eco.gate.commands}


def gate_subcommands() -> dict[str, tuple[str, ...]]:
    """Tool -> the first arguments a proposal may give it (the first ecosystem to name a tool rules)."""
    found: dict[str, tuple[str, ...]] = {}
    for eco in ecosystems():
        for tool, allowed in eco.gate.subcommands.items():
            found.setdefault(tool, allowed)
    return found


@lru_cache(maxsize=4)
def _markers(path: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...]:
    return tuple(
        (name, re.compile(pattern), eco.extensions()) for eco in ecosystems() for name, pattern in eco.gate.markers
    )


def skip_markers() -> tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...]:
    """(name, pattern, the extensions of the files it means something in) of every ecosystem's
    markers of added lines that skip or rig tests, the built-ins' first."""
    return _markers(tuple(sys.path))  # as ``ecosystems``: entry points are found on sys.path


@lru_cache(maxsize=4)
def _session_wide(path: tuple[str, ...]) -> frozenset[str]:
    return frozenset().union(*(eco.gate.session_wide for eco in ecosystems()))


def session_wide() -> frozenset[str]:
    """The names of every ecosystem's markers that act on the whole run, wherever they are written."""
    return _session_wide(tuple(sys.path))


@lru_cache(maxsize=4)
def _items(path: tuple[str, ...]) -> dict[str, re.Pattern[str]]:
    found = [eco for eco in ecosystems() if eco.gate.items]
    return {ext: re.compile(eco.gate.items) for eco in reversed(found) if eco.gate.items for ext in eco.extensions()}


def item_opener(path: str) -> re.Pattern[str] | None:
    """What opens a test item in the file at ``path`` (a Go ``func``, a JS ``it`` call), by its
    ecosystem; None where its tests are not items its braces delimit."""
    return _items(tuple(sys.path)).get(PurePosixPath(path).suffix.lower())
