"""Parts found by short name: built-ins, then third-party ones from an entry-point group.

Patch strategies (``rfsn.strategies``) are found this way, and ecosystems
(``rfsn.buildpacks``, read by ``rfsn.buildpacks.ecosystems``) alike. A target is
``"module:attribute"``, imported only when the part is chosen; a class is
instantiated without arguments.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from rfsn.errors import ConfigError
from rfsn.observability.logging import get_logger

log = get_logger(__name__)
_warned: set[str] = set()


@dataclass(frozen=True)
class PluginInfo:
    name: str
    target: str  # "module:attribute"
    source: str  # "builtin" or "plugin <distribution> <version>"


def warn_once(key: str, message: str, **fields: object) -> None:
    if key not in _warned:
        _warned.add(key)
        log.warning(message, **fields)


def discover(group: str, builtins: Mapping[str, str]) -> list[PluginInfo]:
    """Built-ins first, then the group's entry points; a plugin never shadows a built-in."""
    infos = [PluginInfo(name, target, "builtin") for name, target in builtins.items()]
    for ep in entry_points(group=group):
        if ep.name in builtins:
            warn_once(f"shadow:{group}:{ep.name}", "plugin.shadowed", group=group, name=ep.name)
            continue
        dist = ep.dist
        source = f"plugin {dist.name} {dist.version}" if dist else "plugin"
        infos.append(PluginInfo(ep.name, ep.value, source))
    return infos


def instantiate(info: PluginInfo, protocol: type) -> Any:
    """The part ``info`` names (a class is called), checked against a runtime protocol."""
    module_name, _, attr = info.target.partition(":")
    obj = getattr(importlib.import_module(module_name), attr)
    part = obj() if isinstance(obj, type) else obj
    if not isinstance(part, protocol):
        raise ConfigError(f"{info.target} does not implement the {protocol.__name__} protocol")
    return part
