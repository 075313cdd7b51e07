"""Which buildpacks exist (built-ins, then ``rfsn.buildpacks`` entry points), loading one by
name, and every one's detection for a repository."""

from __future__ import annotations

from pathlib import Path

from rfsn.buildpacks.base import Buildpack, Detection
from rfsn.errors import BuildpackError
from rfsn.plugins import PluginInfo, instantiate, warn_once
from rfsn.plugins import discover as discover_parts

ENTRY_POINT_GROUP = "rfsn.buildpacks"

#: short name -> "module:attribute"
BUILTINS: dict[str, str] = {
    "python": "rfsn.buildpacks.python.buildpack:PythonBuildpack",
    "node": "rfsn.buildpacks.node.buildpack:NodeBuildpack",
    "rust": "rfsn.buildpacks.rust.buildpack:RustBuildpack",
    "go": "rfsn.buildpacks.go.buildpack:GoBuildpack",
    "java": "rfsn.buildpacks.java.buildpack:JavaBuildpack",
}

BuildpackInfo = PluginInfo


def discover() -> list[BuildpackInfo]:
    """Every buildpack name rfsn knows: built-ins first, then plugins."""
    return discover_parts(ENTRY_POINT_GROUP, BUILTINS, reserved=frozenset({"generic"}))


def _instantiate(info: BuildpackInfo) -> Buildpack:
    buildpack: Buildpack = instantiate(info, Buildpack)
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
