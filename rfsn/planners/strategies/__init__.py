"""Patch strategies, found by short name (built-ins, then the ``rfsn.strategies`` entry points).

``template`` needs nothing; ``openai``, ``anthropic`` and ``hybrid`` (templates first, then
the model) are built around a ChatModel. A plugin's entry point names a class that is
constructed without arguments.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from rfsn.errors import ConfigError
from rfsn.llm.base import ChatModel
from rfsn.planners.base import PatchStrategy

GROUP = "rfsn.strategies"
STRATEGIES = {
    "template": "rfsn.planners.strategies.template:TemplateStrategy",
    "openai": "rfsn.planners.strategies.model:ModelStrategy",
    "anthropic": "rfsn.planners.strategies.model:ModelStrategy",
    "hybrid": "rfsn.planners.strategies.model:HybridStrategy",
}
MODEL_PLANNERS = frozenset({"openai", "anthropic", "hybrid"})


def _plugins() -> dict[str, str]:
    return {ep.name: ep.value for ep in entry_points(group=GROUP) if ep.name not in STRATEGIES}


def check_name(name: str) -> None:
    """Raise ConfigError unless ``name`` is a known strategy (without importing it)."""
    known = {**STRATEGIES, **_plugins()}
    if name not in known:
        raise ConfigError(f"unknown planner {name!r} (known: {', '.join(sorted(known))})")


def load_strategy(name: str, model: ChatModel | None = None) -> PatchStrategy:
    check_name(name)
    if name in MODEL_PLANNERS and model is None:
        raise ConfigError(f"planner {name!r} needs a model (--model, a key, --base-url)")
    module, _, attr = {**STRATEGIES, **_plugins()}[name].partition(":")
    factory = getattr(importlib.import_module(module), attr)
    strategy: PatchStrategy = factory(model) if name in MODEL_PLANNERS else factory()
    return strategy
