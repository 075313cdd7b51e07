"""Which ecosystems exist: the built-ins, then those of the ``rfsn.buildpacks`` entry points.

An entry point names an ``Ecosystem`` or, as before ecosystems, a buildpack (a class or an
object): that one is an ecosystem of its buildpack alone. The list is read once per ``sys.path``
(entry points are found on it); a plugin that fails to import is skipped with one warning.
"""

from __future__ import annotations

import importlib
import sys
from functools import lru_cache
from importlib.metadata import entry_points

from rfsn.buildpacks.base import BaseImage
from rfsn.buildpacks.ecosystem import Ecosystem
from rfsn.errors import BuildpackError
from rfsn.plugins import PluginInfo, warn_once

ENTRY_POINT_GROUP = "rfsn.buildpacks"
#: name -> "module:attribute" of its Ecosystem
BUILTINS: dict[str, str] = {
    "python": "rfsn.buildpacks.python.ecosystem:ECOSYSTEM",
    "node": "rfsn.buildpacks.node.ecosystem:ECOSYSTEM",
    "rust": "rfsn.buildpacks.rust.ecosystem:ECOSYSTEM",
    "go": "rfsn.buildpacks.go.ecosystem:ECOSYSTEM",
    "java": "rfsn.buildpacks.java.ecosystem:ECOSYSTEM",
    "generic": "rfsn.buildpacks.generic_ecosystem:ECOSYSTEM",
}


def target(reference: str) -> object:
    """The object a ``"module:attribute"`` reference names (its module imported)."""
    module_name, _, attribute = reference.partition(":")
    found: object = getattr(importlib.import_module(module_name), attribute)
    return found


def resolved(info: PluginInfo) -> Ecosystem:
    """The ecosystem an entry point names, or the one of the buildpack it names."""
    named = target(info.target)
    if isinstance(named, Ecosystem):
        if named.name != info.name:
            raise BuildpackError(f"{info.target} is the ecosystem {named.name!r}, not {info.name!r}")
        return named
    return Ecosystem(name=info.name, buildpack=info.target)


def plugins() -> list[PluginInfo]:
    """The group's entry points, those that would shadow a built-in left out (with a warning)."""
    infos = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in BUILTINS:
            warn_once(f"shadow:{ENTRY_POINT_GROUP}:{ep.name}", "plugin.shadowed", group=ENTRY_POINT_GROUP, name=ep.name)
            continue
        source = f"plugin {ep.dist.name} {ep.dist.version}" if ep.dist else "plugin"
        infos.append(PluginInfo(ep.name, ep.value, source))
    return infos


@lru_cache(maxsize=4)
def _found(path: tuple[str, ...]) -> tuple[Ecosystem, ...]:
    found = [Ecosystem.model_validate(target(reference)) for reference in BUILTINS.values()]
    for info in plugins():
        try:
            found.append(resolved(info))
        except Exception as exc:  # a plugin must never break rfsn
            error = f"{type(exc).__name__}: {exc}"
            warn_once(
                f"broken:{info.name}", "buildpack.plugin_skipped", name=info.name, source=info.source, error=error
            )
    return tuple(found)


def ecosystems() -> tuple[Ecosystem, ...]:
    """Every ecosystem: the built-ins, then the plugins' that load."""
    return _found(tuple(sys.path))


def ecosystem(name: str) -> Ecosystem:
    """The ecosystem of this name; errors name the known ones."""
    for found in ecosystems():
        if found.name == name:
            return found
    known = ", ".join(sorted(e.name for e in ecosystems()))
    raise BuildpackError(f"unknown ecosystem {name!r} (known: {known})")


def base_image(name: str, version: str) -> BaseImage:
    """The base image of this ecosystem's runtime at ``version`` (one its ``images`` names)."""
    images = ecosystem(name).images
    if images is None or version not in images.versions:
        raise BuildpackError(f"rfsn builds no {name} {version} base image")
    made = target(images.image)
    assert callable(made)
    image = made(version)
    assert isinstance(image, BaseImage)
    return image
