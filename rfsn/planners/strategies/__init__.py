"""Patch strategies, found by short name and imported lazily."""

from __future__ import annotations

import importlib

from rfsn.errors import ConfigError
from rfsn.planners.base import PatchStrategy

STRATEGIES = {
    "template": "rfsn.planners.strategies.template:TemplateStrategy",
}


def check_name(name: str) -> None:
    """Raise ConfigError unless ``name`` is a known strategy (without importing it)."""
    if name not in STRATEGIES:
        raise ConfigError(f"unknown planner {name!r} (known: {', '.join(sorted(STRATEGIES))})")


def load_strategy(name: str) -> PatchStrategy:
    check_name(name)
    module, _, attr = STRATEGIES[name].partition(":")
    strategy: PatchStrategy = getattr(importlib.import_module(module), attr)()
    return strategy
