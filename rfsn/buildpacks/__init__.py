"""Buildpacks: built-ins plus third-party ones from the ``rfsn.buildpacks`` entry points.

A buildpack is found by short name and imported lazily. ``select`` picks the
one with the highest detection score, unless a name or a test command is
given. A plugin that fails to import, or raises in ``detect``, is reported
once as a warning and skipped: it never breaks rfsn.
"""

from __future__ import annotations

from pathlib import Path

from rfsn.buildpacks.base import BaseImage, Buildpack, Detection, EnvRecipe
from rfsn.buildpacks.discovery import BUILTINS, BuildpackInfo, detect_all, discover, load
from rfsn.buildpacks.generic import GenericBuildpack
from rfsn.buildpacks.unrecognised import unrecognised
from rfsn.errors import BuildpackError

__all__ = [
    "BUILTINS",
    "BaseImage",
    "Buildpack",
    "BuildpackInfo",
    "Detection",
    "EnvRecipe",
    "detect_all",
    "detections",
    "discover",
    "load",
    "select",
    "unrecognised",
]


def detections(folder: Path) -> list[tuple[str, Detection]]:
    """Every buildpack's detection of ``folder`` by its name, best first."""
    return [(info.name, detection) for info, detection in detect_all(folder)]


def check_choice(name: str | None, test_cmd: str | None) -> None:
    """Fail fast on a --buildpack / --test-cmd pair that ``select`` would refuse."""
    if name == "generic":
        if test_cmd is None:
            raise BuildpackError("the generic buildpack runs a given command: add --test-cmd CMD")
        return
    if name is not None:
        load(name)
    if test_cmd is not None:
        GenericBuildpack(test_cmd)


def select(repo: Path, name: str | None = None, test_cmd: str | None = None) -> Buildpack:
    """The buildpack for ``repo``: by ``test_cmd``, by ``name``, or by best detection."""
    if test_cmd is not None:
        return GenericBuildpack(test_cmd, base=load(name) if name and name != "generic" else None, repo=repo)
    if name is not None:
        return load(name)
    ranked = [(info, d) for info, d in detect_all(repo) if d.score > 0]
    if not ranked:
        raise BuildpackError(unrecognised(repo, "this repository", detections))
    return load(ranked[0][0].name)
