"""Which buildpacks exist (the ecosystems', built-ins first), loading one by name, and every
one's detection for a repository."""

from __future__ import annotations

from pathlib import Path

from rfsn.buildpacks.base import Buildpack, Detection
from rfsn.buildpacks.ecosystem import Ecosystem
from rfsn.buildpacks.ecosystems import BUILTINS, plugins, resolved, target
from rfsn.errors import BuildpackError
from rfsn.plugins import PluginInfo, instantiate, warn_once

BuildpackInfo = PluginInfo


def discover() -> list[BuildpackInfo]:
    """Every buildpack name rfsn knows: the built-in ecosystems' first, then plugins."""
    builtins = [target(reference) for reference in BUILTINS.values()]
    return [
        *(BuildpackInfo(e.name, e.buildpack, "builtin") for e in builtins if isinstance(e, Ecosystem) and e.buildpack),
        *plugins(),
    ]


def _instantiate(info: BuildpackInfo) -> Buildpack:
    named = resolved(info)
    if named.buildpack is None:
        raise BuildpackError(f"the ecosystem {info.name!r} has no buildpack")
    buildpack: Buildpack = instantiate(BuildpackInfo(info.name, named.buildpack, info.source), Buildpack)
    return buildpack


def load(name: str) -> Buildpack:
    """The buildpack with this short name; errors name the known ones."""
    for info in discover():
        if info.name == name:
            try:
                return _instantiate(info)
            except Exception as exc:  # a plugin's import can raise anything
                raise BuildpackError(f"buildpack {name!r} failed to load: {exc}") from exc
    known = ", ".join(sorted({i.name for i in discover()} | {"generic"}))
    raise BuildpackError(f"unknown buildpack {name!r} (known: {known})")


def detect_all(repo: Path) -> list[tuple[BuildpackInfo, Detection]]:
    """Every loadable buildpack's detection for ``repo``, best first."""
    results: list[tuple[BuildpackInfo, Detection]] = []
    for info in discover():
        try:
            detection = _instantiate(info).detect(repo)
        except Exception as exc:  # a plugin must never break rfsn
            warn_once(
                f"broken:{info.name}",
                "buildpack.plugin_skipped",
                name=info.name,
                source=info.source,
                error=f"{type(exc).__name__}: {exc}",
            )
            continue
        results.append((info, detection))
    results.sort(key=lambda pair: pair[1].score, reverse=True)
    return results
