"""Patch strategies, found by short name: built-ins, then the ``rfsn.strategies`` entry points.

A strategy is imported only when chosen. A third-party package adds one with::

    [project.entry-points."rfsn.strategies"]
    mine = "my_package.strategy:MyStrategy"
"""

from __future__ import annotations

from rfsn.errors import ConfigError
from rfsn.planners.base import PatchStrategy
from rfsn.plugins import PluginInfo, discover, instantiate

ENTRY_POINT_GROUP = "rfsn.strategies"

#: short name -> "module:attribute"
STRATEGIES = {
    "template": "rfsn.planners.patch.strategies.template:TemplateStrategy",
    "openai": "rfsn.planners.patch.strategies.model:ModelStrategy",
    "anthropic": "rfsn.planners.patch.strategies.model:ModelStrategy",
    "hybrid": "rfsn.planners.patch.strategies.model:HybridStrategy",
}
#: planners that need a model, and the provider each uses (hybrid: the configured one)
MODEL_PLANNERS = {"openai": "openai", "anthropic": "anthropic", "hybrid": None}


def known() -> list[PluginInfo]:
    return discover(ENTRY_POINT_GROUP, STRATEGIES)


def check_name(name: str) -> PluginInfo:
    """The strategy called ``name`` (without importing it); ConfigError if there is none."""
    infos = {info.name: info for info in known()}
    if name not in infos:
        raise ConfigError(f"unknown planner {name!r} (known: {', '.join(sorted(infos))})")
    return infos[name]


def load_strategy(name: str) -> PatchStrategy:
    info = check_name(name)
    try:
        strategy: PatchStrategy = instantiate(info, PatchStrategy)
    except Exception as exc:  # a plugin's import can raise anything
        raise ConfigError(f"planner {name!r} failed to load: {exc}") from exc
    return strategy
