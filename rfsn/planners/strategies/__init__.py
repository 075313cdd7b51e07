"""Patch strategies, found by short name and imported lazily."""

from __future__ import annotations

import importlib

from rfsn.errors import ConfigError
from rfsn.planners.base import PatchStrategy

STRATEGIES = {
    "template": "rfsn.planners.strategies.template:TemplateStrategy",
}


def load_strategy(name: str) -> PatchStrategy:
    if name not in STRATEGIES:
        raise ConfigError(f"unknown planner {name!r} (known: {', '.join(sorted(STRATEGIES))})")
    module, _, attr = STRATEGIES[name].partition(":")
    strategy: PatchStrategy = getattr(importlib.import_module(module), attr)()
    return strategy
