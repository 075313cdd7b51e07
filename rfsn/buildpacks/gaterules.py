"""The gate's tables by ecosystem: the commands and subcommands each allows, and the added lines
that skip or rig tests in its files (``rfsn.gate`` reads them; ``rfsn.toml`` overrides the first two)."""

from __future__ import annotations

import re
import sys
from functools import lru_cache

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
