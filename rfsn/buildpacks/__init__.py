"""Buildpacks: built-ins plus third-party ones from the ``rfsn.buildpacks`` entry points.

A buildpack is found by short name and imported lazily. ``select`` picks the
one with the highest detection score, unless a name or a test command is
given. A plugin that fails to import, or raises in ``detect``, is reported
once as a warning and skipped: it never breaks rfsn.
"""

from __future__ import annotations

from pathlib import Path

from rfsn.buildpacks.base import BaseImage, Buildpack, Detection, EnvRecipe
from rfsn.errors import BuildpackError
from rfsn.plugins import PluginInfo, instantiate, warn_once
from rfsn.plugins import discover as discover_parts

__all__ = [
    "BaseImage",
    "Buildpack",
    "BuildpackInfo",
    "Detection",
    "EnvRecipe",
    "detect_all",
    "discover",
    "load",
    "select",
]

ENTRY_POINT_GROUP = "rfsn.buildpacks"

#: short name -> "module:attribute"
BUILTINS: dict[str, str] = {
    "python": "rfsn.buildpacks.python:PythonBuildpack",
    "node": "rfsn.buildpacks.node:NodeBuildpack",
    "rust": "rfsn.buildpacks.rust:RustBuildpack",
    "go": "rfsn.buildpacks.go:GoBuildpack",
    "java": "rfsn.buildpacks.java:JavaBuildpack",
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
            warn_once(f"broken:{info.name}", "buildpack.plugin_skipped", name=info.name,
                       source=info.source, error=f"{type(exc).__name__}: {exc}")
            continue
        results.append((info, detection))
    results.sort(key=lambda pair: pair[1].score, reverse=True)
    return results


def check_choice(name: str | None, test_cmd: str | None) -> None:
    """Fail fast on a --buildpack / --test-cmd pair that ``select`` would refuse."""
    if name == "generic":
        if test_cmd is None:
            raise BuildpackError("the generic buildpack runs a given command: add --test-cmd CMD")
        return
    if name is not None:
        load(name)
    if test_cmd is not None:
        from rfsn.buildpacks.generic import GenericBuildpack

        GenericBuildpack(test_cmd)


def select(repo: Path, name: str | None = None, test_cmd: str | None = None) -> Buildpack:
    """The buildpack for ``repo``: by ``test_cmd``, by ``name``, or by best detection."""
    if test_cmd is not None:
        from rfsn.buildpacks.generic import GenericBuildpack

        return GenericBuildpack(test_cmd, base=load(name) if name and name != "generic" else None,
                                repo=repo)
    if name is not None:
        return load(name)
    ranked = [(info, d) for info, d in detect_all(repo) if d.score > 0]
    if not ranked:
        raise BuildpackError(
            "no buildpack recognises this repository: "
            "choose one with --buildpack NAME or give the test command with --test-cmd"
        )
    return load(ranked[0][0].name)
